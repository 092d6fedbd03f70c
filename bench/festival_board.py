"""Benchmark of the festival's live board while the judges score.

    .venv/bin/python bench/festival_board.py [--clients 16] [--seconds 4] [--rounds 3]
                                             [--workers 2] [--threads 8]
                                             [--judge-interval 0.2]

Builds a fresh SQLite database in a temporary folder (never touches data/) with a festival
of 5 stages × 20 teams and 9 judges (the first stage already scored and locked, so its
board shows results; the other judges are scoring their stages), starts gunicorn on the
platform plus one trivial view (festival_bench_site.py) and measures, in interleaved
rounds, with the judges submitting scores through the tablet endpoint all the time:

- trivial: ``--clients`` concurrent clients on a Django view that returns "ok";
- board: the same clients polling the live boards of the five stages (the htmx fragment).

It prints both throughputs, the board's ratio to the trivial view (goal ≥ 0.8) and the
judges' submit latency percentiles under that load (goal: p95 < 150 ms). Not a test:
timings depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = "benchbenchbenchbenchbenchbench12"  # a 32-character CSRF secret for the judges


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(tmp: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": tmp,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "festival_bench_site",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV"):
        env.pop(name, None)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    return env


def _populate() -> tuple[list[int], list[dict[str, object]]]:
    """The festival; returns the stage ids and, per scoring judge, what it needs to post."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from festival.models import Criterion, Edition, Judge, Proposal, Stage, Team
    from festival.services import score_submit, stage_lock
    from mapping.models import PublicSpace
    from platform_app.models import District, Organization, User
    from platform_app.permissions import Role
    from platform_app.services import user_grant_role

    call_command("migrate", verbosity=0)
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    now = timezone.now()
    edition = Edition.objects.create(
        district=district,
        name="Zapatea Santa Anita (benchmark)",
        year=2026,
        registration_opens_at=now - timedelta(days=30),
        registration_closes_at=now - timedelta(days=1),
        starts_on=now.date(),
        ends_on=now.date(),
        workshop_attendance_required=False,
    )
    criteria = [
        Criterion.objects.create(edition=edition, name=f"Criterio {i}", weight=i, order=i)
        for i in range(1, 6)
    ]
    coordinator = User.objects.create_user("coordinacion@example.org", district=district)
    user_grant_role(user=coordinator, role=Role.COORDINATOR, district=district)
    stages = []
    for sector in district.sectors.order_by("number"):
        space = PublicSpace.objects.create(
            district=district,
            sector=sector,
            sector_set_by_hand=True,
            name=f"Parque {sector.number}",
            category=PublicSpace.Category.PARK,
            geometry={"type": "Point", "coordinates": [-76.965, -12.043]},
        )
        stage = Stage.objects.create(
            edition=edition,
            sector=sector,
            name=f"Sede {sector.number}",
            starts_at=now,
            location=space,
        )
        stages.append(stage)
        for slot in range(1, 21):
            organization = Organization.objects.create(
                district=district,
                sector=sector,
                name=f"Org {sector.number}-{slot}",
                typology=Organization.Typology.CULTURAL,
                status=Organization.Status.VERIFIED,
            )
            team = Team.objects.create(
                edition=edition,
                organization=organization,
                sector=sector,
                name=f"Elenco {sector.number}-{slot}",
                representative=coordinator,
                dance_style=Team.DanceStyle.HUAYLAS,
                status=Team.Status.CONFIRMED,
                stage=stage,
                slot=slot,
                dancers_youth=10,
            )
            Proposal.objects.create(team=team, public_space=space, what="-", why="-", who="-")
    judges = []
    # Nine judges: two per stage, one on the fifth.
    for i, stage in enumerate([s for s in stages for _ in range(2)][:9]):
        user = User.objects.create_user(f"jurado{i}@example.org", district=district)
        user_grant_role(user=user, role=Role.JUDGE, district=district)
        judges.append(Judge.objects.create(edition=edition, user=user, stage=stage))
    for judge in judges[:2]:  # the first stage is scored and locked: its board shows results
        for team in stages[0].teams.all():
            score_submit(
                user=judge.user,
                team_id=team.pk,
                values={str(c.pk): 5 + (team.slot + c.order) % 5 for c in criteria},
                client_updated_at=now,
                idempotency_key=uuid.uuid4().hex,
            )
    stage_lock(stage=stages[0], actor=coordinator)
    scoring = []
    for judge in judges[2:]:
        client = Client()
        client.force_login(judge.user)
        scoring.append(
            {
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "teams": list(judge.stage.teams.values_list("pk", flat=True)),
                "criteria": [c.pk for c in criteria],
            }
        )
    return [s.pk for s in stages], scoring


