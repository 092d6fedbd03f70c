"""Lighthouse on a phone: the public pages and a judge's scoring screen at the scale of Lima.

    .venv/bin/python bench/mobile.py [--runs 3] [--size lima] [--static collected|embedded]
                                     [--only TEXT] [--port 8510] [--redis-db 10] [--json PATH]

Serves the PostgreSQL database that bench/lima.py built (``bench_lima``, or ``bench_demo``
with ``--size demo``; it is never built here, and written to only by the sign-in sessions
lima.py makes) exactly as lima.py does (its ``server_env`` and ``gunicorn_start``: gunicorn with
deploy/gunicorn.conf.py, Redis as the cache on database ``--redis-db``, flushed first,
DEBUG off, plain HTTP). The static files are, by default, collected and precompressed into
a temporary folder as a deployment's collectstatic leaves them (mobile_bench_site.py);
``--static embedded`` serves them from the apps' folders, as ``make run`` does. Every page
is asked for once before it is measured, as a visitor finds it on a site in use.

Then runs Lighthouse (bench/package.json; ``npm ci --prefix bench`` when it is missing) with
the machine's Chromium (``CHROME_PATH``, default /usr/bin/chromium; no browser is
downloaded), its default mobile form factor and simulated throttling, only the performance
category, ``--runs`` times per page, and prints the median of each figure: performance
score (min–max), LCP, CLS, TBT, FCP, Speed Index, the bytes transferred for HTML+CSS+fonts
and for JavaScript (``resource-summary``), each against its budget: HTML+CSS+fonts
≤ 100 KiB, JS ≤ 50 KiB on a page without a map (one that loads Leaflet), LCP ≤ 2.5 s,
CLS ≤ 0.1; for a page over a byte budget, its heaviest resources. The map's background
tiles come from another host, which this machine cannot reach: they are blocked
(``--blocked-url-patterns``) so that no run waits on them; the map is drawn without them.
The judge's screen is loaded with the judge's session cookie (``--extra-headers``), as
lima.py signs each demo role in.

Last, the window of spaces that the map page asked for on the phone's screen
(``/api/spaces/?bbox=…``, read from its Lighthouse run) as sent with
``Accept-Encoding: identity``, ``gzip``, ``br`` and ``gzip, br``.

Not a test: Lighthouse simulates a slow phone from what it observes, so a loaded machine
lengthens the figures (the load average and Lighthouse's benchmark index are printed).
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
# The pages a phone opens without signing in, by their names in lima.py, and the judge's
# scoring screen (lima.py's "judge: main page"), signed in.
PAGES = [
    "home",
    "map page",
    "directory",
    "space page",
    "festival home",
    "festival results",
    "stage board",
    "results",
    "district comparison",
    "registration form",
    "judge: main page",
]
KIB = 1024
BUDGETS = {"lcp": 2500.0, "cls": 0.1, "text": 100 * KIB, "js": 50 * KIB}


def _lighthouse_installed() -> None:
    if not LIGHTHOUSE.exists():
        print("installing Lighthouse (npm ci --prefix bench)", flush=True)
        subprocess.run(["npm", "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=True)


def _settings(env: dict[str, str]) -> dict[str, str]:
    """What the served settings say about the tile host and the session cookie."""
    code = (
        "import json; from django.conf import settings; print(json.dumps({"
        "'tiles': settings.MAP_TILES_ORIGIN, 'cookie': settings.SESSION_COOKIE_NAME}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; the body as sent (http.client decodes nothing)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _lighthouse(url: str, blocked: str, headers: dict[str, str], out: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--blocked-url-patterns={blocked}",
        "--quiet",
    ]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, env=env, check=True, timeout=300)
    return json.loads(out.read_text())


def _run(url: str, blocked: str, headers: dict[str, str], out: Path, tries: int = 3) -> dict:
    """The figures of one Lighthouse run; a run that Lighthouse itself gives up on (now and
    then NO_NAVSTART, a trace it failed to record) is made again."""
    for attempt in range(1, tries + 1):
        try:
            return _figures(_lighthouse(url, blocked, headers, out))
        except (subprocess.CalledProcessError, RuntimeError) as exc:
            if attempt == tries:
                raise
            print(f"    Lighthouse failed ({exc}); again", flush=True)
    raise AssertionError("unreachable")


def _figures(lhr: dict) -> dict:
    """The figures of one Lighthouse run."""
    audits = lhr["audits"]
    if lhr.get("runtimeError"):
        raise RuntimeError(lhr["runtimeError"])
    summary = {
        item["resourceType"]: item["transferSize"]
        for item in audits["resource-summary"]["details"]["items"]
    }
    requests = [
        {
            "url": item["url"],
            "type": item.get("resourceType", ""),
            "transfer": item.get("transferSize", 0),
            "size": item.get("resourceSize", 0),
            "status": item.get("statusCode", 0),
        }
        for item in audits["network-requests"]["details"]["items"]
    ]
    return {
        "score": round(lhr["categories"]["performance"]["score"] * 100),
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "si": audits["speed-index"]["numericValue"],
        "text": summary.get("document", 0) + summary.get("stylesheet", 0) + summary.get("font", 0),
        "js": summary.get("script", 0),
        "map": any("leaflet" in r["url"] for r in requests),
        "lcp_element": (
            (audits.get("largest-contentful-paint-element", {}).get("details") or {})
            .get("items", [{}])[0]
            .get("items", [{}])[0]
            .get("node", {})
            .get("snippet", "")
        ),
        # Lighthouse's measure of the machine's speed during the run (higher is faster): a
        # low one explains a slow run on a shared machine.
        "benchmark": lhr.get("environment", {}).get("benchmarkIndex", 0),
        "warnings": lhr.get("runWarnings", []),
        "requests": requests,
    }


def _median(runs: list[dict]) -> dict:
    return {
        **{
            k: statistics.median(r[k] for r in runs)
            for k in ("score", "lcp", "cls", "tbt", "fcp", "si", "text", "js", "benchmark")
        },
        "scores": [r["score"] for r in runs],
        "map": any(r["map"] for r in runs),
    }


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(results: dict[str, dict]) -> None:
    print(
        "| page | score (min–max) | LCP s | CLS | TBT ms | FCP s | SI s "
        "| HTML+CSS+fonts KiB | JS KiB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, entry in results.items():
        m = entry["median"]
        js = f"{m['js'] / KIB:.1f}"
        js += " (map)" if m["map"] else f" {_mark(m['js'] <= BUDGETS['js'])}"
        print(
            f"| {name} | {m['score']:.0f} ({min(m['scores'])}–{max(m['scores'])}) "
            f"| {m['lcp'] / 1000:.2f} {_mark(m['lcp'] <= BUDGETS['lcp'])} "
            f"| {m['cls']:.3f} {_mark(m['cls'] <= BUDGETS['cls'])} "
            f"| {m['tbt']:.0f} | {m['fcp'] / 1000:.2f} | {m['si'] / 1000:.2f} "
            f"| {m['text'] / KIB:.1f} {_mark(m['text'] <= BUDGETS['text'])} | {js} |"
        )


def heaviest(results: dict[str, dict]) -> None:
    """For a page over a byte budget, the resources that weigh most (its last run)."""
    for name, entry in results.items():
        m = entry["median"]
        kinds = []
        if m["text"] > BUDGETS["text"]:
            kinds += ["Document", "Stylesheet", "Font"]
        if m["js"] > BUDGETS["js"] and not m["map"]:
            kinds += ["Script"]
        if not kinds:
            continue
        print(f"{name}: over a byte budget; its heaviest resources")
        requests = [r for r in entry["runs"][-1]["requests"] if r["type"] in kinds]
        for r in sorted(requests, key=lambda r: -r["transfer"])[:6]:
            print(f"  {r['transfer'] / KIB:7.1f} KiB sent, {r['size'] / KIB:7.1f} KiB  {r['url']}")


def map_window(results: dict[str, dict], port: int) -> dict[str, object]:
    """The window of spaces the map page asked for, as sent in each encoding."""
    path = ""
    for run in results.get("map page", {}).get("runs", []):
        for r in run["requests"]:
            if "/api/spaces/" in r["url"] and "bbox=" in r["url"]:
                path = "/" + r["url"].split("://", 1)[1].split("/", 1)[1]
    if not path:
        return {}
    sizes: dict[str, object] = {"path": path}
    for encoding in ("identity", "gzip", "br", "gzip, br"):
        status, headers, body = _get(
            port,
            path,
            {"Accept": "application/geo+json, application/json", "Accept-Encoding": encoding},
        )
        assert status == 200, f"{path}: HTTP {status}"
        sizes[encoding] = (len(body), headers.get("content-encoding", "identity"))
    status, _, body = _get(port, path, {"Accept": "application/geo+json, application/json"})
    sizes["features"] = len(json.loads(body)["features"])
    return sizes


def measure(
    name: str,
    target: dict,
    sessions: dict[str, str],
    settings: dict[str, str],
    blocked: str,
    count: int,
    port: int,
) -> dict:
    """``count`` Lighthouse runs of one page, after one request that renders and keeps it."""
    role = str(target["role"])
    headers = {"Cookie": f"{settings['cookie']}={sessions[role]}"} if role else {}
    status, _, _ = _get(port, str(target["path"]), {"Accept-Encoding": "gzip, br", **headers})
    assert status == 200, f"{name}: HTTP {status}"
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-mobile-") as tmp:
        for k in range(count):
            t0 = time.perf_counter()
            url = f"http://127.0.0.1:{port}{target['path']}"
            figures = _run(url, blocked, headers, Path(tmp) / f"{k}.json")
            runs.append(figures)
            print(
                f"  {name} run {k + 1}/{count}: score {figures['score']}, "
                f"LCP {figures['lcp'] / 1000:.2f} s, CLS {figures['cls']:.3f}, "
                f"{figures['text'] / KIB:.1f} + {figures['js'] / KIB:.1f} KiB, "
                f"benchmark index {figures['benchmark']:.0f} "
                f"({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
            for warning in figures["warnings"]:
                print(f"    Lighthouse: {warning}")
    return {"path": target["path"], "runs": runs, "median": _median(runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page")
    parser.add_argument("--size", choices=["demo", "lima"], default="lima")
    parser.add_argument("--only", default="", help="measure only pages whose name has this")
    parser.add_argument(
        "--static",
        choices=["collected", "embedded"],
        default="collected",
        help="static files collected and precompressed, as a deployment serves them, or "
        "read from the apps' folders, as the embedded mode (make run) serves them",
    )
    parser.add_argument("--port", type=int, default=8510)
    parser.add_argument("--redis-db", type=int, default=10)
    parser.add_argument(
        "--json", default=str(Path(tempfile.gettempdir()) / "bench-mobile.json"), help="raw figures"
    )
    args = parser.parse_args()
    # lima.py reads its port and Redis database when it is imported: this benchmark's own,
    # so that it never touches a lima.py run's.
    os.environ["BENCH_PORT"] = str(args.port)
    os.environ["BENCH_REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    sys.path[:0] = [str(BENCH), str(ROOT)]
    lima = importlib.import_module("lima")
    import redis

    database = lima.SIZES[args.size]
    if not lima._exists(database):
        sys.exit(f"no database {database}: build it with bench/lima.py first")
    _lighthouse_installed()
    cache = redis.Redis.from_url(lima.REDIS_URL)
    cache.flushdb()

    print(f"{database}: the pages and the demo roles' sessions (lima.py)", flush=True)
    found = lima._targets(database)
    by_name = {t["name"]: t for t in found["targets"]}
    names = [n for n in PAGES if args.only in n]
    missing = [n for n in names if n not in by_name]
    if missing:
        sys.exit(f"not found: {', '.join(missing)}")

    with tempfile.TemporaryDirectory(prefix="bench-mobile-static-") as static:
        if args.static == "collected":
            env = {
                **lima.server_env(database),
                "DJANGO_SETTINGS_MODULE": "mobile_bench_site",
                "STATIC_ROOT": static,
            }
            print(f"collecting the static files into {static}", flush=True)
            lima._manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        else:
            env = lima.server_env(database)
        settings = _settings(env)
        blocked = settings["tiles"] + "/*"
        # lima.py's in-process requests kept pages that name the static files as the
        # embedded mode does; the served ones name the collected files.
        cache.flushdb()
        load_before = os.getloadavg()
        print(f"load average before: {load_before}", flush=True)
        with lima.serving(env, "bench-mobile-gunicorn.log"):
            results = {
                name: measure(
                    name, by_name[name], found["sessions"], settings, blocked, args.runs, args.port
                )
                for name in names
            }
            window = map_window(results, args.port)
    load_after = os.getloadavg()
    indices = [r["benchmark"] for entry in results.values() for r in entry["runs"]]

    print(f"load average before: {load_before}, after: {load_after} ({os.cpu_count()} CPUs)")
    print(
        f"{database}, {args.static} static files; Lighthouse mobile (simulated throttling), "
        f"median of {args.runs} runs; "
        f"{blocked} blocked; budgets: LCP ≤ 2.5 s, CLS ≤ 0.1, HTML+CSS+fonts ≤ 100 KiB, "
        f"JS ≤ 50 KiB without a map; benchmark index {min(indices):.0f}–{max(indices):.0f}"
    )
    report(results)
    heaviest(results)
    if window:
        print(f"map window {window['path']} ({window['features']} spaces), bytes as sent:")
        for encoding in ("identity", "gzip", "br", "gzip, br"):
            size, sent = window[encoding]  # type: ignore[misc]
            print(f"  Accept-Encoding: {encoding:9} {size:>8,} bytes ({sent})")
    Path(args.json).write_text(
        json.dumps({"results": results, "window": window, "load": [load_before, load_after]})
    )


if __name__ == "__main__":
    main()
