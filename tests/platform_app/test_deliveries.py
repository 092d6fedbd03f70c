"""Each notification email is sent exactly once: scheduling, scanning and sending are all
idempotent, and a worker that died after claiming is picked up again after its lease."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from platform_app.models import Delivery
from platform_app.services import ledger
from platform_app.services.ledger import (
    DELIVERY_BATCH_SIZE,
    deliveries_enqueue_due,
    delivery_schedule,
    delivery_send,
)
from platform_app.tasks import send_delivery
from tests.conftest import TRANSACTIONAL
from tests.factories import DeliveryFactory


def _schedule(**overrides):
    fields = {
        "recipient": "Vecina@Example.org",
        "kind": "meeting.reminder",
        "object_key": "meeting:7:2026-12-01T19:00",
        "subject": "Recordatorio: sesión ordinaria",
        "body": "Nos vemos el martes.",
    }
    fields.update(overrides)
    return delivery_schedule(**fields)


@TRANSACTIONAL
def test_a_due_delivery_is_sent_when_its_transaction_commits():
    delivery = _schedule()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert [m.to for m in mail.outbox] == [["vecina@example.org"]]
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id


@TRANSACTIONAL
def test_scheduling_the_same_email_twice_sends_one():
    first = _schedule()
    second = _schedule(subject="otro asunto")
    assert first.pk == second.pk
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_future_delivery_waits_for_the_scan():
    delivery = _schedule(send_at=timezone.now() + timedelta(hours=2))
    assert deliveries_enqueue_due() == 0
    assert mail.outbox == []
    Delivery.objects.filter(pk=delivery.pk).update(scheduled_for=timezone.now())
    assert deliveries_enqueue_due() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_running_the_scan_twice_and_the_task_twice_sends_once():
    delivery = DeliveryFactory()
    deliveries_enqueue_due()
    deliveries_enqueue_due()
    send_delivery.delay(delivery.pk)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_a_worker_that_died_after_claiming_is_replaced_after_its_lease(settings):
    delivery = DeliveryFactory()
    assert Delivery.objects.claim(delivery.pk, timezone.now())  # then the worker dies
    assert deliveries_enqueue_due() == 0  # within the lease nobody else sends
    assert mail.outbox == []
    lease = timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - lease)
    assert deliveries_enqueue_due() == 1
    assert deliveries_enqueue_due() == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


@pytest.mark.django_db
def test_a_failed_send_releases_the_claim_for_a_retry(monkeypatch):
    delivery = DeliveryFactory()

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert "smtp down" in delivery.last_error
    monkeypatch.undo()
    assert delivery_send(delivery_id=delivery.pk)
    assert len(mail.outbox) == 1


@TRANSACTIONAL
def test_two_workers_sending_the_same_delivery_at_once_send_one_email():
    delivery = DeliveryFactory()
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(delivery_send(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def schedule_probe(*, now):
    delivery_schedule(
        recipient="probe@example.org",
        kind="test.scan",
        object_key=f"probe:{now.date()}",
        subject="Probe",
        body="Due today",
    )


@pytest.mark.django_db
def test_the_reminder_scan_runs_every_registered_scan_then_sends(settings):
    from platform_app.services.ledger import reminders_scan

    settings.REMINDER_SCANS = ["tests.platform_app.test_deliveries.schedule_probe"]
    reminders_scan()
    reminders_scan()
    assert [m.to for m in mail.outbox] == [["probe@example.org"]]


@pytest.mark.django_db
def test_the_scan_sends_in_batches_and_a_failing_delivery_does_not_stop_its_batch(monkeypatch):
    from platform_app.tasks import send_deliveries

    deliveries = DeliveryFactory.create_batch(DELIVERY_BATCH_SIZE + 3)
    batches: list[list[int]] = []
    real_delay = send_deliveries.delay
    monkeypatch.setattr(
        send_deliveries, "delay", lambda ids: (batches.append(ids), real_delay(ids))
    )
    real_send = delivery_send
    broken = deliveries[1].pk
    calls: dict[int, int] = {}

    def flaky_send(*, delivery_id):
        calls[delivery_id] = calls.get(delivery_id, 0) + 1
        if delivery_id == broken and calls[delivery_id] == 1:
            Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.PENDING)
            raise ConnectionResetError("smtp hiccup")
        return real_send(delivery_id=delivery_id)

    monkeypatch.setattr(ledger, "delivery_send", flaky_send)
    assert deliveries_enqueue_due() == len(deliveries)
    assert [len(b) for b in batches] == [DELIVERY_BATCH_SIZE, 3]
    assert len(mail.outbox) == len(deliveries)  # the broken one was retried on its own
    assert Delivery.objects.exclude(status=Delivery.Status.SENT).count() == 0
