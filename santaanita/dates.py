"""The calendar the platform accepts: what a form or the API may store as a date.

Meetings, agreements, surveys and events happen within a human lifetime of today. A year
such as 9999 is a typing slip or a probe, and near the edge of Python's calendar it breaks
the arithmetic done on stored dates (a Lima time turned into UTC, a reminder a day ahead),
so it is refused where it is entered, with a message, instead of failing later.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

OUT_OF_RANGE_MESSAGE = _("Enter a date between 1900 and 2100.")


def validate_in_calendar(value: date | datetime) -> None:
    """Refuses a date (or the date of a datetime) outside ``EARLIEST``..``LATEST``."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")
