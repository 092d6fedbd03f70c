"""Peruvian identifiers that forms and imports validate: RUC numbers and phone numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.pe import ruc


def ruc_is_valid(value: str) -> bool:
    return bool(re.fullmatch(r"\d{11}", value or "")) and ruc.is_valid(value)


def validate_ruc(value: str) -> None:
    """SUNAT's rules (length, the series 10, 15, 17 and 20, the modulo-11 check digit) as
    python-stdnum maintains them; a RUC is stored as typed, so separators are refused."""
    if not re.fullmatch(r"\d{11}", value or ""):
        raise ValidationError(_("A RUC has exactly 11 digits."), code="ruc_length")
    if not ruc.is_valid(value):
        raise ValidationError(
            _("This RUC is not valid: check its digits (the last one is a check digit)."),
            code="ruc_check",
        )


def normalize_phone(value: str) -> str:
    """A Peruvian mobile (9 digits starting with 9) or Lima landline, as +51…; else raise.

    Accepts what people type: spaces, dashes, brackets, a +51/0051 prefix, and the 01 area
    code of Lima for landlines (seven digits, not starting with 0, 1 or 9).
    """
    digits = re.sub(r"[\s().\-]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise ValidationError(_("Use only digits, spaces or dashes."), code="phone_chars")
    # +51 then a mobile (9 digits) or a Lima landline (1 and 7 digits).
    if digits.startswith("51") and (len(digits) == 11 or (len(digits) == 10 and digits[2] == "1")):
        digits = digits[2:]
    if len(digits) == 9 and digits.startswith("9"):
        return f"+51{digits}"
    if len(digits) == 9 and digits.startswith("01"):
        digits = digits[1:]
    if len(digits) == 8 and digits.startswith("1") and digits[1] in "2345678":
        return f"+51{digits}"
    if len(digits) == 7 and digits[0] in "2345678":
        return f"+511{digits}"
    raise ValidationError(
        _("Enter a mobile number (9 digits starting with 9) or a Lima landline (01 and 7 digits)."),
        code="phone_format",
    )


def validate_phone(value: str) -> None:
    """A field validator: the number must be one ``normalize_phone`` understands."""
    normalize_phone(value)