class Load:
    """Keep-alive HTTP clients in threads; each thread has its own connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stop = threading.Event()

    def _conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def reader(self, paths: list[str], counter: list[int]) -> None:
        conn = self._conn()
        i = 0
        while not self.stop.is_set():
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{paths[i % len(paths)]}: HTTP {response.status}")
            counter[0] += 1
            i += 1
        conn.close()

    def judge(self, judge: dict[str, object], latencies: list[float], interval: float) -> None:
        conn = self._conn()
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": CSRF,
            "Cookie": f"sessionid={judge['session']}; csrftoken={CSRF}",
        }
        teams, criteria = judge["teams"], judge["criteria"]
        i = 0
        while not self.stop.is_set():
            body = json.dumps(
                {
                    "team": teams[i % len(teams)],
                    "values": {str(c): 1 + (i + c) % 10 for c in criteria},
                    "client_updated_at": _iso_now(),
                    "idempotency_key": uuid.uuid4().hex,
                }
            )
            t0 = time.perf_counter()
            conn.request("POST", "/festival/jurado/puntaje/", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"judge submit: HTTP {response.status} {payload[:200]!r}")
            latencies.append(time.perf_counter() - t0)
            i += 1
            time.sleep(interval)
        conn.close()


def _iso_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/trivial")
            conn.getresponse().read()
            return
        except (ConnectionError, OSError):
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _run_phase(load: Load, paths: list[str], clients: int, seconds: float) -> tuple[float, int]:
    counters = [[0] for _ in range(clients)]
    load.stop.clear()
    threads = [
        threading.Thread(target=load.reader, args=(paths, counters[i]), daemon=True)
        for i in range(clients)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    load.stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    total = sum(c[0] for c in counters)
    return total / elapsed, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent board clients")
    parser.add_argument("--seconds", type=float, default=4.0, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (gthread)")
    parser.add_argument("--judge-interval", type=float, default=0.2, help="pause between scores")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-festival-")
    env = _setup(tmp)
    started = time.perf_counter()
    stage_ids, scoring = _populate()
    print(
        f"festival: 5 stages × 20 teams, 9 judges ({len(scoring)} scoring now) "
        f"in {time.perf_counter() - started:.1f} s ({tmp})"
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
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
        boards = [f"/festival/sedes/{pk}/tablero/fragmento/" for pk in stage_ids]
        load = Load(port)
        for path in [*boards, "/bench/trivial"]:  # warm up every worker's cache
            for _ in range(args.workers * 2):
                conn = http.client.HTTPConnection("127.0.0.1", port)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
        latencies: list[float] = []
        judge_stop = threading.Event()
        judge_load = Load(port)
        judge_load.stop = judge_stop
        judge_threads = [
            threading.Thread(
                target=judge_load.judge, args=(j, latencies, args.judge_interval), daemon=True
            )
            for j in scoring
        ]
        for t in judge_threads:
            t.start()
        time.sleep(args.seconds)  # the judges alone: their latency without the board's load
        quiet = sorted(x * 1000 for x in latencies)
        rates: dict[str, list[float]] = {"trivial": [], "board": []}
        measured_latencies: list[float] = []
        for _round in range(args.rounds):
            rates["trivial"].append(
                _run_phase(load, ["/bench/trivial"], args.clients, args.seconds)[0]
            )
            before = len(latencies)
            rates["board"].append(_run_phase(load, boards, args.clients, args.seconds)[0])
            measured_latencies.extend(latencies[before:])
        judge_stop.set()
        for t in judge_threads:
            t.join()
        trivial = statistics.fmean(rates["trivial"])
        board = statistics.fmean(rates["board"])
        ratio = board / trivial
        ms = sorted(x * 1000 for x in measured_latencies)
        p50 = ms[len(ms) // 2]
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(
            f"gunicorn, {args.workers} workers × {args.threads} threads, SQLite, local-memory "
            "cache; "
            f"{args.clients} board clients, {len(scoring)} judges scoring every "
            f"{args.judge_interval:.2f} s"
        )
        print(f"  trivial view : {trivial:8.1f} req/s")
        print(f"  live board   : {board:8.1f} req/s   ratio {ratio:4.2f}  (goal ≥ 0.8)")
        print(
            f"  judges' submit under board load: {len(ms)} scores, p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms  (goal p95 < 150 ms)"
        )
        if quiet:
            print(
                f"  judges' submit without board load: {len(quiet)} scores, "
                f"p50 {quiet[len(quiet) // 2]:.1f} ms, "
                f"p95 {quiet[min(len(quiet) - 1, int(len(quiet) * 0.95))]:.1f} ms"
            )
        print(
            f"goals: board ratio ≥ 0.8 → {'met' if ratio >= 0.8 else 'NOT met'}; "
            f"judges p95 < 150 ms → {'met' if p95 < 150 else 'NOT met'}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
