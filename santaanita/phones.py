"""Phone numbers: parsed, checked and stored in E.164 (``+51987654321``) with ``phonenumbers``.

Google's libphonenumber metadata, as the ``phonenumbers`` package maintains it, decides what
a valid Peruvian number and a mobile are; nothing here re-implements numbering plans. One
local habit is added: people in Lima write a landline without its area code (``362 1234``),
so a seven-digit number that is not valid on its own is read as a Lima number.

Codes (sign-in, confirming a registration) go only to mobiles of the regions in the
``PHONE_CODE_REGIONS`` setting, Peru alone by default: SMS pumping fraud sends codes to
premium or foreign numbers at the platform's expense.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "PE"
# Lima's area code, implied when a Lima landline is typed without it.
LIMA_AREA_CODE = "1"

_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def parse_phone(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None when it is not a valid phone number.

    Only digits and the usual separators are accepted: ``phonenumbers`` would read letters
    as keypad digits (``0800-FLOWERS``), which nobody in the registry means.
    """
    text = (raw or "").strip()
    if not text or len(text) > 30 or any(ch.isalpha() for ch in text):
        return None
    number = _parse(text, region)
    if number is None and region == DEFAULT_REGION:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) == 7 and not text.startswith("+"):
            number = _parse(LIMA_AREA_CODE + digits, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether an E.164 number is a mobile (one that can receive an SMS)."""
    number = _parse(e164, DEFAULT_REGION)
    return number is not None and phonenumbers.number_type(number) in _MOBILE_TYPES


def parse_mobile(raw: str) -> str | None:
    """A stored or typed number as an E.164 mobile, or None for a landline or no number:
    SMS and WhatsApp reach mobiles only."""
    e164 = parse_phone(raw)
    return e164 if e164 is not None and is_mobile(e164) else None


def region_of(e164: str) -> str | None:
    """The ISO region of an E.164 number (``PE``), or None when it is not valid."""
    number = _parse(e164, DEFAULT_REGION)
    return phonenumbers.region_code_for_number(number) if number is not None else None


def accepts_codes(e164: str) -> bool:
    """Whether one-time codes may be sent to this number: a mobile of an allowed region."""
    regions = getattr(settings, "PHONE_CODE_REGIONS", [DEFAULT_REGION])
    return is_mobile(e164) and region_of(e164) in regions


# What people type in a number besides digits: separators, brackets and a leading +.
_NOT_PHONE_CHARACTERS = re.compile(r"[^\d\s().+\-]")


def normalize_phone(raw: str) -> str:
    """A phone typed in a form as E.164, or a ``ValidationError`` in Spanish saying why."""
    # Letters or symbols (a formula pasted from a spreadsheet) are told apart from a wrong
    # number: the person sees which characters the field takes.
    if _NOT_PHONE_CHARACTERS.search(raw or ""):
        raise ValidationError(_("Use only digits, spaces or dashes."), code="phone_chars")
    e164 = parse_phone(raw)
    if e164 is None:
        raise ValidationError(
            _(
                "Enter a valid phone number: a mobile (9 digits starting with 9) or a "
                "landline with its area code, such as 01 362 1234."
            ),
            code="phone_format",
        )
    return e164


def normalize_mobile(raw: str) -> str:
    """A mobile that may receive codes, as E.164, or a ``ValidationError`` saying why not."""
    e164 = normalize_phone(raw)
    if not is_mobile(e164):
        raise ValidationError(
            _("This number is not a mobile: codes are sent by SMS, so enter a mobile number."),
            code="phone_not_mobile",
        )
    if not accepts_codes(e164):
        raise ValidationError(
            _("Codes are sent only to Peruvian mobile numbers (9 digits starting with 9)."),
            code="phone_region",
        )
    return e164
