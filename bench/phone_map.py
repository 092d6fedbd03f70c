"""How long a map page takes to draw its first markers on a throttled phone, and what it sends.

    .venv/bin/python bench/phone_map.py [LABEL=]URL ... [--runs 3] [--selector CSS]
                                        [--serve-lima] [--json PATH] [--screenshots DIR]

Every page is loaded in Debian's Chromium (never a downloaded browser) through Playwright,
as Lighthouse's mobile preset loads it: a 412×823 phone viewport with a mobile user agent
and touch, the CPU slowed 4× (``Emulation.setCPUThrottlingRate``) and the network held to
150 ms of latency, 1.6 Mbps down and 750 kbps up (``Network.emulateNetworkConditions``).
Each load starts from a fresh browser context (cold cache). Requests to any host other than
the page's own are aborted, so no side waits on map tiles or fonts from outside (none can be
reached from here anyway) and both pay the same.

Per page and run it records:

- **first markers drawn**: from navigation start to the first frame after an element
  matching ``--selector`` appeared inside the map's frame, wherever the map sits on the page
  (a MutationObserver injected before any page script, then ``requestAnimationFrame``);
  the default matches Leaflet marker icons (our cluster icons, any divIcon or image marker)
  and interactive vector paths (our circle markers), but not the problem-report markers our
  map can show beside the spaces;
- **data**: the biggest JSON/GeoJSON (or fetch/XHR) response: bytes on the wire (headers
  included) and decoded, with its content-encoding, and when it finished arriving;
- **total**: bytes on the wire and decoded for every request until the network is idle
  after the markers, and the number of requests (aborted ones counted apart).

Pages are measured in turn within each run (the first page, the second, …, then the next
run), so a change in the machine's load falls on every side alike; the table gives medians
over the runs. ``--serve-lima`` serves the ``bench_lima`` database with gunicorn as
``bench/lima.py`` serves it (its environment, deploy/gunicorn.conf.py) on ``--lima-port`` and
adds its ``/mapa/`` page, labelled "ours", to the pages measured.

Not a test: timings depend on the machine (the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Lighthouse's mobile preset: a mid-range Android phone on a slow 4G connection.
VIEWPORT = {"width": 412, "height": 823}
DEVICE_SCALE_FACTOR = 1.75
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36"
)
CPU_SLOWDOWN = 4
LATENCY_MS = 150
DOWNLOAD_BYTES_PER_S = 1.6 * 1024 * 1024 / 8
UPLOAD_BYTES_PER_S = 750 * 1024 / 8

# Marker icons (any divIcon or image marker, our clusters among them) and interactive
# vector paths (our circle markers); a district outline is drawn non-interactive, and the
# problem reports our map shows beside the spaces are not what is being compared.
DEFAULT_SELECTOR = (
    ".leaflet-marker-icon:not(.report-marker), path.leaflet-interactive:not(.report-marker)"
)

# Runs in every document before its own scripts. Mutation records arrive after the task
# that inserted the nodes has finished (Leaflet has positioned them by then); the frame
# requested then is the first one that can show them.
WATCH_SCRIPT = """
(() => {
  const selector = %s;
  window.__firstMarker = null;
  // Inside the map's own frame (a page may place its map below the fold).
  const inView = (el) => {
    const frame = el.closest(".leaflet-container") || document.documentElement;
    const f = frame.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > f.top && r.right > f.left &&
      r.top < f.bottom && r.left < f.right;
  };
  const candidates = function* (records) {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches(selector)) yield node;
        yield* node.querySelectorAll(selector);
      }
    }
  };
  const observer = new MutationObserver((records) => {
    for (const el of candidates(records)) {
      if (!inView(el)) continue;
      observer.disconnect();
      const found = performance.now();
      requestAnimationFrame(() => {
        window.__firstMarker = { found: found, frame: performance.now() };
      });
      return;
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();
"""


def _is_data(entry: dict[str, Any]) -> bool:
    mime = entry.get("mime", "")
    return "json" in mime or entry.get("type") in ("Fetch", "XHR")


def measure_once(
    browser: Any, url: str, selector: str, timeout_s: float, shot: Path | None
) -> dict:
    """One cold load of ``url`` on the emulated phone."""
    host = urlsplit(url).netloc
    context = browser.new_context(
        viewport=VIEWPORT,
        device_scale_factor=DEVICE_SCALE_FACTOR,
        user_agent=USER_AGENT,
        is_mobile=True,
        has_touch=True,
    )
    blocked: list[str] = []

    def abort(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(lambda u: urlsplit(u).netloc != host, abort)
    context.add_init_script(WATCH_SCRIPT % json.dumps(selector))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": DOWNLOAD_BYTES_PER_S,
            "uploadThroughput": UPLOAD_BYTES_PER_S,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    requests: dict[str, dict[str, Any]] = {}

    def sent(event: dict[str, Any]) -> None:
        requests.setdefault(event["requestId"], {"decoded": 0, "wire": 0, "done": False})
        requests[event["requestId"]].update(url=event["request"]["url"], type=event.get("type"))

    def received(event: dict[str, Any]) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        entry = requests.setdefault(event["requestId"], {"decoded": 0, "wire": 0, "done": False})
        entry.update(
            mime=response.get("mimeType", ""),
            status=response.get("status"),
            encoding=headers.get("content-encoding", "identity"),
            type=event.get("type", entry.get("type")),
        )

    def data(event: dict[str, Any]) -> None:
        if event["requestId"] in requests:
            requests[event["requestId"]]["decoded"] += event["dataLength"]

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in requests:
            entry = requests[event["requestId"]]
            entry["wire"] = event["encodedDataLength"]
            entry["done"] = True

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.dataReceived", data)
    cdp.on("Network.loadingFinished", finished)
    try:
        page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_function(
            "() => window.__firstMarker !== null", timeout=timeout_s * 1000, polling=100
        )
        with contextlib.suppress(Exception):  # a page that keeps polling still gets measured
            page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        marks = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const resources = {};
              for (const r of performance.getEntriesByType("resource")) {
                resources[r.name] = r.responseEnd;
              }
              return { marker: window.__firstMarker, resources: resources,
                       domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
            }"""
        )
        if shot is not None:
            page.screenshot(path=str(shot))
    finally:
        context.close()
    done = [r for r in requests.values() if r["done"]]
    biggest = max((r for r in done if _is_data(r)), key=lambda r: r["decoded"], default=None)
    return {
        "first_marker_ms": marks["marker"]["frame"],
        "marker_found_ms": marks["marker"]["found"],
        "dom_content_loaded_ms": marks["domContentLoaded"],
        "load_ms": marks["load"],
        "data_url": biggest["url"] if biggest else None,
        "data_wire": biggest["wire"] if biggest else 0,
        "data_decoded": biggest["decoded"] if biggest else 0,
        "data_encoding": biggest.get("encoding", "") if biggest else "",
        "data_done_ms": marks["resources"].get(biggest["url"]) if biggest else None,
        "total_wire": sum(r["wire"] for r in done),
        "total_decoded": sum(r["decoded"] for r in done),
        "requests": len(done),
        "blocked": len(blocked),
        "errors": errors,
        "detail": sorted(
            (
                {k: r.get(k) for k in ("url", "type", "mime", "encoding", "wire", "decoded")}
                for r in done
            ),
            key=lambda r: -r["wire"],
        ),
    }


@contextlib.contextmanager
def serve_lima(port: int, redis_url: str) -> Iterator[str]:
    """gunicorn on ``bench_lima``, as bench/lima.py serves it; yields the map page's URL."""
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    import lima

    if not lima._exists(lima.SIZES["lima"]):
        raise SystemExit("no bench_lima database: build it with bench/lima.py first")
    env = lima.server_env(lima.SIZES["lima"], redis_url=redis_url, port=port)
    with lima.serving(env, "bench-phone-map-gunicorn.log"):
        yield f"http://127.0.0.1:{port}/mapa/"


def _kb(n: float) -> str:
    return f"{n / 1024:,.0f}" if n >= 10 * 1024 else f"{n / 1024:,.1f}"


def report(results: dict[str, list[dict]]) -> None:
    print(
        f"{'page':10} {'first markers s':>18} {'data KB wire/decoded (enc)':>30} "
        f"{'data done s':>11} {'total KB wire/decoded':>22} {'requests':>9}"
    )
    for label, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if _numeric(runs, k)}
        first = [r["first_marker_ms"] / 1000 for r in runs]
        spread = f"{med['first_marker_ms'] / 1000:.1f} ({min(first):.1f}–{max(first):.1f})"
        data = f"{_kb(med['data_wire'])}/{_kb(med['data_decoded'])} ({runs[0]['data_encoding']})"
        done = f"{med['data_done_ms'] / 1000:.1f}" if "data_done_ms" in med else "-"
        total = f"{_kb(med['total_wire'])}/{_kb(med['total_decoded'])}"
        requests = f"{med['requests']:.0f}+{med['blocked']:.0f}"
        print(f"{label[:10]:10} {spread:>18} {data:>30} {done:>11} {total:>22} {requests:>9}")
    print("medians over the runs (first markers: median (min–max)); requests: done+aborted")
    for label, runs in results.items():
        print(f"  {label}: data = {runs[0]['data_url']}")
        for r in runs:
            if r["errors"]:
                print(f"  {label}: page errors: {r['errors'][:3]}")


def _numeric(runs: list[dict], key: str) -> bool:
    return all(isinstance(r[key], int | float) and not isinstance(r[key], bool) for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="map page URLs, each optionally LABEL=URL")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--selector", default=DEFAULT_SELECTOR, help="CSS of a drawn marker")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per load")
    parser.add_argument("--serve-lima", action="store_true", help="serve bench_lima, add /mapa/")
    parser.add_argument("--lima-port", type=int, default=8602)
    parser.add_argument(
        "--lima-redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    )
    parser.add_argument("--screenshots", help="folder for one screenshot per page and run")
    parser.add_argument(
        "--json", default=str(Path(tempfile.gettempdir()) / "bench-phone-map.json"), help="raw"
    )
    args = parser.parse_args()
    pages: dict[str, str] = {}
    for item in args.pages:
        label, _, url = item.partition("=") if "=" in item.split("://")[0] else ("", "", item)
        pages[label or urlsplit(url).netloc] = url
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not pages and not args.serve_lima:
        parser.error("give at least one page URL, or --serve-lima")
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        if args.serve_lima:
            ours = stack.enter_context(serve_lima(args.lima_port, args.lima_redis))
            pages = {"ours": ours, **pages}
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print(f"load average before: {os.getloadavg()} ({os.cpu_count()} CPUs)", flush=True)
        results: dict[str, list[dict]] = {label: [] for label in pages}
        for run in range(args.runs):
            for label, url in pages.items():
                shot = shots / f"{label}-{run + 1}.png" if shots else None
                result = measure_once(browser, url, args.selector, args.timeout, shot)
                results[label].append(result)
                print(
                    f"  run {run + 1}/{args.runs} {label}: first markers "
                    f"{result['first_marker_ms'] / 1000:.2f} s, {_kb(result['total_wire'])} KB",
                    flush=True,
                )
        print(f"load average after: {os.getloadavg()}")
    print(
        f"Chromium {CHROMIUM}, {VIEWPORT['width']}×{VIEWPORT['height']} mobile, CPU ÷"
        f"{CPU_SLOWDOWN}, {LATENCY_MS} ms latency, 1.6 Mbps down, 750 kbps up, cold cache, "
        f"{args.runs} runs interleaved"
    )
    report(results)
    Path(args.json).write_text(json.dumps({"pages": pages, "results": results}, indent=1))


if __name__ == "__main__":
    main()
