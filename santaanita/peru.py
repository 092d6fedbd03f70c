"""Peruvian identifiers that forms and imports validate: RUC numbers (phones: ``phones.py``)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.pe import ruc

from santaanita.phones import normalize_phone


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


def validate_phone(value: str) -> None:
    """A field validator: the number must be one ``santaanita.phones`` understands. It lives
    here because migrations name it by this path."""
    normalize_phone(value)
