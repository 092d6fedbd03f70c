"""Benchmark of problem reports at the scale of all Lima (50,000 reports).

    .venv/bin/python bench/reports_map.py [--spaces 6000] [--reports 50000] [--requests 500]

Builds a fresh SQLite database in a temporary folder (never touches data/) with the spaces
of bench/mapping_map.py and ``--reports`` reports on them (60% open), starts gunicorn on the
platform plus one trivial view and measures, interleaved in rounds:

- trivial: a Django view that returns "ok" (the yardstick);
- window: /mapa/reportes/capa.geojson?district=…&bbox=… for ~4 × 3 km windows around
  random spaces, each a different, uncached query;
- cached layer: the same window of Santa Anita again, from the cache (goal ≥ 0.8 of trivial);
- space page: the page of the space with the most reports.

Before timing, it counts the queries of the layer and of a space's page with a tenth of the
reports and with all of them: they must be equal (flat). Not a test: timings depend on the
machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from mapping_map import ROOT, _free_port, _get, _populate, _setup, _wait  # noqa: E402

STATUSES = ["received", "acknowledged", "in_progress", "fixed", "not_ours", "duplicate"]
WEIGHTS = [0.2, 0.2, 0.2, 0.3, 0.05, 0.05]
CATEGORIES = ["lighting", "equipment", "rubbish", "green", "safety", "water", "other"]


def _add_reports(count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from mapping.models import PublicSpace, Report

    spaces = list(
        PublicSpace.objects.values_list(
            "pk", "district_id", "sector_id", "centroid_lon", "centroid_lat"
        )
    )
    now = timezone.now()
    rows = []
    for _i in range(count):
        pk, district_id, sector_id, lon, lat = rng.choice(spaces)
        rows.append(
            Report(
                district_id=district_id,
                space_id=pk,
                sector_id=sector_id,
                category=rng.choice(CATEGORIES),
                description="Poste apagado",
                latitude=lat + rng.uniform(-0.0003, 0.0003),
                longitude=lon + rng.uniform(-0.0003, 0.0003),
                status=rng.choices(STATUSES, weights=WEIGHTS)[0],
                created_at=now,
            )
        )
    # bulk_create: the benchmark measures reads; every write of the platform goes through
    # mapping.reports_services.
    Report.objects.bulk_create(rows, batch_size=1000)


def _query_counts(layer_url: str, page_url: str) -> tuple[int, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = []
    for url in (layer_url, page_url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(queries))
    return counts[0], counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=6000)
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=500, help="per endpoint")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-reports-")
    env = _setup(tmp)
    started = time.perf_counter()
    _populate(args.spaces)
    from django.db.models import Count

    from mapping.models import PublicSpace
    from platform_app.models import District

    rng = random.Random(11)
    _add_reports(args.reports // 10, rng)
    santa_anita = District.objects.get(ubigeo="150137")
    busiest = (
        PublicSpace.objects.filter(district=santa_anita)
        .annotate(n=Count("reports"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    lon, lat = busiest.centroid_lon, busiest.centroid_lat
    cached_window = f"{lon - 0.02:.4f},{lat - 0.014:.4f},{lon + 0.02:.4f},{lat + 0.014:.4f}"
    layer_url = f"/mapa/reportes/capa.geojson?district=150137&bbox={cached_window}"
    page_url = f"/mapa/espacios/{busiest.pk}/"
    small = _query_counts(layer_url, page_url)
    _add_reports(args.reports - args.reports // 10, rng)
    large = _query_counts(layer_url, page_url)
    print(
        f"{args.spaces} spaces, {args.reports} reports in {time.perf_counter() - started:.1f} s"
        f" ({tmp})"
    )
    print(
        f"queries (layer, space page) with {args.reports // 10} reports: {small}; "
        f"with {args.reports}: {large} → {'flat' if small == large else 'NOT flat'}"
    )
    # One window per request (a random space, a random shift): none is answered from cache.
    centres = list(
        PublicSpace.objects.values_list("district__ubigeo", "centroid_lon", "centroid_lat")
    )
    windows = []
    for _i in range(args.requests + 100):
        ubigeo, x, y = rng.choice(centres)
        x, y = x + rng.uniform(-0.005, 0.005), y + rng.uniform(-0.005, 0.005)
        windows.append(
            f"district={ubigeo}&bbox={x - 0.02:.4f},{y - 0.014:.4f},{x + 0.02:.4f},{y + 0.014:.4f}"
        )

    port = args.port or _free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "santaanita.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait(port)
        endpoints = {
            "trivial": lambda i: "/bench/trivial",
            "window": lambda i: f"/mapa/reportes/capa.geojson?{windows[i % len(windows)]}",
            "cached layer": lambda i: layer_url,
            "space page": lambda i: page_url,
        }
        rates: dict[str, list[float]] = {name: [] for name in endpoints}
        sizes: dict[str, list[int]] = {name: [] for name in endpoints}
        for name, url in endpoints.items():  # warm up (and fill the layer cache)
            for i in range(5):
                _get(port, url(len(windows) - 1 - i) if name == "window" else url(i))
        per_round = max(1, args.requests // args.rounds)
        for r in range(args.rounds):
            for name, url in endpoints.items():
                t0 = time.perf_counter()
                for i in range(per_round):
                    sizes[name].append(_get(port, url(r * per_round + i)))
                rates[name].append(per_round / (time.perf_counter() - t0))
        ratios = {
            name: statistics.median(
                a / b for a, b in zip(rates[name], rates["trivial"], strict=True)
            )
            for name in endpoints
        }
        print(
            f"gunicorn, {args.workers} sync worker(s), SQLite, "
            f"{args.rounds} rounds × {per_round} requests per endpoint"
        )
        for name in endpoints:
            avg = sum(sizes[name]) / len(sizes[name]) / 1024
            rate = statistics.median(rates[name])
            print(f"{name:>13}: {rate:7.1f} req/s  ratio {ratios[name]:4.2f}  ({avg:.1f} KiB)")
        cached = ratios["cached layer"]
        print(f"goal: cached layer ≥ 0.8 → {'met' if cached >= 0.8 else 'NOT met'}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
