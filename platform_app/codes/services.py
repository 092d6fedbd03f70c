"""Sending one-time codes by SMS within limits, and confirming a registration with one.

SMS pumping (bots requesting codes to numbers whose operator pays the fraudster per message)
is paid by the municipality, so every code, whether for signing in, signing up or confirming
a registration, first passes ``code_request_record``: at most ``PHONE_CODES_PER_NUMBER_HOUR``
to one number in an hour and ``PHONE_CODES_PER_NUMBER_DAY`` in a day, at most
``PHONE_CODES_PER_IP_HOUR`` from one address in an hour, and ``PHONE_CODES_PER_DAY`` for the
whole platform in a day. Codes go only to mobiles of ``PHONE_CODE_REGIONS``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from platform_app.messaging.services import messaging_profile_set
from platform_app.models import (
    Channel,
    CodeGate,
    CodeRequest,
    MessagingProfile,
    Organization,
    OrganizationEvent,
    RegistrationCode,
    User,
)
from platform_app.services.registry import organization_representative_confirm
from santaanita.gateways import GatewayError, send_text
from santaanita.phones import normalize_mobile

CODE_LENGTH = 6


class CodeLimitError(ValidationError):
    """Too many codes asked for: the request is refused before anything is sent."""


def _limits() -> tuple[int, int, int, int]:
    return (
        settings.PHONE_CODES_PER_NUMBER_HOUR,
        settings.PHONE_CODES_PER_NUMBER_DAY,
        settings.PHONE_CODES_PER_IP_HOUR,
        settings.PHONE_CODES_PER_DAY,
    )


def code_request_record(*, phone: str, ip: str | None, purpose: str) -> None:
    """Count a code about to be sent to ``phone`` (E.164) asked from ``ip``; raise
    ``CodeLimitError`` with the reason when a limit is reached, so nothing is sent.

    The gate rows of the number, the address and the platform are locked (in key order, so
    two requests never wait on each other crosswise) before counting: on PostgreSQL two
    simultaneous requests for one number are counted one after the other, so the sixth is
    refused even when the fifth and sixth arrive together. On SQLite the write transaction
    (IMMEDIATE) already serialises them.
    """
    per_number_hour, per_number_day, per_ip_hour, per_day = _limits()
    now = timezone.now()
    keys = sorted({f"phone:{phone}", "all", *([f"ip:{ip}"] if ip else [])})
    with transaction.atomic():
        for key in keys:
            CodeGate.objects.get_or_create(key=key)
        list(CodeGate.objects.select_for_update().filter(key__in=keys).order_by("key"))
        sent = CodeRequest.objects.filter(created_at__gte=now - timedelta(days=1))
        to_number = sent.filter(phone=phone)
        if to_number.filter(created_at__gte=now - timedelta(hours=1)).count() >= per_number_hour:
            raise CodeLimitError(
                _(
                    "Too many codes to this number in the last hour (at most %(limit)s). "
                    "Wait an hour and ask again, or use the last code you received."
                )
                % {"limit": per_number_hour},
                code="code_limit_number",
            )
        if to_number.count() >= per_number_day:
            raise CodeLimitError(
                _("Too many codes to this number today (at most %(limit)s). Try tomorrow.")
                % {"limit": per_number_day},
                code="code_limit_number_day",
            )
        if ip and (
            sent.filter(ip=ip, created_at__gte=now - timedelta(hours=1)).count() >= per_ip_hour
        ):
            raise CodeLimitError(
                _("Too many codes asked from this connection. Wait an hour and try again."),
                code="code_limit_ip",
            )
        if sent.count() >= per_day:
            raise CodeLimitError(
                _(
                    "The platform has sent all the codes it may send today. Try tomorrow, "
                    "or ask the registration desk."
                ),
                code="code_limit_day",
            )
        CodeRequest.objects.create(phone=phone, ip=ip, purpose=purpose)


def code_send(*, phone: str, code: str, language: str | None = None) -> None:
    """Send ``code`` by SMS. Short and in GSM-7 so it costs one segment; the key is new per
    code because a second code is a new message, never a duplicate of the first."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        body = gettext("Santa Anita: your code is %(code)s. It expires in %(minutes)s minutes.") % {
            "code": code,
            "minutes": settings.PHONE_CODE_MINUTES,
        }
    try:
        send_text(channel="sms", to=phone, body=body, key=f"code-{uuid.uuid4().hex}")
    except GatewayError as exc:
        raise ValidationError(
            _("The SMS could not be sent just now. Try again in a few minutes."),
            code="sms_failed",
        ) from exc


