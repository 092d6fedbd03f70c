"""Benchmark of the whole platform at demo size and at the scale of all Lima.

    .venv/bin/python bench/lima.py [--reuse] [--seconds 1.5] [--rounds 3] [--clients 8]
                                   [--only SUBSTRING]

Builds two PostgreSQL databases (BENCH_DATABASE_SERVER, default
postgres://postgres@127.0.0.1:5432): ``bench_demo`` (migrate + ``seed_demo``) and
``bench_lima`` (a copy of it topped up by bench/lima_data.py to Lima's totals). With
``--reuse`` existing databases are kept. For each size it serves the platform as in
production (gunicorn with deploy/gunicorn.conf.py: 2 gthread workers × 4 threads, Redis as
the cache and broker on BENCH_REDIS_URL, default db 5, flushed before each size, DEBUG off)
plus one trivial view (mapping_bench_site.py), and prints for every public page, each demo
role's main page and every API list:

- its SQL query count (in-process, the second request: warm caches), at both sizes;
- requests per second with ``--clients`` keep-alive clients for ``--seconds`` per round,
  and its ratio to the trivial view measured in the same round (rounds interleave every
  target with the trivial view; min/median/max over the rounds);
- p50/p99 latency;
- Lima ÷ demo: the page's time per request at Lima size over demo size, each divided by the
  trivial view's time in the same run (so the machine's load cancels out).

The embedded settings with DATABASE_URL and REDIS_URL, not DJANGO_ENV=production: the
production profile redirects to HTTPS and sets Secure cookies, which a plain-HTTP load
generator cannot follow; the middleware, cache, sessions and database are the same.

Not a test: timings depend on the machine (the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
PORT = int(os.environ.get("BENCH_PORT", "8500"))
SIZES = {"demo": "bench_demo", "lima": "bench_lima"}
TRIVIAL = "/bench/trivial"

# Each demo login's main page: where that role spends its working day.
ROLE_PAGES = {
    "coordinator": "platform_app:platform-home",
    "desk": "platform_app:desk",
    "surveyor": "mapping:assignment-mine",
    "reviewer": "mapping:review-queue",
    "judge": "festival:judge",
    "member": "platform_app:agreement-mine",
    "representative": "festival:home",
    "resident": "mapping:report-create",
}


def server_env(database: str, *, redis_url: str = REDIS_URL, port: int = PORT) -> dict[str, str]:
    """The environment of the platform served as in production on ``database``."""
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{database}",
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "mapping_bench_site",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummymail://",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    env.pop("DJANGO_ENV", None)
    return env


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _exists(database: str) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    return row is not None


def gunicorn_start(env: dict[str, str], log: IO[str]) -> subprocess.Popen[bytes]:
    """Gunicorn with production's configuration (deploy/gunicorn.conf.py), read from ``env``;
    its access log goes to ``log``."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "santaanita.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@contextlib.contextmanager
def serving(env: dict[str, str], log_name: str) -> Iterator[None]:
    """The platform served with ``env`` (``server_env``), from when it answers until the
    block ends; gunicorn's log in the temporary folder under ``log_name``."""
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    with (Path(tempfile.gettempdir()) / log_name).open("w") as log:
        server = gunicorn_start(env, log)
        try:
            _wait(port)
            yield
        finally:
            server.terminate()
            server.wait(timeout=20)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def build(reuse: bool) -> None:
    """The demo database, then Lima's as a copy of it topped up."""
    demo, lima = SIZES["demo"], SIZES["lima"]
    if reuse and _exists(demo):
        _manage(server_env(demo), "migrate", "--verbosity", "0")  # the code may have moved on
    else:
        started = time.perf_counter()
        psql(f"DROP DATABASE IF EXISTS {demo} WITH (FORCE)")
        psql(f"CREATE DATABASE {demo}")
        _manage(server_env(demo), "migrate", "--verbosity", "0")
        _manage(server_env(demo), "seed_demo")
        print(f"demo database built in {time.perf_counter() - started:.0f} s", flush=True)
    if reuse and _exists(lima):
        _manage(server_env(lima), "migrate", "--verbosity", "0")
    else:
        started = time.perf_counter()
        psql(f"DROP DATABASE IF EXISTS {lima} WITH (FORCE)")
        psql(f"CREATE DATABASE {lima} TEMPLATE {demo}")
        subprocess.run(
            [sys.executable, str(BENCH / "lima_data.py")],
            env=server_env(lima),
            cwd=ROOT,
            check=True,
        )
        print(f"Lima database built in {time.perf_counter() - started:.0f} s", flush=True)


