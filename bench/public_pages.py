"""Kept public pages against the trivial view, with Redis as the cache.

- builds a fresh SQLite database in a temporary folder (never ``data/``) with the demo data
  (``seed_demo``), and uses Redis database ``--redis-db`` (emptied first) as the cache;
- starts gunicorn on the platform plus the trivial view of ``mapping_bench_site``;
- measures, interleaved in rounds on the same server, each public page as an anonymous
  visitor that returns with its CSRF cookie (as a phone does), and prints requests per
  second and the median ratio of each round to the trivial view (goal: ≥ 0.8).

    .venv/bin/python bench/public_pages.py   # --requests 500 --rounds 10 --redis-db 6
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

# A returning visitor with its CSRF cookie, as in the dashboard benchmark.
from impact_dashboard import _get
from mapping_map import _free_port, _setup, _wait, start_gunicorn


def _populate() -> dict[str, str]:
    """The demo data; return the public pages to measure."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.urls import reverse

    from festival.models import Stage
    from mapping.models import PublicSpace

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    cache.clear()
    space = PublicSpace.objects.order_by("pk").first()
    stage = Stage.objects.order_by("pk").first()
    pages = {
        "trivial": "/bench/trivial",
        "home": reverse("home"),
        "map page": reverse("mapping:space-map"),
        "directory": reverse("platform_app:organization-directory"),
        "results": reverse("interventions:results"),
        "comparison": reverse("interventions:results-compare"),
        "festival": reverse("festival:home"),
        "fest. results": reverse("festival:results"),
    }
    if space is not None:
        pages["space page"] = reverse("mapping:space-detail", args=[space.pk])
    if stage is not None:
        pages["board page"] = reverse("festival:board", args=[stage.pk])
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="per page")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis-db", type=int, default=6)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-pages-")
    env = _setup(tmp)
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    env["REDIS_URL"] = os.environ["REDIS_URL"] = redis_url
    pages = _populate()
    port = args.port or _free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        _wait(port)
        sizes = {}
        for name, url in pages.items():  # render, keep, and teach the worker the path
            for _ in range(3):
                sizes[name] = _get(port, url)
        rates: dict[str, list[float]] = {name: [] for name in pages}
        per_round = max(1, args.requests // args.rounds)
        for _ in range(args.rounds):
            for name, url in pages.items():
                t0 = time.perf_counter()
                for _ in range(per_round):
                    _get(port, url)
                rates[name].append(per_round / (time.perf_counter() - t0))
        print(
            f"gunicorn, {args.workers} sync worker(s), SQLite, Redis cache ({redis_url}), "
            f"{args.rounds} rounds × {per_round}; load average {os.getloadavg()[0]:.1f}"
        )
        for name in pages:
            ratios = [a / b for a, b in zip(rates[name], rates["trivial"], strict=True)]
            print(
                f"{name:>14}: {statistics.median(rates[name]):7.1f} req/s  ratio "
                f"{statistics.median(ratios):4.2f} (min {min(ratios):4.2f}, "
                f"max {max(ratios):4.2f})  {sizes[name]:>6} bytes"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
