"""The calendar the platform accepts: what a form or the API may store as a date.

Meetings, agreements, surveys and events happen within a human lifetime of today. A year
such as 9999 is a typing slip or a probe, and near the edge of Python's calendar it breaks
the arithmetic done on stored dates: a meeting on 31 December 9999 at 23:00 in Lima is in
the year 10000 in UTC, and the reminder scan's ``starts_at - timedelta(...)`` or the
database adapter raise ``OverflowError``. So it is refused where it is typed, with a field
error, instead of failing later.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

OUT_OF_RANGE_MESSAGE = _("Enter a date between 1900 and 2100.")


def validate_in_calendar(value: object) -> None:
    """Refuses a date (or the date of a datetime) outside ``EARLIEST``..``LATEST``."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not EARLIEST <= day <= LATEST:
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")


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
        field_class.default_validators = [validate_in_calendar]  # type: ignore[misc]
