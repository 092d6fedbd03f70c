"""Reminders of the collaborative platform with a frozen clock: each one goes out exactly once,
at its time, to whoever chose it, in their language; moving a meeting re-times them."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from platform_app.models import Delivery, Member
from platform_app.services.agreements import agreement_follow_up
from platform_app.services.ledger import reminders_scan
from platform_app.services.meetings import meeting_create, meeting_update
from platform_app.tasks import scan_due_deliveries
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_platform import AgreementFactory, MemberFactory, platform_admin

LIMA = ZoneInfo("America/Lima")
T0 = datetime(2027, 3, 1, 10, 0, tzinfo=LIMA)


def _scan(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        reminders_scan(now=at)


def _sent(kind: str) -> list[str]:
    return sorted(
        Delivery.objects.filter(kind=kind, status=Delivery.Status.SENT).values_list(
            "recipient", flat=True
        )
    )


def _meeting(starts_at: datetime, santa_anita, **extra):
    return meeting_create(
        district=santa_anita,
        kind="ordinary",
        title="Sesión ordinaria de marzo",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="Parque Santa Rosa",
        agenda=["Informe de coordinación"],
        created_by=platform_admin(),
        now=T0,
        **extra,
    )


@pytest.fixture
def members(db):
    keen = MemberFactory(user__email="keen@example.org")
    quiet = MemberFactory(user__email="quiet@example.org", remind_meetings=False)
    english = MemberFactory(user__email="english@example.org", user__language="en")
    MemberFactory(user__email="away@example.org", status=Member.Status.ON_LEAVE)
    return keen, quiet, english


@pytest.mark.django_db
def test_meeting_convocation_and_each_reminder_go_out_once_at_their_time(members, santa_anita):
    start = datetime(2027, 3, 9, 19, 0, tzinfo=LIMA)  # eight days ahead: convoked at once
    with time_machine.travel(T0, tick=False):
        meeting = _meeting(start, santa_anita)
    _scan(T0)
    active = ["english@example.org", "keen@example.org", "quiet@example.org"]
    assert _sent("meeting.convocation") == active
    assert len(mail.outbox) == 3

    _scan(start - timedelta(hours=48, minutes=1))
    assert _sent("meeting.reminder") == []
    _scan(start - timedelta(hours=48))
    _scan(start - timedelta(hours=47, minutes=59))  # the scan runs every minute
    reminded = ["english@example.org", "keen@example.org"]  # "quiet" opted out
    assert _sent("meeting.reminder") == reminded
    _scan(start - timedelta(hours=3))
    assert len(_sent("meeting.reminder")) == 2
    _scan(start - timedelta(hours=2))
    _scan(start - timedelta(hours=1))
    assert len(_sent("meeting.reminder")) == 4
    keys = set(
        Delivery.objects.filter(kind="meeting.reminder").values_list("object_key", flat=True)
    )
    assert keys == {
        f"meeting:{meeting.pk}:{meeting.occurrence}:48h",
        f"meeting:{meeting.pk}:{meeting.occurrence}:2h",
    }
    _scan(start + timedelta(minutes=5))
    assert len(mail.outbox) == 3 + 4


@pytest.mark.django_db
def test_emails_are_spanish_or_english_as_each_member_chose(members, santa_anita):
    with time_machine.travel(T0, tick=False):
        _meeting(datetime(2027, 3, 9, 19, 0, tzinfo=LIMA), santa_anita)
    _scan(T0)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert by_recipient["english@example.org"].subject.startswith("Convocation")
    assert "Agenda" in by_recipient["english@example.org"].body
    assert by_recipient["keen@example.org"].subject.startswith("Convocatoria")
    assert "Dónde" in by_recipient["keen@example.org"].body


@pytest.mark.django_db
def test_the_convocation_carries_the_meeting_as_an_ics_attachment(members, santa_anita):
    from icalendar import Calendar

    with time_machine.travel(T0, tick=False):
        meeting = _meeting(datetime(2027, 3, 9, 19, 0, tzinfo=LIMA), santa_anita)
    _scan(T0)
    (name, content, mimetype) = mail.outbox[0].attachments[0]
    assert (name, mimetype.split(";")[0]) == ("invitation.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"meeting-{meeting.uid}@santaanita.platform"
    assert event["DTSTART"].params["TZID"] == "America/Lima"


@pytest.mark.django_db
def test_a_reminder_point_passed_before_the_convocation_is_not_sent_again(members, santa_anita):
    start = T0 + timedelta(hours=30)  # convoked 30 h ahead: no separate 48-hour reminder
    with time_machine.travel(T0, tick=False):
        _meeting(start, santa_anita)
    _scan(T0 + timedelta(minutes=1))
    _scan(start - timedelta(hours=24))
    assert _sent("meeting.reminder") == []
    _scan(start - timedelta(hours=2))
    assert len(_sent("meeting.reminder")) == 2


@pytest.mark.django_db
def test_moving_a_meeting_sends_the_reminders_for_the_new_time_only(members, santa_anita):
    old_start = T0 + timedelta(days=30)  # convocation 14 days before: still pending
    new_start = old_start + timedelta(days=7)
    with time_machine.travel(T0, tick=False):
        meeting = _meeting(old_start, santa_anita)
    assert mail.outbox == []
    assert Delivery.objects.filter(kind="meeting.convocation", status="pending").count() == 3
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        meeting = meeting_update(
            meeting=meeting,
            changes={"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)},
            now=T0 + timedelta(hours=1),
            actor=platform_admin(),
        )
    assert meeting.sequence == 1
    assert Delivery.objects.filter(kind="meeting.convocation", status="cancelled").count() == 3
    _scan(old_start - timedelta(days=14))
    assert mail.outbox == []  # the old convocation was cancelled; the new one waits
    _scan(new_start - timedelta(days=14))
    assert len(_sent("meeting.convocation")) == 3
    assert "SEQUENCE:1" in mail.outbox[0].attachments[0][1]
    _scan(old_start - timedelta(hours=48))
    _scan(old_start - timedelta(hours=2))
    assert _sent("meeting.reminder") == []
    _scan(new_start - timedelta(hours=48))
    _scan(new_start - timedelta(hours=2))
    assert len(_sent("meeting.reminder")) == 4
    assert all(
        meeting.occurrence in key
        for key in Delivery.objects.filter(status="sent").values_list("object_key", flat=True)
    )


@pytest.mark.django_db
def test_agreement_reminders_before_the_due_date_then_weekly_until_closed(members, santa_anita):
    keen, quiet, _english = members
    quiet.remind_agreements = False
    quiet.save()
    due = date(2027, 3, 15)
    agreement = AgreementFactory(due_date=due, responsible=[keen, quiet])
    nine = lambda day: datetime(day.year, day.month, day.day, 9, 0, tzinfo=LIMA)  # noqa: E731

    _scan(nine(due - timedelta(days=3)) - timedelta(minutes=1))
    assert _sent("agreement.due_soon") == []
    _scan(nine(due - timedelta(days=3)))
    _scan(nine(due - timedelta(days=2)))
    assert _sent("agreement.due_soon") == ["keen@example.org"]
    _scan(nine(due))
    assert _sent("agreement.overdue") == []
    _scan(nine(due + timedelta(days=1)))
    _scan(nine(due + timedelta(days=3)))
    assert _sent("agreement.overdue") == ["keen@example.org"]
    _scan(nine(due + timedelta(days=8)))
    _scan(nine(due + timedelta(days=9)))
    assert len(_sent("agreement.overdue")) == 2
    with time_machine.travel(nine(due + timedelta(days=10)), tick=False):
        agreement_follow_up(agreement=agreement, user=keen.user, new_status="done", comment="Listo")
    _scan(nine(due + timedelta(days=15)))
    assert len(_sent("agreement.overdue")) == 2
    keys = sorted(
        Delivery.objects.filter(kind="agreement.overdue").values_list("object_key", flat=True)
    )
    assert keys == [
        f"agreement:{agreement.pk}:overdue:2027-03-15:w0",
        f"agreement:{agreement.pk}:overdue:2027-03-15:w1",
    ]


@pytest.mark.django_db
def test_coordinators_get_one_weekly_digest_of_overdue_agreements(members, santa_anita):
    keen = members[0]
    coordinator = UserFactory(email="coord@example.org", role="coordinator")
    other = UserFactory(email="coord-ate@example.org", role="coordinator")
    other.district = santa_anita.__class__.objects.get(ubigeo="150103")
    other.save()
    AgreementFactory(due_date=date(2027, 3, 1), responsible=[keen])
    monday = datetime(2027, 3, 8, 9, 0, tzinfo=LIMA)
    _scan(monday - timedelta(minutes=1))
    assert _sent("agreement.digest") == []
    _scan(monday)
    _scan(monday + timedelta(days=2))
    assert _sent("agreement.digest") == [coordinator.email]
    _scan(monday + timedelta(days=7))
    assert len(_sent("agreement.digest")) == 2


@TRANSACTIONAL
def test_the_scan_task_run_twice_concurrently_sends_each_reminder_once(santa_anita):
    members = [MemberFactory(user__email=f"m{i}@example.org") for i in range(6)]
    start = datetime(2027, 3, 9, 19, 0, tzinfo=LIMA)
    with time_machine.travel(T0, tick=False):
        _meeting(start, santa_anita)
    _scan(T0)
    assert len(mail.outbox) == len(members)
    at = start - timedelta(hours=48)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            barrier.wait()
            scan_due_deliveries.delay()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=beat) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(_sent("meeting.reminder")) == len(members)
    assert len(mail.outbox) == 2 * len(members)
    assert Delivery.objects.filter(kind="meeting.reminder").count() == len(members)
