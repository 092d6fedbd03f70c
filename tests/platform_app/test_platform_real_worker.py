"""A real Celery worker on Redis is killed after claiming a meeting reminder and before
sending it; the next worker sends it once the lease expires: one email, never two.

Runs in the PostgreSQL + REDIS_URL pass of the suite (like test_real_worker.py)."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from platform_app.models import Delivery
from platform_app.services.ledger import reminders_scan
from santaanita.celery import app as celery_app
from tests.conftest import TRANSACTIONAL
from tests.factories_platform import MeetingFactory, MemberFactory
from tests.platform_app.test_real_worker import _wait_for, start_worker, worker_env

pytestmark = [TRANSACTIONAL, pytest.mark.real_worker]


def test_killing_the_worker_between_claim_and_send_still_sends_one_reminder(settings, tmp_path):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL with REDIS_URL (the second pass of .ci/run)")
    settings.DELIVERY_LEASE_SECONDS = 3
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "stall").touch()
    env = worker_env(
        settings,
        outbox,
        DJANGO_SETTINGS_MODULE="tests.platform_app.real_worker_slow_settings",
        DELIVERY_LEASE_SECONDS="3",  # the worker checks the lease when it claims, too
    )
    MemberFactory(user__email="integrante@example.org")
    MeetingFactory(starts_at=timezone.now() + timedelta(hours=47))
    celery_app.control.purge()
    log = tmp_path / "worker.log"
    log.write_text("")
    first = start_worker(env, log)
    celery_app.conf.task_always_eager = False
    second = None
    try:
        reminders_scan()
        delivery = Delivery.objects.get(kind="meeting.reminder")

        def status() -> str:
            delivery.refresh_from_db()
            return delivery.status

        assert _wait_for(lambda: status() == Delivery.Status.SENDING), log.read_text()
        os.killpg(first.pid, signal.SIGKILL)  # claimed, stalled in send: the worker dies
        first.wait(timeout=30)
        (outbox / "stall").unlink()
        second = start_worker(env, log)
        reminders_scan()  # within the lease: nobody may take it over yet
        time.sleep(4)
        reminders_scan()  # lease expired: enqueued again (the redelivered task may win too)
        assert _wait_for(lambda: status() == Delivery.Status.SENT), log.read_text()
        time.sleep(2)
        reminders_scan()
        time.sleep(2)
        messages = [p.read_text() for p in outbox.glob("*.log")]
        assert len(messages) == 1
        assert "integrante@example.org" in messages[0]
    finally:
        celery_app.conf.task_always_eager = True
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
