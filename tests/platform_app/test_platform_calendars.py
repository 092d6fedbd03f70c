"""Calendars are valid iCalendar (RFC 5545): Lima time zone, stable UID, growing SEQUENCE."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from platform_app.calendars import meeting_ics
from platform_app.services.meetings import meeting_create, meeting_update
from platform_app.services.members import member_feed_token_reset
from tests.factories import UserFactory
from tests.factories_platform import AgreementFactory, MemberFactory, platform_admin

LIMA = ZoneInfo("America/Lima")


def assert_rfc5545(ics: str | bytes) -> Calendar:
    """The structure rules that calendar clients enforce, beyond what a lenient parser accepts."""
    raw = ics.encode() if isinstance(ics, str) else ics
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line for line in lines), "lines must end in CRLF"
    assert all(len(line) <= 75 for line in lines), "content lines must be folded at 75 octets"
    calendar = Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event, f"{required} missing in {event.get('UID')}"
        assert event["DTSTAMP"].to_ical().endswith(b"Z"), "DTSTAMP must be in UTC"
        for prop in ("DTSTART", "DTEND"):
            if prop in event and "TZID" in event[prop].params:
                assert event[prop].params["TZID"] in zones, f"no VTIMEZONE for {prop}"
    return calendar


def _event(ics: str, kind: str = "VEVENT"):
    calendar = assert_rfc5545(ics)
    return calendar, calendar.walk(kind)


@pytest.fixture
def meeting(santa_anita):
    start = datetime(2030, 5, 12, 19, 0, tzinfo=LIMA)
    return meeting_create(
        district=santa_anita,
        kind="ordinary",
        title="Sesión ordinaria de mayo",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Parque Santa Rosa",
        latitude=-12.045,
        longitude=-76.97,
        agenda=["Informe", "Festival"],
        created_by=platform_admin(),
    )


@pytest.mark.django_db
def test_meeting_ics_has_lima_time_zone_and_the_meeting_details(meeting):
    calendar, events = _event(meeting_ics(meeting))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["America/Lima"]
    (event,) = events
    assert event["DTSTART"].params["TZID"] == "America/Lima"
    assert event.decoded("DTSTART") == datetime(2030, 5, 12, 19, 0, tzinfo=LIMA)
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-5)
    assert "T190000" in event["DTSTART"].to_ical().decode()
    assert str(event["LOCATION"]) == "Parque Santa Rosa"
    assert event["SEQUENCE"] == 0
    assert "DTSTAMP" in event
    assert "1. Informe" in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_uid_stays_and_sequence_grows_when_a_meeting_changes(meeting):
    _c, (before,) = _event(meeting_ics(meeting))
    moved = meeting_update(
        meeting=meeting,
        changes={
            "starts_at": meeting.starts_at + timedelta(days=1),
            "ends_at": meeting.ends_at + timedelta(days=1),
        },
        actor=platform_admin(),
    )
    moved = meeting_update(
        meeting=moved, changes={"place": "Losa deportiva Los Ficus"}, actor=platform_admin()
    )
    unchanged = meeting_update(
        meeting=moved, changes={"place": "Losa deportiva Los Ficus"}, actor=platform_admin()
    )
    _c, (after,) = _event(meeting_ics(unchanged))
    assert str(after["UID"]) == str(before["UID"])
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 2)
    assert after.decoded("DTSTART").day == 13


@pytest.mark.django_db
def test_a_virtual_meeting_shows_its_video_link(santa_anita):
    start = datetime(2030, 6, 2, 20, 0, tzinfo=LIMA)
    meeting = meeting_create(
        district=santa_anita,
        kind="extraordinary",
        title="Sesión extraordinaria",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        video_url="https://meet.example.org/santa-anita",
        created_by=platform_admin(),
    )
    _c, (event,) = _event(meeting_ics(meeting))
    assert str(event["URL"]) == "https://meet.example.org/santa-anita"


@pytest.mark.django_db
def test_personal_feed_lists_meetings_and_my_agreement_due_dates(client, meeting):
    member = MemberFactory()
    mine = AgreementFactory(agenda_item=meeting.agenda_items.first(), responsible=[member])
    AgreementFactory(agenda_item=meeting.agenda_items.first(), responsible=[MemberFactory()])
    response = client.get(reverse("platform_app:member-feed", args=[member.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = assert_rfc5545(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Lima"]
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    assert uids == sorted(
        [f"meeting-{meeting.uid}@santaanita.platform", f"agreement-{mine.pk}@santaanita.platform"]
    )
    due = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("agreement"))
    assert due.decoded("DTSTART") == mine.due_date
    session = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("meeting"))
    assert session["DTSTART"].params["TZID"] == "America/Lima"
    assert session.decoded("DTSTART") == meeting.starts_at
    assert session["SEQUENCE"] == 0


@pytest.mark.django_db
def test_renewing_the_feed_address_revokes_the_old_one(client, meeting):
    member = MemberFactory()
    old_url = reverse("platform_app:member-feed", args=[member.feed_token])
    member_feed_token_reset(member=member, actor=member.user)
    assert client.get(old_url).status_code == 404
    assert (
        client.get(reverse("platform_app:member-feed", args=[member.feed_token])).status_code == 200
    )


@pytest.mark.django_db
def test_the_feed_of_a_member_who_left_stops_working(client, meeting):
    member = MemberFactory(status="left")
    assert (
        client.get(reverse("platform_app:member-feed", args=[member.feed_token])).status_code == 404
    )


@pytest.mark.django_db
def test_meeting_ics_download_needs_a_platform_role(client, meeting):
    url = reverse("platform_app:meeting-ics", args=[meeting.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(role="resident"))
    assert client.get(url).status_code == 404
    client.force_login(MemberFactory().user)
    response = client.get(url)
    assert response.status_code == 200
    assert_rfc5545(response.content)


@pytest.mark.django_db
def test_a_member_subscribes_from_the_home_page_with_a_webcal_link(client, meeting):
    member = MemberFactory()
    client.force_login(member.user)
    page = client.get(reverse("platform_app:platform-home")).content.decode()
    path = reverse("platform_app:member-feed", args=[member.feed_token])
    assert f'value="http://testserver{path}"' in page
    assert f'href="webcal://testserver{path}"' in page
