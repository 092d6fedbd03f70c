"""The delivery ledger: every message the platform sends is a row, scheduled idempotently,
claimed once by one worker, retried, and purged after its retention period."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from platform_app.messaging import services as messaging
from platform_app.messaging.models import Channel, Purpose, purpose_of
from platform_app.models import (
    Delivery,
    District,
)
from platform_app.services.places import ORGANIZATION_PAGES
from santaanita import queueing
from santaanita.gateways import GatewayError, send_text
from santaanita.outbox import outbox_forget, outbox_purge
from santaanita.page_cache import changes_pages

logger = logging.getLogger(__name__)


def delivery_schedule(
    *,
    recipient: str,
    kind: str,
    object_key: str,
    subject: str,
    body: str,
    html_body: str = "",
    ics: str = "",
    language: str = "es-pe",
    send_at: datetime | None = None,
    district: District | None = None,
    erase_after_sending: bool = False,
    channel: str = Channel.EMAIL,
    text: str = "",
    link: str = "",
) -> Delivery:
    """Record one message to send at ``send_at`` (now by default); idempotent on its key.

    Scheduling the same (recipient, kind, object) twice returns the first row untouched,
    so a scan or a request that runs twice never queues two messages. On SMS and WhatsApp
    ``recipient`` is an E.164 number and the message says ``text`` (the subject when not
    given), with a short link to ``link`` (a path on this site).
    """
    from platform_app.tasks import send_delivery

    send_at = send_at or timezone.now()
    recipient = recipient.lower()
    fields: dict[str, object] = {"body": body, "html_body": html_body, "ics": ics}
    if channel != Channel.EMAIL:
        fields = messaging.text_fields(channel=channel, kind=kind, text=text or subject, link=link)
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                recipient=recipient,
                kind=kind,
                object_key=object_key,
                channel=channel,
                purpose=purpose_of(kind),
                link=link,
                subject=subject[:255],
                language=language,
                scheduled_for=send_at,
                district=district,
                erase_after_sending=erase_after_sending,
                **fields,
            )
    except IntegrityError:
        return Delivery.objects.get(recipient=recipient, kind=kind, object_key=object_key)
    if send_at <= timezone.now():
        # A broker that is down leaves the row pending for deliveries_enqueue_due.
        queueing.enqueue_on_commit(send_delivery, [(delivery.pk,)])
    return delivery


def delivery_send(*, delivery_id: int) -> bool:
    """Claim and send one delivery. Returns False when another worker has it, it is done,
    or it may not be sent (consent withdrawn, a number's daily limit, a refused number).

    The claim commits before the message leaves, so a concurrent duplicate task sees the
    row taken. Consent is checked here, after the claim, and not only when scheduling: a
    STOP that arrives between the two still stops the message. If sending fails the claim
    is released (status back to pending) and the error propagates for the task's bounded
    retry; a failure the provider calls permanent is recorded as failed at once.
    """
    now = timezone.now()
    if not Delivery.objects.claim(delivery_id, now):
        return False
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.purpose and not messaging.consent_allows(
        channel=delivery.channel, address=delivery.recipient, purpose=delivery.purpose
    ):
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.CANCELLED, last_error="consent withdrawn"
        )
        return False
    if messaging.daily_limit_reached(channel=delivery.channel, address=delivery.recipient, now=now):
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING,
            scheduled_for=now + timedelta(hours=1),
            last_error="daily limit for this number",
        )
        return False
    try:
        provider_id = _delivery_transmit(delivery)
    except GatewayError as exc:
        if not exc.permanent:
            _delivery_release(delivery_id, exc)
            raise
        delivery_fail(delivery_id=delivery_id, error=str(exc))
        return False
    except Exception as exc:
        _delivery_release(delivery_id, exc)
        raise
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", provider_id=provider_id
    )
    if delivery.erase_after_sending:
        _deliveries_redact(Delivery.objects.filter(pk=delivery_id))
        outbox_forget([delivery.recipient])
    return True


def _delivery_release(delivery_id: int, exc: Exception) -> None:
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING, last_error=str(exc)[:2000]
    )


def _delivery_transmit(delivery: Delivery) -> str:
    """Hand the message to its channel; returns the provider's id (empty for email)."""
    if delivery.channel != Channel.EMAIL:
        body, params = messaging.delivery_text(delivery)
        return send_text(
            channel=delivery.channel,
            to=delivery.recipient,
            body=body,
            key=delivery.message_key,
            template=delivery.template,
            params=params,
        )
    body = delivery.body
    if delivery.purpose and delivery.purpose != Purpose.ACCOUNT:
        # Every notification says how to stop it (Law 29733); account messages answer what
        # the person asked for and carry no such line.
        with translation.override(delivery.language):
            body += "\n\n-- \n" + _("To stop receiving these messages: %(link)s") % {
                "link": messaging.short_url(messaging.link_token(delivery.pk), opt_out=True)
            }
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=body,
        to=[delivery.recipient],
        headers={"Message-ID": delivery.message_id},
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    if delivery.ics:
        message.attach("invitation.ics", delivery.ics, "text/calendar; method=PUBLISH")
    message.send()
    return ""


def _deliveries_redact(deliveries: QuerySet[Delivery]) -> int:
    """Blank the recipient and every text of these deliveries; what is still to be sent is
    cancelled. The row stays (its kind, object and dates), so the ledger still shows that a
    message went out, not to whom nor what it said."""
    count = 0
    for pk, status in deliveries.values_list("pk", "status"):
        Delivery.objects.filter(pk=pk).update(
            # Unique per row, and a reserved domain (RFC 2606) that can never receive mail.
            recipient=f"borrado-{pk}@anonimizado.invalid",
            subject="",
            body="",
            html_body="",
            ics="",
            last_error="",
            status=Delivery.Status.CANCELLED if status == Delivery.Status.PENDING else status,
        )
        count += 1
    return count


@changes_pages(ORGANIZATION_PAGES)
def personal_data_forget(
    *, email: str, phones: list[str], keep_delivery: Delivery | None = None
) -> None:
    """Remove a person from the delivery ledger and from the stored copies of sent emails:
    every message to them, and every message that mentions their email or phone.

    ``keep_delivery`` (the answer telling them it is done) is left to be sent; it is marked
    to be erased right after. The stored copies are rewritten once the transaction commits.
    """
    # Phones are stored as +51…; a text may quote the nine national digits alone.
    national = [phone.removeprefix("+51") for phone in phones]
    needles = [needle for needle in {email.lower(), *phones, *national} if needle]
    # Text messages are addressed to the number itself.
    match = Q(recipient__iexact=email) | Q(recipient__in=phones)
    for needle in needles:
        for column in ("subject", "body", "html_body", "ics", "last_error"):
            match |= Q(**{f"{column}__icontains": needle})
    deliveries = Delivery.objects.filter(match)
    if keep_delivery is not None:
        deliveries = deliveries.exclude(pk=keep_delivery.pk)
    _deliveries_redact(deliveries)
    transaction.on_commit(lambda: outbox_forget(needles))


def deliveries_purge(*, now: datetime | None = None) -> int:
    """The daily retention job: drop the texts of deliveries older than
    ``DELIVERY_BODY_RETENTION_DAYS``, and the stored copies of emails as old.

    A message's text is only needed while it may be resent or asked about; the row itself
    (recipient, kind, object, dates) stays, because it is what keeps a reminder from being
    sent twice. Returns how many deliveries lost their texts.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.DELIVERY_BODY_RETENTION_DAYS)
    purged = (
        Delivery.objects.filter(scheduled_for__lt=cutoff)
        .exclude(status__in=(Delivery.Status.PENDING, Delivery.Status.SENDING))
        .exclude(body="", html_body="", ics="")
        .update(body="", html_body="", ics="")
    )
    outbox_purge(before=cutoff)
    if purged:
        logger.info("Purged the texts of %d deliveries older than %s", purged, cutoff)
    return purged


def delivery_fail(*, delivery_id: int, error: str) -> None:
    """Give up on a delivery after its retries, so the scan stops picking it up."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, last_error=error[:2000]
    )


