"""Writes and reads about messaging: the text of SMS and WhatsApp messages, consent per
purpose, the short links, and what the provider reports back (receipts, STOP replies)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.crypto import salted_hmac

from platform_app.messaging.models import Channel, Consent, MessagingProfile, Purpose, purpose_of
from platform_app.models import Contact, Delivery, User
from santaanita.gateways import sms_segments, sms_text
from santaanita.phones import parse_mobile

TEXT_CHANNELS = (Channel.SMS, Channel.WHATSAPP)
# Two segments at most: a reminder must stay cheap and readable on any phone.
MAX_SMS_SEGMENTS = 2
LINK_SALT = "platform_app.messaging.link"
# Words that stop messages, as people in Peru write them (the provider also honours STOP).
STOP_WORDS = frozenset({"stop", "baja", "alto", "parar", "cancelar", "unsubscribe", "salir"})
# The receipt statuses Twilio reports, as the ledger records them.
RECEIPT_STATUS = {
    "delivered": Delivery.Status.DELIVERED,
    "read": Delivery.Status.DELIVERED,
    "undelivered": Delivery.Status.FAILED,
    "failed": Delivery.Status.FAILED,
}


# Short links: /m/<token>, the delivery's id in base 36 (fixed width, so the length of a
# message is known before its id is) and a MAC that makes the token unguessable.


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(7, "0")


def link_token(delivery_id: int) -> str:
    mac = salted_hmac(LINK_SALT, str(delivery_id)).hexdigest()[:8]
    return _base36(delivery_id) + mac


def link_delivery_id(token: str) -> int | None:
    """The delivery a token names, or None when it was not made by this site."""
    if len(token) != 15:
        return None
    try:
        delivery_id = int(token[:7], 36)
    except ValueError:
        return None
    return delivery_id if hmac.compare_digest(link_token(delivery_id), token) else None


def short_url(token: str, *, opt_out: bool = False) -> str:
    return f"{settings.SITE_URL}/m/{token}" + ("/baja" if opt_out else "")


def text_message(text: str, token: str, *, with_link: bool) -> str:
    """What an SMS says: the text, the link to the page and the way out."""
    parts = [text]
    if with_link:
        parts.append(short_url(token))
    parts.append(f"BAJA: {short_url(token, opt_out=True)}")
    return " ".join(parts)


def sms_fit(text: str, *, with_link: bool) -> tuple[str, int]:
    """``text`` in GSM-7, shortened until the whole message fits two segments; returns it
    with the segment count (known before the delivery exists: tokens have a fixed width)."""
    placeholder = "0" * 15
    full = shortened = sms_text(text)
    while sms_segments(text_message(shortened, placeholder, with_link=with_link)) > (
        MAX_SMS_SEGMENTS
    ):
        full = full[:-8]
        shortened = full.rstrip() + "..."
    return shortened, sms_segments(text_message(shortened, placeholder, with_link=with_link))


def text_fields(*, channel: str, kind: str, text: str, link: str) -> dict[str, Any]:
    """The ledger fields of a text message (SMS or WhatsApp) about ``text``."""
    if channel == Channel.SMS:
        body, segments = sms_fit(text, with_link=bool(link))
        return {"body": body, "segments": segments, "template": "", "template_params": []}
    # WhatsApp sends an approved template; its parameters are the text, the link and the
    # opt-out link, filled in at send time once the delivery's token exists.
    return {
        "body": text,
        "segments": None,
        "template": kind.replace(".", "_"),
        "template_params": [text],
    }


def delivery_row(
    *,
    channel: str,
    recipient: str,
    kind: str,
    object_key: str,
    subject: str,
    body: str,
    language: str,
    send_at: datetime,
    district_id: int | None,
    link: str = "",
    ics: str = "",
    text: str = "",
) -> Delivery:
    """An unsaved ledger row for one recipient on their channel, for bulk inserts: email
    rows carry ``body`` and ``ics``, text rows ``text`` (or the subject) made into an SMS
    or a template's parameters."""
    fields: dict[str, Any] = {"body": body, "ics": ics}
    if channel != Channel.EMAIL:
        fields = text_fields(channel=channel, kind=kind, text=text or subject, link=link)
    return Delivery(
        channel=channel,
        recipient=recipient,
        kind=kind,
        object_key=object_key,
        purpose=purpose_of(kind),
        subject=subject[:255],
        language=language,
        scheduled_for=send_at,
        district_id=district_id,
        link=link,
        **fields,
    )


