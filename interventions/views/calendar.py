"""The district's public calendar: festival stages and workshops, public meetings and
intervention days, as a feed calendar apps subscribe to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from interventions.public_calendar import district_calendar_ics
from interventions.views.results import dashboard_district


def public_calendar(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The district's public events as a feed calendar apps subscribe to (no sign-in)."""
    district = dashboard_district(slug)
    ics = district_calendar_ics(district, now=timezone.now())
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{district.slug}.ics"'
    return response