DELIVERY_BATCH_SIZE = 50


def deliveries_enqueue_due(*, now: datetime | None = None) -> int:
    """The periodic scan: enqueue the due deliveries, in batches. Beat and the loop call it.

    A batch per DELIVERY_BATCH_SIZE deliveries rather than a task each: publishing a task
    costs more than sending a file or SMTP message, and a convocation reaches every member
    at once. Each delivery is still claimed on its own, so enqueuing a delivery twice, or a
    batch re-delivered after a worker died, sends nothing twice. Returns how many were
    enqueued: with the broker down none are, and they stay pending for the next scan.
    """
    from platform_app.tasks import send_deliveries

    due_ids = list(Delivery.objects.due(now or timezone.now()).values_list("pk", flat=True))
    batches = [
        (due_ids[start : start + DELIVERY_BATCH_SIZE],)
        for start in range(0, len(due_ids), DELIVERY_BATCH_SIZE)
    ]
    published = queueing.enqueue_each(send_deliveries, batches)
    enqueued = sum(len(batch) for (batch,) in batches[:published])
    if enqueued:
        logger.info("Enqueued %d due deliveries", enqueued)
    return enqueued


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


def email_render(template: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return render_to_string(f"platform_app/email/{template}.txt", context)


def deliveries_recipients(kind: str, object_key: str) -> set[str]:
    # One read per reminder instead of one failed INSERT per recipient on every scan.
    return set(
        Delivery.objects.filter(kind=kind, object_key=object_key).values_list(
            "recipient", flat=True
        )
    )
