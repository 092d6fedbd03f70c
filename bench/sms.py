"""Benchmark: 10,000 SMS meeting reminders through a real Celery worker on Redis, with
PostgreSQL, sent by the real Twilio backend to a local HTTP stand-in of Twilio's API.

    .venv/bin/python bench/sms.py [--members 10000] [--concurrency 4] [--kill]

Reuses the machinery of bench/reminders.py (a fresh PostgreSQL database, here
``test_reach_sms_bench``; a worker started in its own session). Every member is phone-only
with SMS as their channel, and one meeting starts in 47 hours, so one scan schedules the
48-hour reminder for all of them. The stand-in (tests/twilio_standin.py, a thread of this
process on BENCH_SMS_PORT, default 8150) records every request; each carries its delivery's
stable key in the status-callback URL, so a message sent twice is counted as a duplicate.

With ``--kill`` the worker is killed with SIGKILL once half the messages are sent, after
counting the deliveries it had in flight (claimed, not yet recorded as sent); a new worker
starts and the scan re-enqueues the claimed-but-unsent deliveries once their lease (5 s
here) expires. Prints the rate per second, the losses (deliveries never sent) and the
duplicates, which must be 0 without faults and at most the in-flight count with --kill.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from reminders import ROOT, SERVER, _fresh_database, _start_worker

DB_NAME = "test_reach_sms_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
PORT = int(os.environ.get("BENCH_SMS_PORT", "8150"))


def _prepare_environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "santaanita.settings",
        "PYTHONPATH": str(ROOT),
        "DELIVERY_LEASE_SECONDS": "5",
        "SMS_URL": f"http://ACbench:bench-token@127.0.0.1:{PORT}/?from=%2B51100000000",
        "SITE_URL": "https://plataforma.example.pe",
    }
    os.environ.update(env)
    sys.path[:0] = [str(ROOT)]
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()

    env = _prepare_environment()
    _fresh_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from platform_app.messaging.models import Channel, MessagingProfile
    from platform_app.models import Delivery, District, Meeting, Member, User
    from platform_app.services.ledger import reminders_scan
    from santaanita.celery import app as celery_app
    from tests.twilio_standin import TwilioStandin

    call_command("migrate", verbosity=0)
    district = District.objects.order_by("ubigeo").first()
    assert district is not None
    users = User.objects.bulk_create(
        User(email=f"sms{i}@telefono.invalid", district=district) for i in range(args.members)
    )
    MessagingProfile.objects.bulk_create(
        MessagingProfile(user=u, phone=f"+5199{i:07d}", channel=Channel.SMS)
        for i, u in enumerate(users)
    )
    Member.objects.bulk_create(
        Member(
            district=district,
            user=u,
            sector="community",
            age_group="adult",
            feed_token=f"bench-{u.pk}",
        )
        for u in users
    )
    start = timezone.now() + timedelta(hours=47)
    Meeting.objects.create(
        district=district,
        title="Sesión ordinaria",
        place="Local comunal",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    celery_app.control.purge()
    celery_app.conf.task_always_eager = False

    log = Path(tempfile.mkdtemp(prefix="bench-sms-")) / "worker.log"
    log.write_text("")
    with TwilioStandin(PORT) as standin:
        worker = _start_worker(env, args.concurrency, log)
        t0 = time.perf_counter()
        reminders_scan()
        scheduled = time.perf_counter() - t0
        expected = args.members
        killed, in_flight = False, 0
        deadline = time.time() + 3600
        sent = 0
        while time.time() < deadline:
            sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
            if args.kill and not killed and sent >= expected // 2:
                # Claimed and not recorded as sent: the messages a kill can duplicate.
                in_flight = Delivery.objects.filter(status=Delivery.Status.SENDING).count()
                os.killpg(worker.pid, signal.SIGKILL)
                in_flight = max(
                    in_flight, Delivery.objects.filter(status=Delivery.Status.SENDING).count()
                )
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
        requests = list(standin.requests)

    keys = Counter(
        parse_qs(urlsplit(r.form.get("StatusCallback", "")).query).get("key", [""])[0]
        for r in requests
    )
    duplicates = sum(count - 1 for count in keys.values() if count > 1)
    rows = Delivery.objects.filter(kind="meeting.reminder", channel=Channel.SMS)
    never_sent = rows.exclude(status=Delivery.Status.SENT).count()
    lost = expected - len(keys)
    print(
        f"members={args.members} worker_concurrency={args.concurrency} "
        f"killed_mid_run={killed} in_flight_at_kill={in_flight}"
    )
    print(
        f"expected_sms={expected} delivery_rows={rows.count()} sent_rows={sent} "
        f"requests_to_provider={len(requests)} distinct_messages={len(keys)}"
    )
    print(
        f"schedule_seconds={scheduled:.1f} total_seconds={elapsed:.1f} "
        f"rate_sms_per_second={len(requests) / elapsed:.0f}"
    )
    print(f"lost={lost} rows_not_sent={never_sent} duplicates={duplicates}")
    if lost or never_sent or duplicates > in_flight:
        sys.exit(1)


if __name__ == "__main__":
    main()
