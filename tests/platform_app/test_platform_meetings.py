"""Members, meetings, attendance, minutes and agreements of the collaborative platform."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platform_app.models import (
    Attendance,
    Invitation,
    Meeting,
    Member,
    PlatformSettings,
    RoleGuideVersion,
)
from platform_app.models.workplan import Activity
from platform_app.permissions import Role, roles_of
from platform_app.services.agreements import (
    agreement_follow_up,
    agreement_record,
    agreements_carry_over,
)
from platform_app.services.meetings import (
    attendance_set,
    attendance_sheet_open,
    meeting_create,
    meeting_mark_held,
    meeting_minutes_approve,
    meeting_plan_series,
)
from platform_app.services.members import invitation_from_token, member_invite, member_set_status
from platform_app.services.workplan import role_guide_approve, role_guide_propose
from santaanita.files import DOCUMENTS, check_upload
from tests.factories import UserFactory
from tests.factories_platform import (
    AgendaItemFactory,
    AgreementFactory,
    MeetingFactory,
    MemberFactory,
    ObjectiveFactory,
    platform_admin,
)
from tests.imagefiles import png_bytes

LIMA = ZoneInfo("America/Lima")


@pytest.mark.django_db
def test_a_monthly_series_falls_on_the_same_weekday_of_each_month(santa_anita):
    first = datetime(2030, 1, 8, 19, 0, tzinfo=LIMA)  # second Tuesday
    meetings = meeting_plan_series(
        district=santa_anita,
        first_starts_at=first,
        duration=timedelta(hours=2),
        count=6,
        title="Sesión ordinaria",
        place="Municipalidad",
        agenda=["Informe"],
        created_by=platform_admin(),
    )
    days = [m.starts_at.astimezone(LIMA) for m in meetings]
    assert [(d.month, d.day) for d in days] == [(1, 8), (2, 12), (3, 12), (4, 9), (5, 14), (6, 11)]
    assert all(d.weekday() == 1 and d.hour == 19 for d in days)
    assert len({m.series for m in meetings}) == 1
    assert all(m.agenda_items.count() == 1 for m in meetings)


@pytest.mark.django_db
def test_a_fifth_weekday_missing_in_a_month_becomes_its_last(santa_anita):
    first = datetime(2030, 1, 29, 19, 0, tzinfo=LIMA)  # fifth Tuesday of January
    meetings = meeting_plan_series(
        district=santa_anita,
        first_starts_at=first,
        duration=timedelta(hours=2),
        count=2,
        title="Sesión",
        place="Municipalidad",
        created_by=platform_admin(),
    )
    assert meetings[1].starts_at.astimezone(LIMA).date() == date(2030, 2, 26)


@pytest.mark.django_db
def test_ordinary_meetings_need_a_place_and_virtual_ones_a_link(santa_anita):
    start = datetime(2030, 1, 8, 19, 0, tzinfo=LIMA)
    with pytest.raises(ValidationError):
        meeting_create(
            district=santa_anita,
            kind="ordinary",
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            created_by=platform_admin(),
        )
    with pytest.raises(ValidationError):
        meeting_create(
            district=santa_anita,
            kind="extraordinary",
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            created_by=platform_admin(),
        )
    with pytest.raises(ValidationError):
        meeting_create(
            district=santa_anita,
            kind="ordinary",
            title="x",
            place="y",
            starts_at=start,
            ends_at=start,
            created_by=platform_admin(),
        )


@pytest.mark.django_db
def test_attendance_counts_by_sector_and_quorum_follows_the_configured_rule(client, santa_anita):
    members = [MemberFactory(sector=s) for s in ["youth", "youth", "business", "culture"]]
    MemberFactory(status=Member.Status.ON_LEAVE)
    meeting = MeetingFactory()
    assert attendance_sheet_open(meeting=meeting) == 4
    assert attendance_sheet_open(meeting=meeting) == 0
    attendance_set(meeting=meeting, member=members[0], present=True, actor=platform_admin())
    attendance_set(meeting=meeting, member=members[1], present=True, actor=platform_admin())
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.get(reverse("platform_app:meeting-attendance", args=[meeting.pk]))
    summary = response.context["summary"]
    assert (summary["present"], summary["expected"], summary["quorum"].reached) == (2, 4, False)
    # municipality, business, community, academia, youth, culture
    assert [count for _label, count in summary["by_sector"]] == [0, 0, 0, 0, 2, 0]
    PlatformSettings.objects.filter(district=santa_anita).update(quorum_percent=40)
    response = client.get(reverse("platform_app:meeting-attendance", args=[meeting.pk]))
    assert response.context["summary"]["quorum"].reached is True


@pytest.mark.django_db
def test_the_htmx_toggle_marks_a_member_present_and_updates_the_summary(client):
    member = MemberFactory()
    meeting = MeetingFactory()
    attendance_sheet_open(meeting=meeting)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    url = reverse("platform_app:attendance-toggle", args=[meeting.pk, member.pk])
    response = client.post(url, {"present": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert 'hx-swap-oob="true"' in html
    assert Attendance.objects.get(meeting=meeting, member=member).present


@pytest.mark.django_db
def test_open_agreements_are_carried_to_the_next_ordinary_meeting_and_leave_when_closed(
    santa_anita,
):
    member = MemberFactory()
    now = datetime(2030, 1, 1, 12, 0, tzinfo=LIMA)
    first = MeetingFactory(starts_at=now + timedelta(days=1))
    second = MeetingFactory(starts_at=now + timedelta(days=31))
    MeetingFactory(
        starts_at=now + timedelta(days=15), kind="extraordinary", video_url="https://x.org/v"
    )
    item = AgendaItemFactory(meeting=first)
    done = agreement_record(
        agenda_item=item,
        description="Pintar bancas",
        responsible=[member],
        due_date=date(2030, 1, 20),
        user=platform_admin(),
        now=now,
    )
    still_open = agreement_record(
        agenda_item=item,
        description="Podar árboles",
        responsible=[member],
        due_date=date(2030, 1, 25),
        user=platform_admin(),
        now=now,
    )
    carried = set(second.agenda_items.values_list("carried_agreement", flat=True))
    assert carried == {done.pk, still_open.pk}
    assert agreements_carry_over(meeting=second, now=now) == 0  # idempotent
    agreement_follow_up(
        agreement=done, user=member.user, new_status="done", comment="Hecho", now=now
    )
    assert set(second.agenda_items.values_list("carried_agreement", flat=True)) == {still_open.pk}
    done.refresh_from_db()
    assert (done.status, done.progress, done.closed_at is not None) == ("done", 100, True)


@pytest.mark.django_db
def test_a_follow_up_records_history_and_evidence(santa_anita, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    member = MemberFactory()
    agreement = AgreementFactory(responsible=[member])
    evidence = SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")
    agreement_follow_up(
        agreement=agreement,
        user=member.user,
        new_status="in_progress",
        progress=40,
        comment="Empezamos",
        evidence_file=evidence,
    )
    agreement_follow_up(
        agreement=agreement,
        user=member.user,
        new_status="blocked",
        comment="Falta permiso",
        evidence_url="https://example.org/acta.pdf",
    )
    agreement.refresh_from_db()
    assert (agreement.status, agreement.progress) == ("blocked", 40)
    history = list(agreement.followups.values_list("old_status", "new_status"))
    assert history == [("pending", "in_progress"), ("in_progress", "blocked")]
    first = agreement.followups.first()
    assert first.evidence_file.name.startswith("private/evidence/")
    assert first.evidence_file.name.endswith(".png")
    assert first.evidence_name == "foto.png"


def test_meeting_files_are_limited_in_type_and_size(settings):
    settings.PLATFORM_FILE_MAX_BYTES = 10
    check_upload(SimpleUploadedFile("acta.txt", b"12345"), accept=DOCUMENTS)
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("virus.exe", b"MZ\x90\x00\x03"), accept=DOCUMENTS)
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("acta.txt", b"x" * 11), accept=DOCUMENTS)


@pytest.mark.django_db
def test_minutes_are_approved_by_a_later_meeting(santa_anita):
    held = MeetingFactory(starts_at=datetime(2030, 1, 8, 19, 0, tzinfo=LIMA))
    following = MeetingFactory(starts_at=datetime(2030, 2, 12, 19, 0, tzinfo=LIMA))
    with pytest.raises(ValidationError):
        meeting_minutes_approve(
            meeting=held, approved_in=following, actor=platform_admin()
        )  # not held yet
    meeting_mark_held(meeting=held, actor=platform_admin())
    with pytest.raises(ValidationError):
        meeting_minutes_approve(meeting=held, approved_in=held, actor=platform_admin())
    meeting_minutes_approve(meeting=held, approved_in=following, actor=platform_admin())
    assert Meeting.objects.get(pk=held.pk).minutes_approved_in == following


@pytest.mark.django_db
def test_an_invitation_link_creates_an_account_and_a_member(client, santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR)
    invitation = member_invite(
        district=santa_anita,
        email="Nueva@Example.org",
        sector="youth",
        age_group="youth",
        invited_by=coordinator,
        accept_url=lambda token: f"http://testserver/i/{token}/",
        first_name="Nadia",
    )
    delivery_body = invitation.__class__.objects.get(pk=invitation.pk)
    assert delivery_body.email == "nueva@example.org"
    from platform_app.models import Delivery

    body = Delivery.objects.get(kind="platform.invitation").body
    token = body.split("/i/")[1].split("/")[0]
    assert invitation_from_token(token=token) == invitation
    assert invitation_from_token(token=token + "x") is None
    url = reverse("platform_app:invitation-accept", args=[token])
    response = client.post(
        url,
        {
            "first_name": "Nadia",
            "last_name": "Rojas",
            "language": "en",
            "password1": "una clave muy larga 2030",
            "password2": "una clave muy larga 2030",
        },
    )
    assert response.status_code == 302
    # Signed in on the way: the platform home opens without another sign-in.
    assert client.get(response["Location"]).status_code == 200
    member = Member.objects.get(user__email="nueva@example.org")
    assert (member.sector, member.district, member.user.language) == ("youth", santa_anita, "en")
    assert Role.MEMBER in roles_of(member.user)
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


@pytest.mark.django_db
def test_an_invitation_for_an_existing_account_asks_to_sign_in_then_reuses_it(client, santa_anita):
    user = UserFactory(email="vecino@example.org")
    invitation = Invitation.objects.create(
        district=santa_anita, email=user.email, sector="community", age_group="senior"
    )
    from django.core import signing

    token = signing.dumps(invitation.pk, salt="platform_app.member-invitation")
    url = reverse("platform_app:invitation-accept", args=[token])
    response = client.get(url)
    assert response.status_code == 302
    assert "/cuentas/login/" in response["Location"]
    client.force_login(user)
    assert client.post(url).status_code == 302
    assert Member.objects.filter(user=user, sector="community").count() == 1
    other = UserFactory()
    client.force_login(other)
    assert client.post(url).status_code == 403


@pytest.mark.django_db
def test_a_member_who_leaves_loses_access(client):
    member = MemberFactory()
    member_set_status(
        member=member, status=Member.Status.LEFT, actor=UserFactory(role=Role.COORDINATOR)
    )
    client.force_login(member.user)
    assert client.get(reverse("platform_app:platform-home")).status_code == 403


@pytest.mark.django_db
def test_the_guide_is_versioned_and_approved_by_a_meeting(santa_anita):
    member = MemberFactory()
    meeting = MeetingFactory()
    v1 = role_guide_propose(
        district=santa_anita,
        user=member.user,
        introduction="Guía",
        change_summary="Primera",
        roles=[{"name": "Coordinación", "functions": "Convocar"}],
    )
    role_guide_approve(guide=v1, meeting=meeting, actor=platform_admin())
    v1.roles.get().holders.create(member=member)
    v2 = role_guide_propose(
        district=santa_anita,
        user=member.user,
        introduction="Guía",
        change_summary="Secretaría",
        roles=[
            {"name": "Coordinación", "functions": "Convocar y moderar"},
            {"name": "Secretaría", "functions": "Actas"},
        ],
    )
    assert (v2.number, v2.status) == (2, "proposed")
    assert v2.roles.get(name="Coordinación").holders.get().member == member
    role_guide_approve(guide=v2, meeting=meeting, actor=platform_admin())
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (
        RoleGuideVersion.Status.SUPERSEDED,
        RoleGuideVersion.Status.APPROVED,
    )
    assert v1.roles.get().functions == "Convocar"  # the previous version stays readable
    with pytest.raises(ValidationError):
        role_guide_approve(guide=v1, meeting=meeting, actor=platform_admin())


@pytest.mark.django_db
def test_objective_progress_is_the_weighted_mean_of_its_activities():
    objective = ObjectiveFactory()
    today = date(2030, 1, 1)
    Activity.objects.create(
        objective=objective, title="a", starts_on=today, due_on=today, progress=100, weight=3
    )
    Activity.objects.create(
        objective=objective, title="b", starts_on=today, due_on=today, progress=0, weight=1
    )
    Activity.objects.create(
        objective=objective,
        title="c",
        starts_on=today,
        due_on=today,
        progress=0,
        weight=5,
        status="cancelled",
    )
    assert objective.rolled_up_progress() == 75


@pytest.mark.django_db
def test_cancelling_a_meeting_cancels_its_reminders_and_tells_members(client, santa_anita):
    MemberFactory.create_batch(2)
    meeting = MeetingFactory(starts_at=datetime(2099, 1, 8, 19, 0, tzinfo=LIMA))
    from platform_app.models import Delivery
    from platform_app.services.meetings import meeting_cancel, meeting_convoke

    meeting_convoke(meeting=meeting)
    meeting_cancel(meeting=meeting, actor=platform_admin())
    assert Delivery.objects.filter(kind="meeting.convocation", status="cancelled").count() == 2
    assert Delivery.objects.filter(kind="meeting.cancelled").count() == 2
    assert Meeting.objects.get(pk=meeting.pk).sequence == 1


@pytest.mark.django_db
def test_the_member_list_counts_active_members_by_sector(client):
    for sector in ["youth", "youth", "youth", "academia"]:
        MemberFactory(sector=sector)
    MemberFactory(sector="youth", status=Member.Status.ON_LEAVE)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.get(reverse("platform_app:member-list"))
    # municipality, business, community, academia, youth, culture
    assert [n for _label, n in response.context["sector_counts"]] == [0, 0, 0, 1, 3, 0]
