"""Platform pages that write: meeting edit, files, preferences, the guide and its approval."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platform_app.models import Meeting, MeetingFile, Member, RoleGuideVersion
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory, MemberFactory

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_moving_a_meeting_from_its_page_bumps_its_calendar_sequence(client, coordinator):
    meeting = MeetingFactory(starts_at=datetime(2030, 3, 10, 19, 0, tzinfo=LIMA))
    response = client.post(
        reverse("platform_app:meeting-edit", args=[meeting.pk]),
        {
            "kind": "ordinary",
            "title": meeting.title,
            "starts_at": "2030-03-12T19:00",
            "ends_at": "2030-03-12T21:00",
            "place": meeting.place,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.starts_at == datetime(2030, 3, 12, 19, 0, tzinfo=LIMA)


@pytest.mark.django_db
def test_meeting_files_refuse_wrong_types_and_record_the_size(
    client, coordinator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory()
    url = reverse("platform_app:meeting-file-upload", args=[meeting.pk])
    bad = client.post(url, {"title": "x", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400
    good = client.post(url, {"title": "Acta", "file": SimpleUploadedFile("acta.pdf", b"%PDF-1.4")})
    assert good.status_code == 302
    assert MeetingFile.objects.get().size == 8


@pytest.mark.django_db
def test_members_choose_their_reminders_and_renew_their_feed(client):
    member = MemberFactory()
    client.force_login(member.user)
    url = reverse("platform_app:member-preferences")
    client.post(url, {"remind_agreements": "on"})
    member.refresh_from_db()
    assert (member.remind_meetings, member.remind_agreements) == (False, True)
    old = member.feed_token
    client.post(url, {"reset_feed": "1"})
    assert Member.objects.get(pk=member.pk).feed_token != old


@pytest.mark.django_db
def test_a_member_proposes_a_new_guide_and_a_coordinator_approves_it(client):
    member = MemberFactory()
    meeting = MeetingFactory()
    client.force_login(member.user)
    response = client.post(
        reverse("platform_app:role-guide-propose"),
        {
            "introduction": "Guía",
            "change_summary": "Agregar secretaría",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-name": "Secretaría",
            "roles-0-functions": "Redactar actas",
        },
    )
    assert response.status_code == 302
    guide = RoleGuideVersion.objects.get()
    assert guide.status == RoleGuideVersion.Status.PROPOSED
    url = reverse("platform_app:role-guide") + "?version=1"
    assert client.post(url, {"meeting": meeting.pk}).status_code == 403
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.post(url, {"meeting": meeting.pk}).status_code == 302
    guide.refresh_from_db()
    assert (guide.status, guide.approved_in) == (RoleGuideVersion.Status.APPROVED, meeting)
    page = client.get(url).content.decode()
    assert "Redactar actas" in page


@pytest.mark.django_db
def test_a_virtual_meeting_is_scheduled_from_its_form(client, coordinator):
    MemberFactory()
    start = datetime.now(tz=LIMA) + timedelta(days=3)
    response = client.post(
        reverse("platform_app:meeting-create"),
        {
            "kind": "extraordinary",
            "title": "Sesión extraordinaria",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "video_url": "https://meet.example.org/sa",
            "agenda": "Presupuesto\nVarios",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Presupuesto", "Varios"]
