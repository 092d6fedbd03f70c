"""Writes of platform_app: one function per action, keyword-only, in one transaction."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from platform_app.gazetteer import DistrictRecord, SectorRecord
from platform_app.models import Delivery, District, Sector, User
from platform_app.permissions import Role

logger = logging.getLogger(__name__)


def delivery_schedule(
    *,
    recipient: str,
    kind: str,
    object_key: str,
    subject: str,
    body: str,
    html_body: str = "",
    language: str = "es-pe",
    send_at: datetime | None = None,
    district: District | None = None,
) -> Delivery:
    """Record one email to send at ``send_at`` (now by default); idempotent on its key.

    Scheduling the same (recipient, kind, object) twice returns the first row untouched,
    so a scan or a request that runs twice never queues two emails.
    """
    from platform_app.tasks import send_delivery

    send_at = send_at or timezone.now()
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                recipient=recipient.lower(),
                kind=kind,
                object_key=object_key,
                subject=subject[:255],
                body=body,
                html_body=html_body,
                language=language,
                scheduled_for=send_at,
                district=district,
            )
    except IntegrityError:
        return Delivery.objects.get(recipient=recipient.lower(), kind=kind, object_key=object_key)
    if send_at <= timezone.now():
        delivery_id = delivery.pk
        transaction.on_commit(lambda: send_delivery.delay(delivery_id))
    return delivery


def delivery_send(*, delivery_id: int) -> bool:
    """Claim and send one delivery. Returns False when another worker has it or it is done.

    The claim commits before the email leaves, so a concurrent duplicate task sees the row
    taken. If sending fails the claim is released (status back to pending) and the error
    propagates for the task's bounded retry.
    """
    now = timezone.now()
    if not Delivery.objects.claim(delivery_id, now):
        return False
    delivery = Delivery.objects.get(pk=delivery_id)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        to=[delivery.recipient],
        headers={"Message-ID": delivery.message_id},
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    try:
        message.send()
    except Exception as exc:
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, last_error=str(exc)[:2000]
        )
        raise
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def delivery_fail(*, delivery_id: int, error: str) -> None:
    """Give up on a delivery after its retries, so the scan stops picking it up."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, last_error=error[:2000]
    )


def deliveries_enqueue_due(*, now: datetime | None = None) -> int:
    """The periodic scan: enqueue one send task per due delivery. Beat and the loop call it.

    Enqueuing a delivery twice is harmless: the second task finds it claimed or sent.
    """
    from platform_app.tasks import send_delivery

    due_ids = list(Delivery.objects.due(now or timezone.now()).values_list("pk", flat=True))
    for delivery_id in due_ids:
        send_delivery.delay(delivery_id)
    if due_ids:
        logger.info("Enqueued %d due deliveries", len(due_ids))
    return len(due_ids)


def reminders_scan(*, now: datetime | None = None) -> int:
    """The one periodic job: let each app schedule what has become due, then send.

    Each entry of settings.REMINDER_SCANS is a dotted path to a function taking keyword
    ``now`` that schedules deliveries (with ``delivery_schedule``, idempotent on its key) for
    the reminders due by then. Listing them in settings keeps platform_app from importing
    the apps above it. Celery beat and the ``run_reminders`` loop both call this.
    """
    now = now or timezone.now()
    for path in settings.REMINDER_SCANS:
        import_string(path)(now=now)
    return deliveries_enqueue_due(now=now)


def user_grant_role(*, user: User, role: Role, district: District | None = None) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    if district is not None and user.district_id != district.pk:
        user.district = district
        user.save(update_fields=["district"])


def districts_import(*, records: list[DistrictRecord]) -> tuple[int, int]:
    """Create or update districts by UBIGEO. Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        for record in records:
            fields = asdict(record)
            ubigeo = fields.pop("ubigeo")
            _district, was_created = District.objects.update_or_create(
                ubigeo=ubigeo, defaults=fields
            )
            created += was_created
            updated += not was_created
    return created, updated


def sectors_import(*, district: District, records: list[SectorRecord]) -> tuple[int, int]:
    """Create or update a district's sectors by number. Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        for record in records:
            fields = asdict(record)
            number = fields.pop("number")
            _sector, was_created = Sector.objects.update_or_create(
                district=district, number=number, defaults=fields
            )
            created += was_created
            updated += not was_created
    return created, updated
