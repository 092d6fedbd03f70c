"""The dates a form or serializer accepts: years from 1900 to 2100.

Nothing the platform records (a meeting, a due date, a survey, a festival day) falls
outside them, and a date near the ends of Python's calendar breaks later arithmetic: a
meeting on 31 December 9999 at 23:00 in Lima is in the year 10000 in UTC, and the
reminder scan's ``starts_at - timedelta(...)`` or the database adapter raise
``OverflowError``. Refused with a field error where the date is typed instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 1900
LAST_YEAR = 2100


def validate_plausible_date(value: Any) -> None:
    if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="implausible_date",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def install_date_rules() -> None:
    """Every form and serializer date and date-time field checks the year (their classes'
    ``default_validators``, which each field copies when it is created). Called once from
    ``PlatformAppConfig.ready``, like ``santaanita.text.install_text_rules``."""
    from django import forms
    from rest_framework import fields as drf_fields

    for field_class in (
        forms.DateField,
        forms.DateTimeField,
        drf_fields.DateField,
        drf_fields.DateTimeField,
    ):
        field_class.default_validators = [validate_plausible_date]  # type: ignore[misc]
