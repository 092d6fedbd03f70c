"""Celery tasks of platform_app: thin wrappers that take ids and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from platform_app.services.ledger import (
    deliveries_purge,
    delivery_fail,
    delivery_send,
    reminders_scan,
)
from platform_app.services.registry_imports import registry_import_run

logger = logging.getLogger(__name__)

MAX_SEND_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_SEND_RETRIES, acks_late=True, reject_on_worker_lost=True)
def send_delivery(self, delivery_id: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return delivery_send(delivery_id=delivery_id)
    except Exception as exc:
        if self.request.retries >= MAX_SEND_RETRIES:
            delivery_fail(delivery_id=delivery_id, error=str(exc))
            raise
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_deliveries(delivery_ids: list[int]) -> int:
    """A batch from the scan. A delivery whose send fails gets its own task with the
    bounded retries above; the rest of the batch goes on."""
    sent = 0
    for delivery_id in delivery_ids:
        try:
            sent += delivery_send(delivery_id=delivery_id)
        except Exception:
            logger.exception("Delivery %s failed; retrying it on its own", delivery_id)
            send_delivery.delay(delivery_id)
    return sent


@shared_task
def scan_due_deliveries() -> int:
    return reminders_scan()


@shared_task
def purge_delivery_texts() -> int:
    return deliveries_purge()


# A sheet of a hundred thousand rows takes minutes, beyond the global limit. Not acked late:
# a worker killed mid-import leaves the import "running", and the scan reports it failed
# (nothing was written) rather than starting it again behind the coordinator's back.
@shared_task(time_limit=3600, soft_time_limit=3500, acks_late=False)
def import_organizations(import_id: int) -> str:
    job = registry_import_run(import_id=import_id)
    return job.status if job else "missing"
