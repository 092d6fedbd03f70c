"""iCalendar (RFC 5545) files of the platform: one meeting, or a member's subscription feed.

Times are written with TZID=America/Lima and the matching VTIMEZONE, so calendar clients show
the meeting at the same wall-clock time wherever they are. A meeting's UID never changes and
its SEQUENCE grows with each change, so clients update the event instead of adding a copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from platform_app.models import Agreement, Meeting
from santaanita.writers import ical_text

LIMA = ZoneInfo("America/Lima")
PRODID = "-//Santa Anita Public Spaces Platform//Collaborative Platform//ES"
UID_DOMAIN = "santaanita.platform"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", ical_text(name))
    calendar.add("x-wr-timezone", "America/Lima")
    calendar.add_component(
        Timezone.from_tzinfo(LIMA, first_date=date(2020, 1, 1), last_date=date(2040, 1, 1))
    )
    return calendar


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.uid}@{UID_DOMAIN}"


def _meeting_event(meeting: Meeting, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(LIMA))
    event.add("dtend", meeting.ends_at.astimezone(LIMA))
    event.add("summary", ical_text(meeting.title))
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    if meeting.kind == Meeting.Kind.EXTRAORDINARY and meeting.video_url:
        event.add("location", ical_text(meeting.video_url))
        event.add("url", ical_text(meeting.video_url))
    elif meeting.place:
        event.add("location", ical_text(meeting.place))
    if meeting.latitude is not None and meeting.longitude is not None:
        event.add("geo", (meeting.latitude, meeting.longitude))
    lines = [f"{item.order}. {item.title}" for item in meeting.agenda_items.all()]
    link = settings.SITE_URL + reverse("platform_app:meeting-detail", args=[meeting.pk])
    event.add("description", ical_text("\n".join([*lines, "", link]).strip()))
    return event


def meeting_ics(meeting: Meeting) -> str:
    calendar = _calendar(meeting.title)
    calendar.add_component(_meeting_event(meeting, meeting.updated_at or timezone.now()))
    ical: bytes = calendar.to_ical()
    return ical.decode()


def feed_ics(
    *, name: str, meetings: Iterable[Meeting], agreements: Iterable[Agreement], now: datetime
) -> str:
    """A member's feed: the district's meetings and the due dates of their own agreements."""
    calendar = _calendar(name)
    for meeting in meetings:
        calendar.add_component(_meeting_event(meeting, meeting.updated_at or now))
    for agreement in agreements:
        event = Event()
        event.add("uid", f"agreement-{agreement.pk}@{UID_DOMAIN}")
        event.add("dtstamp", agreement.updated_at or now)
        event.add("dtstart", agreement.due_date)
        event.add("dtend", agreement.due_date + timedelta(days=1))
        event.add("summary", ical_text(f"⏰ {agreement.description[:120]}"))
        event.add("transp", "TRANSPARENT")
        link = settings.SITE_URL + reverse("platform_app:agreement-detail", args=[agreement.pk])
        event.add("description", ical_text(f"{agreement.description}\n\n{link}"))
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode()


@dataclass(frozen=True)
class PublicEvent:
    """One entry of the district's public calendar. ``key`` is stable per source row (kind and
    primary key), so a subscribed client updates the event instead of adding a copy. An
    all-day event (a ``date`` start) ends the next day, as RFC 5545 counts DTEND exclusively."""

    key: str
    title: str
    starts: datetime | date
    ends: datetime | date | None = None
    place: str = ""
    url: str = ""
    description: str = ""
    cancelled: bool = False


def public_feed_ics(*, name: str, events: Iterable[PublicEvent], now: datetime) -> str:
    """The public calendar: only what any visitor of the public pages may already read."""
    calendar = _calendar(name)
    for item in events:
        event = Event()
        event.add("uid", f"{item.key}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        if isinstance(item.starts, datetime):
            # Two hours when the source gives no end: a stage or a workshop afternoon.
            end = item.ends if isinstance(item.ends, datetime) else None
            ends = end or item.starts + timedelta(hours=2)
            event.add("dtstart", item.starts.astimezone(LIMA))
            event.add("dtend", ends.astimezone(LIMA))
        else:
            last = item.ends if isinstance(item.ends, date) else item.starts
            event.add("dtstart", item.starts)
            event.add("dtend", last + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        event.add("summary", ical_text(item.title))
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.place:
            event.add("location", ical_text(item.place))
        if item.url:
            event.add("url", item.url)
        text = "\n\n".join(part for part in (item.description, item.url) if part)
        if text:
            event.add("description", ical_text(text))
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode()
