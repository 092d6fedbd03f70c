"""Benchmark of the festival's live board while the judges score.

    .venv/bin/python bench/festival_board.py [--database sqlite|lima]
                                             [--clients 16] [--seconds 4] [--rounds 3]
                                             [--workers 2] [--threads 8]
                                             [--judge-interval 0.2]
                                             [--board-rate 200] [--load-threads 4]
                                             [--load-seconds 10] [--load-nice 10]
                                             [--redis-url URL] [--profile N]

Builds a festival of 5 stages × 20 teams and 9 judges (the first stage already scored and
locked, so its board shows results; the other judges are scoring their stages), starts
gunicorn on the platform plus one trivial view (festival_bench_site.py) and measures, in
interleaved rounds, with the judges submitting scores through the tablet endpoint all the
time:

- trivial: ``--clients`` concurrent clients on a Django view that returns "ok";
- board: the same clients polling the live boards of the five stages (the htmx fragment).

It prints both throughputs and the board's ratio to the trivial view (goal ≥ 0.8).

The judges' latency goal (p95 < 150 ms) is measured in separate phases of the same run,
because saturating clients on the same machine measure the load generator starving the
server rather than the board's cost:

- baseline: the judges alone, no board load;
- public load: an open-loop, rate-limited load of ``--board-rate`` board requests per
  second (default 200 ≈ 1,000 spectators' phones polling every 5 s), sent on a fixed
  schedule by ``--load-threads`` keep-alive connections in a separate process running at
  a lower OS priority (``os.nice(--load-nice)``), while the judges submit as before. Board
  latencies are measured from each request's scheduled time (no coordinated omission).

Where the festival lives (``--database``):

- ``sqlite`` (default): a fresh SQLite database in a temporary folder (never touches
  data/), local-memory cache, gunicorn with ``--workers`` × ``--threads`` (2 × 8).
- ``lima``: a throwaway PostgreSQL copy ``bench_judges`` of ``bench_lima`` (built by
  bench/lima.py; the copy is dropped at the end, ``bench_lima`` is never written to), the
  festival added beside Lima's data, served as in production by bench/lima.py's serving
  code: gunicorn with deploy/gunicorn.conf.py (2 gthread workers × 4 threads unless
  ``--workers``/``--threads`` say otherwise, ``max_requests`` included), Redis as the
  cache on ``--redis-url`` (flushed first), DEBUG off. ``--profile N`` then scores N times
  in-process with Django's test client under cProfile and prints where the time goes.

Not a test: timings depend on the machine (the load average is printed).
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
JUDGES_DATABASE = "bench_judges"
# A Redis database of its own, so that it can run beside bench/lima.py (db 5).
REDIS_URL = os.environ.get("BENCH_JUDGES_REDIS_URL", "redis://127.0.0.1:6379/11")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sqlite_env(tmp: str) -> dict[str, str]:
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
    return env


def _setup(env: dict[str, str]) -> None:
    """This process becomes the platform on ``env`` (to build the festival in-process)."""
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]


def _lima_copy() -> None:
    """``bench_judges``, a throwaway copy of ``bench_lima`` that the festival is added to."""
    import lima
    import psycopg

    lima.psql(f"DROP DATABASE IF EXISTS {JUDGES_DATABASE} WITH (FORCE)")
    waited = 0
    while True:
        try:
            lima.psql(f"CREATE DATABASE {JUDGES_DATABASE} TEMPLATE {lima.SIZES['lima']}")
            return
        except psycopg.errors.ObjectInUse:
            # PostgreSQL copies a template only while no one else is connected to it (a
            # lima.py run serving it, say); wait for it rather than fail at once.
            if waited >= 600:
                raise
            if waited == 0:
                print(f"{lima.SIZES['lima']} is in use; waiting to copy it…", flush=True)
            time.sleep(10)
            waited += 10


def _lima_drop() -> None:
    import lima
    from django.db import connections

    connections.close_all()
    lima.psql(f"DROP DATABASE IF EXISTS {JUDGES_DATABASE} WITH (FORCE)")


def _populate() -> tuple[list[int], list[dict[str, object]]]:
    """The festival; returns the stage ids and, per scoring judge, what it needs to post."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Max
    from django.test import Client
    from django.utils import timezone

    from festival.models import Criterion, Edition, Judge, Proposal, Stage, Team
    from festival.services.scoring import score_submit
    from festival.services.stages import stage_lock
    from mapping.models import PublicSpace
    from platform_app.models import District, Organization, User
    from platform_app.permissions import Role
    from platform_app.services.places import user_grant_role

    call_command("migrate", verbosity=0)
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    now = timezone.now()
    # One edition a year: at Lima scale the district already has this year's and last year's.
    latest = Edition.objects.filter(district=district).aggregate(year=Max("year"))["year"]
    edition = Edition.objects.create(
        district=district,
        name="Zapatea Santa Anita (benchmark)",
        year=(latest or 2025) + 1,
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
    # Names of its own: at Lima scale the district already has judges and parks numbered so.
    coordinator = User.objects.create_user("coordinacion@bench.example.org", district=district)
    user_grant_role(user=coordinator, role=Role.COORDINATOR, district=district)
    stages = []
    for sector in district.sectors.order_by("number"):
        space = PublicSpace.objects.create(
            district=district,
            sector=sector,
            sector_set_by_hand=True,
            name=f"Parque {sector.number} (benchmark)",
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
        user = User.objects.create_user(f"jurado{i}@bench.example.org", district=district)
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
                submit=True,  # the stage closes only on submitted sheets
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


def _score_body(judge: dict[str, object], i: int) -> str:
    """The judge's ``i``-th change, as the tablet sends it: the teams in turn."""
    teams, criteria = judge["teams"], judge["criteria"]
    assert isinstance(teams, list)
    assert isinstance(criteria, list)
    return json.dumps(
        {
            "team": teams[i % len(teams)],
            "values": {str(c): 1 + (i + c) % 10 for c in criteria},
            "client_updated_at": _iso_now(),
            "idempotency_key": uuid.uuid4().hex,
        }
    )


def _ask(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPConnection, int, bytes, bool]:
    """One request on a kept-alive connection: (connection, status, body, reconnected).

    In production's configuration a gunicorn worker is replaced after its ``max_requests``
    and closes its kept-alive connections; a phone or a tablet reconnects and sends again,
    and so does this client. Sending a judge's change again is safe: its idempotency key.
    """
    reconnected = False
    for _attempt in range(3):
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return conn, response.status, response.read(), reconnected
        except (ConnectionError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(conn.host, conn.port, timeout=conn.timeout)
            reconnected = True
    raise RuntimeError(f"{method} {path}: the connection failed three times")


class Load:
    """Keep-alive HTTP clients in threads; each thread has its own connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.resent = [0]  # judges' changes sent again on a new connection

    def _conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def reader(self, paths: list[str], counter: list[int]) -> None:
        conn = self._conn()
        i = 0
        while not self.stop.is_set():
            conn, status, _body, _ = _ask(conn, "GET", paths[i % len(paths)])
            if status != 200:
                raise RuntimeError(f"{paths[i % len(paths)]}: HTTP {status}")
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
        i = 0
        while not self.stop.is_set():
            body = _score_body(judge, i)
            t0 = time.perf_counter()
            conn, status, payload, reconnected = _ask(
                conn, "POST", "/festival/jurado/puntaje/", body, headers
            )
            if status != 200:
                raise RuntimeError(f"judge submit: HTTP {status} {payload[:200]!r}")
            latencies.append(time.perf_counter() - t0)
            self.resent[0] += reconnected
            i += 1
            time.sleep(interval)
        conn.close()


def _open_loop(port: int, paths: list[str], rate: float, seconds: float, threads: int) -> dict:
    """Send ``rate`` requests per second for ``seconds`` on a fixed schedule.

    Each of ``threads`` keep-alive connections owns every ``threads``-th slot of the
    schedule; a request's latency runs from its scheduled time, so a slow server (or a
    late generator) shows up as latency instead of silently lowering the offered load.
    """
    interval = threads / rate
    start = time.perf_counter() + 0.05
    results: list[list[float]] = [[] for _ in range(threads)]
    errors = [0]
    reconnects = [0]

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while True:
            scheduled = start + k / rate + n * interval
            if scheduled - start >= seconds:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            conn, status, _body, reconnected = _ask(
                conn, "GET", paths[(n * threads + k) % len(paths)]
            )
            if status != 200:
                errors[0] += 1
            reconnects[0] += reconnected
            results[k].append(time.perf_counter() - scheduled)
            n += 1
        conn.close()

    workers = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - start
    return {
        "latencies": [x for r in results for x in r],
        "elapsed": elapsed,
        "errors": errors[0],
        "reconnects": reconnects[0],
        "cpu": time.process_time(),
    }


def _board_load_child(argv: list[str]) -> None:
    """``festival_board.py --board-load-child PORT RATE SECONDS THREADS NICE PATH...``"""
    port, rate, seconds, threads, nice = argv[:5]
    os.nice(int(nice))
    result = _open_loop(int(port), argv[5:], float(rate), float(seconds), int(threads))
    json.dump(result, sys.stdout)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


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


def _profile(judge: dict[str, object], count: int) -> None:
    """``count`` scores by one judge in-process with Django's test client, under cProfile:
    where a submit's time goes, without HTTP, gunicorn or other load."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = str(judge["session"])

    def submit(i: int) -> None:
        response = client.post(
            "/festival/jurado/puntaje/", _score_body(judge, i), content_type="application/json"
        )
        if response.status_code != 200:
            raise RuntimeError(f"judge submit: HTTP {response.status_code}")

    submit(0)  # the first request of a process pays for imports and URL resolving
    runs = []
    for i in range(count):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            submit(i + 1)
            wall = (time.perf_counter() - t0) * 1000
        runs.append((wall, [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries]))
    runs.sort(key=lambda run: run[0])
    wall, sql = runs[len(runs) // 2]
    print(
        f"{count} submits in-process (Django's test client, no HTTP): p50 {wall:.1f} ms, "
        f"p95 {_pct([w for w, _ in runs], 0.95):.1f} ms; the median one ran {len(sql)} "
        f"queries, {sum(t for t, _ in sql):.1f} ms in SQL:"
    )
    for took, text in sql:
        print(f"  {took:6.1f} ms  {text[:150]}")
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for i in range(count):
        submit(count + i + 1)
    profiler.disable()
    print(
        f"{count} submits under cProfile: {(time.perf_counter() - t0) / count * 1000:.1f} ms each"
    )
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)


def _serve(args: argparse.Namespace, port: int, env: dict[str, str]) -> subprocess.Popen:
    if args.database == "lima":
        import lima

        log = (Path(tempfile.gettempdir()) / "bench-festival-gunicorn.log").open("w")
        return lima.gunicorn_start(env, log)
    return subprocess.Popen(
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


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--board-load-child":
        _board_load_child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        choices=("sqlite", "lima"),
        default="sqlite",
        help="a fresh SQLite festival, or the festival beside Lima's data on PostgreSQL",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent board clients")
    parser.add_argument("--seconds", type=float, default=4.0, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default 2 for both databases)"
    )
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default 8 on SQLite, 4 on Lima's)"
    )
    parser.add_argument("--judge-interval", type=float, default=0.2, help="pause between scores")
    parser.add_argument(
        "--board-rate",
        type=float,
        default=200.0,
        help="public load phase: board requests per second (200 ≈ 1,000 phones every 5 s)",
    )
    parser.add_argument(
        "--load-threads", type=int, default=4, help="keep-alive connections of the public load"
    )
    parser.add_argument(
        "--load-seconds", type=float, default=10.0, help="judges' baseline and public load phase"
    )
    parser.add_argument(
        "--load-nice", type=int, default=10, help="os.nice increment of the load generator"
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help="Lima's: the cache, flushed first")
    parser.add_argument(
        "--profile", type=int, default=0, help="then profile N submits in-process (cProfile)"
    )
    args = parser.parse_args()
    port = _free_port()
    if args.database == "lima":
        import lima
        import redis

        args.workers, args.threads = args.workers or 2, args.threads or 4
        env = {
            **lima.server_env(JUDGES_DATABASE, redis_url=args.redis_url, port=port),
            "DJANGO_SETTINGS_MODULE": "festival_bench_site",
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_THREADS": str(args.threads),
        }
        where = f"{JUDGES_DATABASE}, a copy of {lima.SIZES['lima']}"
        served = (
            f"gunicorn with deploy/gunicorn.conf.py, {args.workers} workers × {args.threads} "
            f"threads, PostgreSQL ({JUDGES_DATABASE}: Lima's data), Redis cache"
        )
    else:
        args.workers, args.threads = args.workers or 2, args.threads or 8
        where = tempfile.mkdtemp(prefix="bench-festival-")
        env = _sqlite_env(where)
        served = (
            f"gunicorn, {args.workers} workers × {args.threads} threads, SQLite, local-memory cache"
        )
    try:
        if args.database == "lima":
            _lima_copy()  # first: it may wait for bench_lima to be free
            redis.Redis.from_url(args.redis_url).flushdb()
        print(f"load average before: {os.getloadavg()} ({os.cpu_count()} CPUs)", flush=True)
        started = time.perf_counter()
        _setup(env)
        stage_ids, scoring = _populate()
        print(
            f"festival: 5 stages × 20 teams, 9 judges ({len(scoring)} scoring now) "
            f"in {time.perf_counter() - started:.1f} s ({where})"
        )
        if args.database == "lima":
            import lima_data

            from festival.models import ScoreSheet, Team

            print(
                f"{JUDGES_DATABASE} now holds (Lima and this festival): {lima_data.counts()}, "
                f"{Team.objects.count():,} teams, "
                f"{ScoreSheet.objects.count():,} score sheets in all"
            )
        server = _serve(args, port, env)
        try:
            _measure(args, port, served, stage_ids, scoring)
        finally:
            server.terminate()
            server.wait(timeout=20)
        print(f"load average after: {os.getloadavg()}", flush=True)
        if args.profile:
            _profile(scoring[0], args.profile)
    finally:
        if args.database == "lima":
            _lima_drop()


def _measure(
    args: argparse.Namespace,
    port: int,
    served: str,
    stage_ids: list[int],
    scoring: list[dict[str, object]],
) -> None:
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
    time.sleep(args.load_seconds)  # the judges alone: their latency without board load
    quiet = [x * 1000 for x in latencies]
    rates: dict[str, list[float]] = {"trivial": [], "board": []}
    measured_latencies: list[float] = []
    for _round in range(args.rounds):
        rates["trivial"].append(_run_phase(load, ["/bench/trivial"], args.clients, args.seconds)[0])
        before = len(latencies)
        rates["board"].append(_run_phase(load, boards, args.clients, args.seconds)[0])
        measured_latencies.extend(latencies[before:])
    time.sleep(1.0)  # let the server drain the saturating clients
    # Public load: open-loop, rate-limited board requests from a separate, niced
    # process (little CPU, few keep-alive connections), the judges scoring as before.
    before = len(latencies)
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--board-load-child",
            str(port),
            str(args.board_rate),
            str(args.load_seconds),
            str(args.load_threads),
            str(args.load_nice),
            *boards,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    public = json.loads(child.stdout)
    under_public = [x * 1000 for x in latencies[before:]]
    judge_stop.set()
    for t in judge_threads:
        t.join()
    trivial = statistics.fmean(rates["trivial"])
    board = statistics.fmean(rates["board"])
    ratio = board / trivial
    ms = [x * 1000 for x in measured_latencies]
    board_ms = [x * 1000 for x in public["latencies"]]
    achieved = len(board_ms) / public["elapsed"]
    p95_public = _pct(under_public, 0.95)
    print(
        f"{served}; {len(scoring)} judges scoring every {args.judge_interval:.2f} s "
        "throughout; client and server share the machine's CPUs"
    )
    print(f"throughput at saturation ({args.clients} closed-loop clients, {args.rounds} rounds):")
    print(f"  trivial view : {trivial:8.1f} req/s")
    print(f"  live board   : {board:8.1f} req/s   ratio {ratio:5.3f}  (goal ≥ 0.8)")
    print(
        f"  judges' submit meanwhile (informative: the generator starves the server): "
        f"p50 {_pct(ms, 0.5):.1f} ms, p95 {_pct(ms, 0.95):.1f} ms"
    )
    print(
        f"judges alone ({args.load_seconds:.0f} s, no board load): {len(quiet)} scores, "
        f"p50 {_pct(quiet, 0.5):.1f} ms, p95 {_pct(quiet, 0.95):.1f} ms, "
        f"p99 {_pct(quiet, 0.99):.1f} ms"
    )
    print(
        f"public load: open loop at {args.board_rate:.0f} board req/s offered "
        f"(assumption: {args.board_rate * 5:,.0f} phones polling every 5 s), "
        f"{args.load_threads} keep-alive connections in one process at nice "
        f"+{args.load_nice}, {args.load_seconds:.0f} s:"
    )
    print(
        f"  board        : {achieved:8.1f} req/s achieved, {public['errors']} errors, "
        f"p50 {_pct(board_ms, 0.5):.1f} ms, p95 {_pct(board_ms, 0.95):.1f} ms "
        f"(from scheduled time); generator CPU {public['cpu']:.1f} s"
    )
    print(
        f"  judges' submit: {len(under_public)} scores, p50 {_pct(under_public, 0.5):.1f} "
        f"ms, p95 {p95_public:.1f} ms, p99 {_pct(under_public, 0.99):.1f} ms, "
        f"max {max(under_public):.1f} ms  (goal p95 < 150 ms)"
    )
    if judge_load.resent[0] or public["reconnects"]:
        print(
            f"  reconnections after a worker's max_requests: {judge_load.resent[0]} judges' "
            f"changes sent again (their time counted), {public['reconnects']} board requests"
        )
    print(
        f"goals: board ratio ≥ 0.8 → {'met' if ratio >= 0.8 else 'NOT met'}; "
        f"judges p95 < 150 ms under {achieved:.0f} board req/s → "
        f"{'met' if p95_public < 150 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