def delivery_text(delivery: Delivery) -> tuple[str, list[str]]:
    """The body and template parameters to hand to the gateway for a text delivery."""
    token = link_token(delivery.pk)
    body = text_message(delivery.body, token, with_link=bool(delivery.link))
    params = [*delivery.template_params]
    if delivery.channel == Channel.WHATSAPP:
        params += [short_url(token) if delivery.link else "", short_url(token, opt_out=True)]
    return body, params


# Who is reached how


@dataclass(frozen=True)
class Reach:
    channel: str
    address: str


def reach_of(*, email: str, phone: str, channel: str) -> Reach | None:
    """Where to write to a person with these details: their chosen channel when they have
    the address it needs, else email, else SMS; None when there is no way at all."""
    if channel in TEXT_CHANNELS and phone:
        return Reach(channel, phone)
    if email and not email.endswith(".invalid"):
        return Reach(Channel.EMAIL, email.lower())
    if phone:
        return Reach(Channel.SMS, phone)
    return None


def reach_of_user(user: User) -> Reach | None:
    # Through the relation, so a caller's select_related or prefetch_related saves the query.
    try:
        profile: MessagingProfile | None = user.messaging_profile
    except MessagingProfile.DoesNotExist:
        profile = None
    return reach_of(
        email=user.email,
        phone=profile.phone if profile else "",
        channel=profile.channel if profile else Channel.EMAIL,
    )


def reach_of_contact(contact: Contact) -> Reach | None:
    """An organization's contact: by email when they gave one, else by SMS to a mobile."""
    if contact.anonymized_at is not None:
        return None
    return reach_of(
        email=contact.email, phone=parse_mobile(contact.phone) or "", channel=Channel.EMAIL
    )


@transaction.atomic
def messaging_profile_set(*, user: User, phone: str, channel: str) -> MessagingProfile:
    """Record a user's mobile number (E.164) and chosen channel."""
    profile, _created = MessagingProfile.objects.update_or_create(
        user=user, defaults={"phone": phone, "channel": channel}
    )
    return profile


def messaging_preferences_set(
    *, user: User, phone: str, channel: str, purposes: list[str]
) -> MessagingProfile:
    """A person's own choice: their number, their channel, and which messages they accept
    there (the others are refused on that channel; account messages always go)."""
    with transaction.atomic():
        profile = messaging_profile_set(user=user, phone=phone, channel=channel)
        reach = reach_of(email=user.email, phone=phone, channel=channel)
        if reach is not None:
            for purpose in Purpose.values:
                if purpose != Purpose.ACCOUNT:
                    consent_set(
                        channel=reach.channel,
                        address=reach.address,
                        purpose=purpose,
                        allowed=purpose in purposes,
                        source="preferences",
                    )
    return profile


def accepted_purposes(*, user: User) -> list[str]:
    """The purposes the user accepts on their current channel."""
    reach = reach_of_user(user)
    if reach is None:
        return []
    refused = set(
        Consent.objects.filter(
            channel=reach.channel, address=reach.address, allowed=False
        ).values_list("purpose", flat=True)
    )
    return [purpose for purpose in Purpose.values if purpose not in refused]


# Consent


def consent_allows(*, channel: str, address: str, purpose: str) -> bool:
    """Whether ``address`` may receive messages of ``purpose`` on ``channel`` now."""
    return not Consent.objects.filter(
        channel=channel, address=address.lower(), purpose=purpose, allowed=False
    ).exists()