def _targets_child() -> None:
    """In a child process on one database: the pages to measure, each role's session
    cookie, and every target's query count (second request, warm caches), as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from festival.models import Edition, Stage
    from mapping.models import PublicSpace
    from platform_app.models import District, User

    home = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    space = PublicSpace.objects.filter(district=home).order_by("pk").first()
    edition = Edition.objects.filter(district=home).order_by("-year").first()
    stage = Stage.objects.filter(edition=edition).order_by("pk").first()
    assert space is not None
    assert stage is not None
    public = {
        "home": "/",
        "map page": reverse("mapping:space-map"),
        "map layer (district)": f"/api/spaces/?district={home.ubigeo}&geometry=centroid",
        "directory": reverse("platform_app:organization-directory"),
        "directory, last page": reverse("platform_app:organization-directory") + "?page=9999",
        "space page": reverse("mapping:space-detail", args=[space.pk]),
        "festival home": reverse("festival:home"),
        "festival results": reverse("festival:results"),
        "stage board": reverse("festival:board", args=[stage.pk]),
        "board fragment": reverse("festival:board-fragment", args=[stage.pk]),
        "results": reverse("interventions:results"),
        "district comparison": reverse("interventions:results-compare"),
        "registration form": reverse("platform_app:organization-register"),
        "districts": reverse("platform_app:district-list"),
        "companies": reverse("interventions:company-list"),
        "interventions": reverse("interventions:intervention-list"),
        "open data": reverse("interventions:open-data"),
    }
    sessions: dict[str, str] = {}
    targets: list[dict[str, object]] = [{"name": "trivial", "path": TRIVIAL, "role": ""}]
    targets += [{"name": n, "path": p, "role": ""} for n, p in public.items()]
    for role, url_name in ROLE_PAGES.items():
        client = Client()
        client.force_login(User.objects.get(email=f"{role}@example.org"))
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        targets.append({"name": f"{role}: main page", "path": reverse(url_name), "role": role})
    coordinator = Client()
    coordinator.cookies[settings.SESSION_COOKIE_NAME] = sessions["coordinator"]
    root = coordinator.get("/api/", HTTP_ACCEPT="application/json").json()
    for name, url in sorted(root.items()):
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        targets.append({"name": f"API {name}", "path": f"/{path}", "role": "coordinator"})
    kept = []
    for target in targets:
        client = Client()
        if target["role"]:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[str(target["role"])]
        headers = {"HTTP_ACCEPT": "application/json"} if "/api/" in str(target["path"]) else {}
        first = client.get(target["path"], **headers)
        if first.status_code != 200:
            print(f"  skipped {target['name']} ({target['path']}): HTTP {first.status_code}")
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(target["path"], **headers)
        target["queries"] = len(queries)
        kept.append(target)
    json.dump({"targets": kept, "sessions": sessions}, sys.stdout)


def _targets(database: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--targets-child"],
        env=server_env(database),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    *notes, payload = result.stdout.strip().splitlines()
    for note in notes:
        print(note)
    return json.loads(payload)


def _closed_loop(path: str, cookie: str, clients: int, seconds: float) -> tuple[float, list]:
    """``clients`` keep-alive connections asking for ``path`` for ``seconds``."""
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    # As a browser asks: compressed where the platform compresses (its cost is measured).
    headers = {"Accept-Encoding": "gzip, br"}
    if path.startswith("/api/"):
        headers["Accept"] = "application/json"
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (ConnectionError, http.client.HTTPException):
                # A worker replaced after its max_requests closes its kept-alive
                # connections; a browser reconnects, and so does this client.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                continue
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
            latencies[k].append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(errors[0])
    flat = [x for per in latencies for x in per]
    return len(flat) / elapsed, flat


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _wait(port: int = PORT) -> None:
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", TRIVIAL)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def measure(size: str, args: argparse.Namespace) -> dict[str, dict]:
    """Query counts, then interleaved rounds on gunicorn, for one database."""
    import redis

    database = SIZES[size]
    redis.Redis.from_url(REDIS_URL).flushdb()
    found = _targets(database)
    targets = [t for t in found["targets"] if args.only in t["name"] or t["name"] == "trivial"]
    sessions = found["sessions"]
    results: dict[str, dict] = {
        t["name"]: {"queries": t["queries"], "rates": [], "ratios": [], "latencies": []}
        for t in targets
    }
    with serving(server_env(database), f"bench-lima-gunicorn-{size}.log"):
        for t in targets:  # warm every worker's caches and connections
            _closed_loop(t["path"], sessions.get(t["role"], ""), 4, 0.3)
        for _round in range(args.rounds):
            trivial_rates = []
            for i, t in enumerate(targets):
                if i % 6 == 0:  # the yardstick again every few targets, for a fair ratio
                    rate, latencies = _closed_loop(TRIVIAL, "", args.clients, args.seconds)
                    trivial_rates.append(rate)
                    results["trivial"]["latencies"].extend(latencies)
                if t["name"] == "trivial":
                    continue
                rate, latencies = _closed_loop(
                    t["path"], sessions.get(t["role"], ""), args.clients, args.seconds
                )
                entry = results[t["name"]]
                entry["rates"].append(rate)
                entry["latencies"].extend(latencies)
                entry["trivial"] = trivial_rates[-1]
                entry["ratios"].append(rate / trivial_rates[-1])
            results["trivial"]["rates"].extend(trivial_rates)
            results["trivial"]["ratios"].extend([1.0] * len(trivial_rates))
            print(f"  {size}: round {_round + 1}/{args.rounds} done", flush=True)
    for t in targets:
        results[t["name"]]["path"] = t["path"]
    return results


def report(results: dict[str, dict[str, dict]]) -> None:
    demo, lima = results.get("demo", {}), results.get("lima", {})
    print(
        f"{'target':34} {'queries':>9} {'req/s':>7} {'ratio min/med/max':>19} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'L÷D':>5}"
    )
    for name, entry in lima.items() or demo.items():
        d = demo.get(name, {})
        queries = f"{d.get('queries', '-')}/{entry['queries']}"
        rates, ratios = entry["rates"], entry["ratios"]
        lat = [x * 1000 for x in entry["latencies"]] or [0.0]
        growth = "-"
        if d.get("ratios") and ratios and name != "trivial":
            growth = f"{statistics.median(d['ratios']) / statistics.median(ratios):.2f}"
        ratio = (
            f"{min(ratios):.2f}/{statistics.median(ratios):.2f}/{max(ratios):.2f}"
            if ratios
            else "-"
        )
        print(
            f"{name[:34]:34} {queries:>9} {statistics.median(rates):7.0f} {ratio:>19} "
            f"{_pct(lat, 0.5):7.1f} {_pct(lat, 0.99):7.1f} {growth:>5}"
        )


def main() -> None:
    if sys.argv[1:] == ["--targets-child"]:
        _targets_child()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep existing databases")
    parser.add_argument("--seconds", type=float, default=1.5, help="per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8, help="keep-alive clients")
    parser.add_argument("--only", default="", help="measure only targets whose name has this")
    parser.add_argument("--sizes", default="demo,lima")
    parser.add_argument(
        "--json", default=str(Path(tempfile.gettempdir()) / "bench-lima.json"), help="raw figures"
    )
    args = parser.parse_args()
    sys.path[:0] = [str(BENCH), str(ROOT)]
    build(args.reuse)
    print(f"load average before: {os.getloadavg()}", flush=True)
    results = {size: measure(size, args) for size in args.sizes.split(",")}
    print(f"load average after: {os.getloadavg()} ({os.cpu_count()} CPUs)")
    print(
        f"gunicorn 2 gthread workers × 4 threads, PostgreSQL, Redis cache; {args.clients} "
        f"keep-alive clients on the same machine, {args.rounds} rounds × {args.seconds} s; "
        "queries demo/Lima; ratio to the trivial view; L÷D = Lima time ÷ demo time"
    )
    report(results)
    Path(args.json).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
