"""Benchmark of the public map endpoint at the scale of all Lima (6,000 spaces).

    .venv/bin/python bench/mapping_map.py [--spaces 6000] [--requests 500] [--workers 1]

Builds a fresh SQLite database in a temporary folder (never touches data/), places the
spaces inside the 43 districts of Lima, starts gunicorn on the platform (plus one trivial
view, see mapping_bench_site.py) and measures, interleaved in rounds:

- trivial: a Django view that returns "ok" (same middleware, same server);
- window: /api/spaces/?bbox=…&geometry=centroid for map windows of about 4 × 3 km (a
  phone or laptop at zoom 14) around random places, each a different window (its grid
  cells are cached once a window met them, as on the busy platform);
- district layer: /api/spaces/?district=150137&geometry=centroid, served from the cache.

It prints each throughput and its ratio to the trivial view. Goals: window ≥ 0.5,
district layer ≥ 0.8. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(tmp: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": tmp,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "mapping_bench_site",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV"):
        env.pop(name, None)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    return env


def _populate(count: int) -> list[str]:
    """Create ``count`` spaces across Lima; return map windows around some of them."""
    import django

    django.setup()
    from django.core.management import call_command
    from shapely.geometry import Point, box, mapping, shape
    from shapely.prepared import prep

    from mapping.models import PublicSpace
    from platform_app.models import District
    from santaanita.geo import normalize_geometry

    call_command("migrate", verbosity=0)
    rng = random.Random(7)  # reproducible benchmark data
    districts = list(District.objects.exclude(boundary=None))
    shapes = [(d, shape(d.boundary)) for d in districts]
    weights = [s.area for _d, s in shapes]
    prepared = {d.pk: prep(s) for d, s in shapes}
    categories = PublicSpace.Category.values
    spaces = []
    centres = []
    for i in range(count):
        district, geom = rng.choices(shapes, weights=weights)[0]
        minx, miny, maxx, maxy = geom.bounds
        while True:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if prepared[district.pk].contains(Point(lon, lat)):
                break
        if rng.random() < 0.7:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        else:
            half = rng.uniform(0.0002, 0.0008)
            geometry = dict(mapping(box(lon - half, lat - half, lon + half, lat + half)))
        n = normalize_geometry(geometry)
        score = rng.choice([None, rng.randint(0, 100)])
        spaces.append(
            PublicSpace(
                district=district,
                name=f"Espacio {i}",
                slug=f"espacio-{i}",
                category=rng.choice(categories),
                geometry=n.geojson,
                min_lon=n.bbox[0],
                min_lat=n.bbox[1],
                max_lon=n.bbox[2],
                max_lat=n.bbox[3],
                centroid_lon=n.centroid[0],
                centroid_lat=n.centroid[1],
                area_m2=n.area_m2,
                condition_score=score,
            )
        )
        centres.append((lon, lat))
    # bulk_create skips save(): the bounding box and centroid are computed above instead.
    PublicSpace.objects.bulk_create(spaces, batch_size=500)
    windows = []
    for lon, lat in rng.sample(centres, 200):
        w, h = 0.02, 0.014  # ~4.4 km × 3 km
        windows.append(f"{lon - w:.5f},{lat - h:.5f},{lon + w:.5f},{lat + h:.5f}")
    return windows


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept": "application/json"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return len(body)


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """The platform on gunicorn (sync workers) with the benchmark's settings in ``env``."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "santaanita.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
    )


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            _get(port, "/bench/trivial")
            return
        except (ConnectionError, OSError):
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=6000)
    parser.add_argument("--requests", type=int, default=500, help="per endpoint")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-mapping-")
    env = _setup(tmp)
    started = time.perf_counter()
    windows = _populate(args.spaces)
    print(f"{args.spaces} spaces across Lima in {time.perf_counter() - started:.1f} s ({tmp})")

    port = args.port or _free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        _wait(port)
        endpoints = {
            "trivial": lambda i: "/bench/trivial",
            "window": lambda i: f"/api/spaces/?bbox={windows[i % len(windows)]}&geometry=centroid",
            "district layer": lambda i: "/api/spaces/?district=150137&geometry=centroid",
        }
        sizes: dict[str, list[int]] = {name: [] for name in endpoints}
        rates: dict[str, list[float]] = {name: [] for name in endpoints}
        for url in endpoints.values():  # warm up (and fill the layer cache)
            for i in range(10):
                _get(port, url(i))
        per_round = max(1, args.requests // args.rounds)
        # Interleaved rounds; each round's ratio compares endpoints measured seconds apart,
        # and the median over rounds keeps a burst of load elsewhere on the machine out.
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
        total = 0
        for w in windows[:50]:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", f"/api/spaces/?bbox={w}&geometry=centroid")
            total += len(json.loads(conn.getresponse().read())["features"])
            conn.close()
        features = total / 50
        print(
            f"gunicorn, {args.workers} sync worker(s), SQLite, "
            f"{args.rounds} rounds × {per_round} requests per endpoint"
        )
        print(f"average features per window: {features:.0f}")
        for name in endpoints:
            avg = sum(sizes[name]) / len(sizes[name]) / 1024
            rate = statistics.median(rates[name])
            print(f"{name:>15}: {rate:7.1f} req/s  ratio {ratios[name]:4.2f}  ({avg:.1f} KiB)")
        window_ratio = ratios["window"]
        layer_ratio = ratios["district layer"]
        print(
            f"goals: window ≥ 0.5 → {'met' if window_ratio >= 0.5 else 'NOT met'}; "
            f"district layer ≥ 0.8 → {'met' if layer_ratio >= 0.8 else 'NOT met'}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
