"""Celery tasks of platform_app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from platform_app import services

MAX_SEND_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_SEND_RETRIES, acks_late=True, reject_on_worker_lost=True)
def send_delivery(self, delivery_id: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return services.delivery_send(delivery_id=delivery_id)
    except Exception as exc:
        if self.request.retries >= MAX_SEND_RETRIES:
            services.delivery_fail(delivery_id=delivery_id, error=str(exc))
            raise
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc


@shared_task
def scan_due_deliveries() -> int:
    return services.reminders_scan()