def user_phone_set(*, user: User, phone: str, verified: bool) -> None:
    """Record the mobile a person signs in with. Once confirmed it is also where messages
    reach them when they have no email (the messaging preferences), so a resident who
    signed up with only a mobile gets the platform's messages by SMS."""
    user.phone, user.phone_verified = phone, verified
    user.save(update_fields=["phone", "phone_verified"])
    if verified:
        profile = MessagingProfile.objects.filter(user=user).first()
        channel = profile.channel if profile else Channel.EMAIL
        if not user.email and channel == Channel.EMAIL:
            channel = Channel.SMS
        messaging_profile_set(user=user, phone=phone, channel=channel)


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


def registration_code_send(*, organization: Organization, phone: str, ip: str | None) -> None:
    """Send (or send again) the code that confirms a registration made with a mobile. A new
    code replaces the last one and resets its attempts. Raises ``CodeLimitError``."""
    phone = normalize_mobile(phone)
    code_request_record(phone=phone, ip=ip, purpose=CodeRequest.Purpose.REGISTRATION)
    code = new_code()
    RegistrationCode.objects.update_or_create(
        organization=organization,
        defaults={
            "phone": phone,
            "code_hash": _hash(code),
            "expires_at": timezone.now() + timedelta(minutes=settings.PHONE_CODE_MINUTES),
            "attempts": 0,
        },
    )
    code_send(phone=phone, code=code)


def _refusal(row: RegistrationCode, code: str) -> ValidationError | None:
    """Why ``code`` does not confirm ``row``, counting a wrong attempt; None when it does."""
    if row.attempts >= settings.PHONE_CODE_ATTEMPTS:
        return ValidationError(_("Too many wrong codes. Ask for a new code."), code="code_attempts")
    if row.expires_at < timezone.now():
        return ValidationError(_("This code has expired. Ask for a new code."), code="code_expired")
    if not hmac.compare_digest(row.code_hash, _hash(code.strip())):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return ValidationError(
            _("The code is not right. Attempts left: %(left)s.")
            % {"left": settings.PHONE_CODE_ATTEMPTS - row.attempts},
            code="code_wrong",
        )
    return None


def registration_code_confirm(*, organization: Organization, code: str) -> User:
    """Confirm a registration with the code sent to its mobile: the person gets (or keeps)
    an account on that mobile, confirmed, and represents the organization.

    The code row is locked while the attempt is counted, so parallel guesses share the
    ``PHONE_CODE_ATTEMPTS`` budget; the refusal is raised after the transaction commits, so
    a wrong attempt stays counted. A confirmed code confirms again harmlessly (a double
    submit). Raises ``ValidationError`` saying what went wrong; the submission stays kept.
    """
    with transaction.atomic():
        # The record too, as the emailed link's confirmation locks it.
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        row = RegistrationCode.objects.select_for_update().filter(organization=organization).first()
        if row is None:
            raise ValidationError(_("No code was sent for this registration."), code="no_code")
        refusal = _refusal(row, code) if row.confirmed_at is None else None
        if refusal is None:
            user = _representative_confirmed(organization, row)
    if refusal is not None:
        raise refusal
    return user


def _representative_confirmed(organization: Organization, row: RegistrationCode) -> User:
    if row.confirmed_at is None:
        row.confirmed_at = timezone.now()
        row.save(update_fields=["confirmed_at"])
    user = User.objects.filter(phone=row.phone).first()
    if user is None:
        user = User(phone=row.phone, district=organization.district)
        user.set_unusable_password()
        user.save()
    if not user.phone_verified:
        user_phone_set(user=user, phone=row.phone, verified=True)
    organization_representative_confirm(
        organization=organization, user=user, by=OrganizationEvent.Action.PHONE_CONFIRMED
    )
    return user
