"""Benchmark of the results dashboard and the social-cohesion index with 20,000 answers.

    .venv/bin/python bench/impact_dashboard.py   # --answers 20000 --requests 500 --rounds 10

Builds a fresh SQLite database in a temporary folder (never touches data/), publishes the
demo questionnaire, the five sectors' populations and two waves, and records ``--answers``
perception answers through ``perception_responses_bulk_record``. It then

- counts the queries of the dashboard's figures, the sector rows and the index page at a
  tenth of the answers and at all of them, computed afresh (goal: the same count);
- times one uncached computation of the dashboard's figures and of the index page;
- starts gunicorn on the platform plus the trivial view of mapping_bench_site and measures,
  in interleaved rounds, the trivial view, ``/resultados/`` and the index page
  ``/resultados/santa-anita/percepcion/`` as anonymous visitors, both served from the cache
  (goal: ≥ 0.8 of the trivial view).

Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mapping_map import _free_port, _setup, _wait, start_gunicorn

DASHBOARD = "/resultados/"
INDEX = "/resultados/santa-anita/percepcion/"


# Visitors keep the CSRF cookie the first page set, as browsers do; the kept page then only
# masks that visitor's secret instead of minting one per request.
COOKIE = "csrftoken=" + "b" * 32


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": COOKIE})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return len(body)


def _populate(total: int) -> dict[str, tuple[int, int]]:
    """Record the answers; return the query counts at a tenth of them and at all of them."""
    import random

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from interventions import dashboard, demo_perception
    from interventions.perception import services
    from platform_app.models import District

    call_command("migrate", verbosity=0)
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    for sector, population in zip(
        district.sectors.order_by("number"), demo_perception.POPULATIONS, strict=False
    ):
        services.sector_population_set(
            actor=None, sector=sector, population=population, source="benchmark", year=2025
        )
    version = services.questionnaire_publish(
        district=district,
        title="Encuesta de percepción",
        consent_text=demo_perception.CONSENT,
        questions=[
            services.QuestionData(code=c, dimension=d, scale=s, in_index=i, text=t)
            for c, d, s, i, t in demo_perception.QUESTIONS
        ],
        by=None,
    )
    today = timezone.localdate()
    waves = [
        services.wave_create(
            actor=None,
            district=district,
            name=name,
            kind=kind,
            questionnaire=version,
            starts_on=today - timedelta(days=days),
            ends_on=today - timedelta(days=days - 20),
        )
        for name, kind, days in (
            ("Línea de base", "baseline", 400),
            ("Seguimiento", "follow_up", 30),
        )
    ]
    sectors = list(district.sectors.order_by("number"))
    rng = random.Random(7)

    def record(count: int, start: int) -> None:
        for wave_index, wave in enumerate(waves):
            answers = [
                services.Answer(
                    client_uuid=uuid.uuid4(),
                    answers=demo_perception._answers(rng, 3.0 + 0.4 * wave_index),
                    collected_on=wave.starts_on,
                    sector=sectors[(start + n) % len(sectors)],
                    age_band=rng.choice(["18_29", "30_44", "45_59", "60_plus", ""]),
                    sex=rng.choice(["female", "male", ""]),
                )
                for n in range(count // len(waves))
            ]
            services.perception_responses_bulk_record(
                wave=wave, answers=answers, channel="volunteer"
            )

    def queries() -> tuple[int, int]:
        cache.clear()
        with CaptureQueriesContext(connection) as figures:
            dashboard.figures_by_district([district.pk])
            dashboard.sector_rows(district)
        with CaptureQueriesContext(connection) as page:
            Client().get(INDEX)
        return len(figures), len(page)

    record(total // 10, 0)
    counts = {"tenth": queries()}
    record(total - total // 10, total // 10)
    counts["all"] = queries()
    cache.clear()
    t0 = time.perf_counter()
    dashboard.figures_by_district([district.pk])
    dashboard.sector_rows(district)
    t1 = time.perf_counter()
    Client().get(INDEX)
    t2 = time.perf_counter()
    print(f"uncached: dashboard figures {1000 * (t1 - t0):.0f} ms,", end=" ")
    print(f"index page {1000 * (t2 - t1):.0f} ms")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=500, help="per endpoint")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-impact-")
    env = _setup(tmp)
    started = time.perf_counter()
    counts = _populate(args.answers)
    print(f"{args.answers} answers in {time.perf_counter() - started:.1f} s ({tmp})")
    for label, (figures, page) in counts.items():
        print(f"queries at {label:>5} of the answers: figures {figures}, index page {page}")
    print(f"goal: queries do not grow → {'met' if counts['tenth'] == counts['all'] else 'NOT met'}")

    port = _free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        _wait(port)
        endpoints = {"trivial": "/bench/trivial", "dashboard": DASHBOARD, "index": INDEX}
        for url in endpoints.values():  # warm up (and fill the caches)
            for _ in range(5):
                _get(port, url)
        rates: dict[str, list[float]] = {name: [] for name in endpoints}
        per_round = max(1, args.requests // args.rounds)
        # Interleaved rounds, medians of the per-round ratios (as bench/mapping_map.py).
        for _ in range(args.rounds):
            for name, url in endpoints.items():
                t0 = time.perf_counter()
                for _ in range(per_round):
                    _get(port, url)
                rates[name].append(per_round / (time.perf_counter() - t0))
        print(
            f"gunicorn, {args.workers} sync worker(s), SQLite, {args.rounds} rounds × {per_round}"
        )
        ratios = {}
        for name in endpoints:
            ratios[name] = statistics.median(
                a / b for a, b in zip(rates[name], rates["trivial"], strict=True)
            )
            rate = statistics.median(rates[name])
            print(f"{name:>10}: {rate:7.1f} req/s  ratio {ratios[name]:4.2f}")
        met = all(ratios[name] >= 0.8 for name in ("dashboard", "index"))
        print(f"goal: dashboard and index ≥ 0.8 of trivial → {'met' if met else 'NOT met'}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
