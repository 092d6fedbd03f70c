"""A real Celery worker process, on Redis, delivers a notification email exactly once.

Runs where the suite itself runs on PostgreSQL with REDIS_URL set (the second pass of
.ci/run): the worker is a separate process and must see the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from platform_app.models import Delivery
from platform_app.services.ledger import delivery_schedule
from platform_app.tasks import send_delivery
from santaanita.celery import app as celery_app
from tests.conftest import TRANSACTIONAL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [TRANSACTIONAL, pytest.mark.real_worker]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(settings, outbox: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker process that shares this test's database and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_FILE_PATH": str(outbox),
        **extra,
    }
    env.pop("EMAIL_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a solo worker (its own process group, output appended to ``log``) and wait
    until it reports ready."""
    log.touch()
    ready_before = log.read_text().count("ready.")
    with log.open("a") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "santaanita",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    assert _wait_for(lambda: log.read_text().count("ready.") > ready_before), log.read_text()
    return process


@pytest.fixture
def worker(settings, tmp_path):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL with REDIS_URL (the second pass of .ci/run)")
    outbox = tmp_path / "outbox"
    celery_app.control.purge()  # messages left in this Redis database by an earlier run
    log = tmp_path / "worker.log"
    process = start_worker(worker_env(settings, outbox), log)
    celery_app.conf.task_always_eager = False
    try:
        yield outbox
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=30)
        print(log.read_text())


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_on_redis_sends_a_scheduled_email_once(worker):
    delivery = delivery_schedule(
        recipient="integrante@example.org",
        kind="test.real-worker",
        object_key="ci:real-worker",
        subject="Convocatoria de prueba",
        body="Un correo entregado por un worker real.",
    )
    # A duplicate task for the same delivery, as a retried publish would produce.
    send_delivery.delay(delivery.pk)

    def sent() -> bool:
        delivery.refresh_from_db()
        return delivery.status == Delivery.Status.SENT

    assert _wait_for(sent), "the worker did not send the email within 60 s"
    time.sleep(2)  # give the duplicate task time to run (and find the delivery taken)
    messages = [p.read_text() for p in worker.glob("*.log")]
    assert len(messages) == 1
    assert "Convocatoria de prueba" in messages[0]
    assert "integrante@example.org" in messages[0]


def test_a_real_worker_sends_a_scheduled_sms_once(worker):
    delivery = delivery_schedule(
        recipient="+51987654321",
        kind="meeting.reminder",
        object_key="ci:real-worker-sms",
        subject="Recordatorio: Sesión ordinaria",
        body="",
        channel="sms",
    )
    send_delivery.delay(delivery.pk)  # a duplicate task, as a retried publish would produce

    def sent() -> bool:
        delivery.refresh_from_db()
        return delivery.status == Delivery.Status.SENT

    assert _wait_for(sent), "the worker did not send the SMS within 60 s"
    time.sleep(2)
    [message] = [p.read_text(encoding="utf-8") for p in worker.glob("sms-*.log")]
    assert "To: +51987654321" in message
    assert f"Key: delivery-{delivery.pk}" in message
    assert "Recordatorio: Sesion ordinaria" in message
    assert delivery.provider_id.startswith("sms-")
