"""Benchmark: meeting reminders for 2,000 members and 200 meetings through a real Celery
worker on Redis, with PostgreSQL.

    .venv/bin/python bench/reminders.py [--members 2000] [--meetings 200] [--districts 10]
                                        [--concurrency 4] [--kill]

Builds a fresh PostgreSQL database (``sa_platform_bench`` on BENCH_DATABASE_SERVER, default
postgres://postgres@127.0.0.1:5432) and uses Redis (BENCH_REDIS_URL, default db 4). Members
and meetings are spread over ``--districts`` districts (each member is convened to the
meetings of their district: 2,000 × 200 / 10 = 40,000 reminder emails by default), every
meeting starting in 47 hours, so one scan finds the 48-hour reminder due for all of them.
Two scans run at the same time (as when beat fires twice); a worker with ``--concurrency``
processes sends through an email backend that counts each Message-ID in Redis. With
``--kill`` the worker is killed with SIGKILL half-way and a new one started; the scan picks up
the claimed-but-unsent deliveries after their lease (5 s here).

Prints scheduling time, sending throughput (emails per second) and the count of duplicates
(sends beyond one per delivery), which must be 0. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "sa_platform_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")


def _prepare_environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "reminders_bench_site",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        "DELIVERY_LEASE_SECONDS": "5",
    }
    env.pop("EMAIL_URL", None)
    os.environ.update(env)
    sys.path[:0] = [str(BENCH), str(ROOT)]
    return env


def _fresh_database(name: str = DB_NAME) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def _start_worker(env: dict[str, str], concurrency: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "santaanita",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(3)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()

    env = _prepare_environment()
    _fresh_database()
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from reminders_bench_backend import COUNTS_KEY

    from platform_app.models import Delivery, District, Meeting, Member, User
    from platform_app.services.ledger import reminders_scan
    from santaanita.celery import app as celery_app

    call_command("migrate", verbosity=0)
    districts = list(District.objects.order_by("ubigeo")[: args.districts])
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.org", district=districts[i % len(districts)])
        for i in range(args.members)
    )
    Member.objects.bulk_create(
        Member(
            district=u.district,
            user=u,
            sector="community",
            age_group="adult",
            feed_token=f"bench-{u.pk}",
        )
        for u in users
    )
    start = timezone.now() + timedelta(hours=47)
    Meeting.objects.bulk_create(
        Meeting(
            district=districts[i % len(districts)],
            title=f"Sesión {i}",
            place="Local",
            starts_at=start + timedelta(seconds=i),  # all within the 48-hour window
            ends_at=start + timedelta(hours=2),
        )
        for i in range(args.meetings)
    )
    expected = sum(
        Member.objects.filter(district=d).count() * Meeting.objects.filter(district=d).count()
        for d in districts
    )
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(COUNTS_KEY)
    celery_app.control.purge()
    celery_app.conf.task_always_eager = False

    log = Path(tempfile.mkdtemp(prefix="bench-reminders-")) / "worker.log"
    log.write_text("")
    worker = _start_worker(env, args.concurrency, log)
    t0 = time.perf_counter()

    def scan() -> None:
        try:
            reminders_scan()
        finally:
            connection.close()

    scans = [threading.Thread(target=scan) for _ in range(2)]
    for thread in scans:
        thread.start()
    for thread in scans:
        thread.join()
    scheduled = time.perf_counter() - t0
    killed = False
    deadline = time.time() + 1800
    while time.time() < deadline:
        sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
        if args.kill and not killed and sent >= expected // 2:
            os.killpg(worker.pid, signal.SIGKILL)  # mid-task: some rows stay "sending"
            worker.wait()
            killed = True
            worker = _start_worker(env, args.concurrency, log)
        if sent >= expected:
            break
        if killed:
            reminders_scan()  # beat's job: re-enqueue deliveries whose lease expired
        time.sleep(1)
    elapsed = time.perf_counter() - t0
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)

    counts = [int(v) for v in client.hvals(COUNTS_KEY)]
    duplicates = sum(c - 1 for c in counts if c > 1)
    rows = Delivery.objects.filter(kind="meeting.reminder").count()
    print(
        f"members={args.members} meetings={args.meetings} districts={len(districts)} "
        f"worker_concurrency={args.concurrency} killed_mid_run={killed}"
    )
    print(
        f"expected_emails={expected} delivery_rows={rows} sent_rows={sent} "
        f"emails_sent={sum(counts)} distinct_emails={len(counts)}"
    )
    print(
        f"schedule_seconds={scheduled:.1f} total_seconds={elapsed:.1f} "
        f"throughput_emails_per_second={sum(counts) / elapsed:.0f}"
    )
    print(f"duplicates={duplicates}")
    if duplicates or len(counts) != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
