"""Platform pages that write: meeting edit, files, preferences, the guide and its approval."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from platform_app.models import District, Meeting, MeetingFile, Member, RoleGuideVersion
from platform_app.permissions import Role
from platform_app.services.workplan import role_guide_propose
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_platform import MeetingFactory, MemberFactory
from tests.imagefiles import pdf_bytes

LIMA = ZoneInfo("America/Lima")


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
    pdf = pdf_bytes()
    good = client.post(url, {"title": "Acta", "file": SimpleUploadedFile("acta.pdf", pdf)})
    assert good.status_code == 302
    assert MeetingFile.objects.get().size == len(pdf)


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
def test_the_approval_sent_twice_approves_once_and_the_second_copy_is_not_an_error(
    client, coordinator, santa_anita
):
    member = MemberFactory()
    meeting = MeetingFactory()
    guide = role_guide_propose(
        district=santa_anita,
        user=member.user,
        introduction="Guía",
        change_summary="Primera",
        roles=[{"name": "Coordinación", "functions": "Convocar"}],
    )
    url = reverse("platform_app:role-guide") + f"?version={guide.number}"
    token = re.search(r'name="once" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert token is not None
    data = {"meeting": meeting.pk, "once": token[1]}
    first = client.post(url, data)
    second = client.post(url, data)  # a double tap: the same form, the same token
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    # The first copy's success and the second's "already sent", never a refusal.
    shown = [m.level for m in get_messages(second.wsgi_request)]
    assert shown == [messages.SUCCESS, messages.INFO]
    guide.refresh_from_db()
    assert (guide.status, guide.approved_in) == (RoleGuideVersion.Status.APPROVED, meeting)
    assert RoleGuideVersion.objects.filter(status=RoleGuideVersion.Status.APPROVED).count() == 1


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


@pytest.mark.django_db
def test_a_monthly_series_is_held_at_a_public_space_chosen_from_the_district(client, coordinator):
    space = PublicSpaceFactory(name="Parque Los Ficus")
    PublicSpaceFactory(name="Parque de Ate", district=District.objects.get(ubigeo="150103"))
    start = datetime.now(tz=LIMA) + timedelta(days=3)
    url = reverse("platform_app:meeting-series")
    form = client.get(url).content.decode()
    assert "Parque Los Ficus" in form
    assert "Parque de Ate" not in form

    response = client.post(
        url,
        {
            "title": "Reunión ordinaria",
            "first_starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 120,
            "count": 2,
            "public_place": f"space:{space.pk}",
        },
    )
    assert response.status_code == 302
    meetings = list(Meeting.objects.all())
    assert len(meetings) == 2
    for meeting in meetings:
        assert meeting.place == "Parque Los Ficus"
        assert (meeting.latitude, meeting.longitude) == (space.centroid_lat, space.centroid_lon)
    link = f'<a href="{space.get_absolute_url()}">Parque Los Ficus</a>'
    page = client.get(reverse("platform_app:meeting-detail", args=[meetings[0].pk]))
    assert link in page.content.decode()
    assert link in client.get(reverse("platform_app:platform-home")).content.decode()
    # Editing keeps the space chosen; writing another place by hand drops its link.
    edit_url = reverse("platform_app:meeting-edit", args=[meetings[0].pk])
    assert f'<option value="space:{space.pk}" selected>' in client.get(edit_url).content.decode()
    moved = client.post(
        edit_url,
        {
            "kind": "ordinary",
            "title": "Reunión ordinaria",
            "starts_at": timezone.localtime(meetings[0].starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(meetings[0].ends_at).strftime("%Y-%m-%dT%H:%M"),
            "public_place": "",
            "place": "Local comunal del sector 2",
        },
    )
    assert moved.status_code == 302
    meetings[0].refresh_from_db()
    assert (meetings[0].place, meetings[0].place_url) == ("Local comunal del sector 2", "")


@pytest.mark.django_db
def test_a_series_needs_a_public_space_or_a_written_place(client, coordinator):
    start = datetime.now(tz=LIMA) + timedelta(days=3)
    response = client.post(
        reverse("platform_app:meeting-series"),
        {
            "title": "Reunión ordinaria",
            "first_starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 120,
            "count": 2,
        },
    )
    assert response.status_code == 200
    assert "Elija un espacio público o escriba dónde son las reuniones." in (
        response.content.decode()
    )
    assert not Meeting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["platform_app:meeting-create", "platform_app:meeting-series"])
def test_meeting_forms_query_count_does_not_grow_with_the_public_spaces(
    client, coordinator, url_name
):
    url = reverse(url_name)
    counts = []
    for n in (3, 30):
        PublicSpaceFactory.create_batch(n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