def consent_set(*, channel: str, address: str, purpose: str, allowed: bool, source: str) -> Consent:
    """Give or withdraw consent. Withdrawing also cancels what is still waiting to be sent
    to that address for that purpose on that channel (the send checks again, for the rest)."""
    address = address.lower()
    with transaction.atomic():
        consent, _created = Consent.objects.update_or_create(
            channel=channel,
            address=address,
            purpose=purpose,
            defaults={"allowed": allowed, "source": source},
        )
        if not allowed:
            Delivery.objects.filter(
                channel=channel,
                recipient=address,
                purpose=purpose,
                status=Delivery.Status.PENDING,
            ).update(status=Delivery.Status.CANCELLED, last_error="consent withdrawn")
    return consent


def consent_stop(*, channel: str, address: str, source: str) -> int:
    """A STOP reply: withdraw every purpose on that channel, except the answers about the
    person's own registration and account. Returns how many purposes were stopped."""
    stopped = [purpose for purpose in Purpose.values if purpose != Purpose.ACCOUNT]
    for purpose in stopped:
        consent_set(channel=channel, address=address, purpose=purpose, allowed=False, source=source)
    return len(stopped)


def is_stop_word(text: str) -> bool:
    words = text.strip().lower().split()
    return bool(words) and words[0].strip(".!¡") in STOP_WORDS


# What the provider reports


def delivery_receipt(*, key: str, provider_id: str, status: str, error: str = "") -> bool:
    """Record a delivery receipt. Receipts may arrive late, twice or out of order: a final
    status (delivered, failed) is never moved back to "sent"."""
    new_status = RECEIPT_STATUS.get(status)
    if new_status is None:
        return False
    match = Q()
    if provider_id:
        match |= Q(provider_id=provider_id)
    if key.startswith("delivery-") and key.removeprefix("delivery-").isdigit():
        match |= Q(pk=int(key.removeprefix("delivery-")))
    if not match:
        return False
    changed = (
        Delivery.objects.filter(match, status=Delivery.Status.SENT)
        .exclude(channel=Channel.EMAIL)
        .update(status=new_status, last_error=error[:2000])
    )
    return changed > 0


def inbound_message(*, channel: str, sender: str, text: str) -> bool:
    """A reply from a phone. STOP (or BAJA, ALTO…) stops that number on that channel;
    anything else is not answered by the platform. Returns whether it stopped."""
    if not is_stop_word(text):
        return False
    consent_stop(channel=channel, address=sender, source="stop-reply")
    return True


# Monthly count and cost


@dataclass(frozen=True)
class ChannelUsage:
    channel: str
    label: str
    messages: int
    segments: int
    cost: Decimal


def messaging_usage(*, district_id: int | None, month_start: datetime) -> list[ChannelUsage]:
    """Messages sent per channel from ``month_start`` for a month, with the estimated cost."""
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    sent = Delivery.objects.filter(
        sent_at__gte=month_start,
        sent_at__lt=month_end,
        status__in=(Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.FAILED),
    ).exclude(sent_at=None)
    if district_id is not None:
        sent = sent.filter(district_id=district_id)
    rows = {
        row["channel"]: row
        for row in sent.values("channel").annotate(messages=Count("pk"), parts=Sum("segments"))
    }
    usage = []
    for channel in Channel:
        row = rows.get(channel.value, {"messages": 0, "parts": 0})
        messages, segments = row["messages"], row["parts"] or 0
        if channel == Channel.SMS:
            cost = Decimal(settings.SMS_COST_PER_SEGMENT) * segments
        elif channel == Channel.WHATSAPP:
            cost = Decimal(settings.WHATSAPP_COST_PER_MESSAGE) * messages
        else:
            cost = Decimal(0)
        usage.append(ChannelUsage(channel.value, str(channel.label), messages, segments, cost))
    return usage


def daily_limit_reached(*, channel: str, address: str, now: datetime) -> bool:
    """Whether ``address`` already got its notifications for the rolling day."""
    if channel == Channel.EMAIL:
        return False
    recent = Delivery.objects.filter(
        channel=channel,
        recipient=address,
        sent_at__gte=now - timedelta(days=1),
        status__in=(Delivery.Status.SENT, Delivery.Status.DELIVERED),
    ).count()
    return recent >= settings.MESSAGES_PER_NUMBER_PER_DAY
