"""The permission ladder of every platform page: anonymous, wrong role, member, coordinator,
another district; and the public transparency page without personal data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from platform_app.models import PlatformSettings
from platform_app.permissions import Role
from platform_app.services.meetings import attendance_sheet_open
from tests.factories import UserFactory
from tests.factories_platform import (
    AgendaItemFactory,
    AgreementFactory,
    MeetingFactory,
    MemberFactory,
)


@pytest.fixture
def world(santa_anita, other_district):
    member = MemberFactory(
        user__first_name="Reservada", user__last_name="Privada", user__email="privada@example.org"
    )
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting)
    agreement = AgreementFactory(
        agenda_item=item, responsible=[member], description="Instalar luminarias"
    )
    coordinator = UserFactory(role=Role.COORDINATOR)
    resident = UserFactory(role=Role.RESIDENT)
    other_member = MemberFactory(district=other_district)
    other_coordinator = UserFactory(role=Role.COORDINATOR, district=other_district)
    bystander = MemberFactory()  # a member, but not responsible for the agreement
    return {
        "member": member,
        "meeting": meeting,
        "agreement": agreement,
        "coordinator": coordinator,
        "resident": resident,
        "other_member": other_member.user,
        "other_coordinator": other_coordinator,
        "bystander": bystander.user,
    }


READ_PAGES = [
    ("platform_app:platform-home", None),
    ("platform_app:meeting-list", None),
    ("platform_app:agreement-board", None),
    ("platform_app:agreement-mine", None),
    ("platform_app:member-list", None),
    ("platform_app:role-guide", None),
    ("platform_app:work-plan", None),
    ("platform_app:meeting-detail", "meeting"),
    ("platform_app:meeting-attendance", "meeting"),
    ("platform_app:meeting-ics", "meeting"),
    ("platform_app:agreement-detail", "agreement"),
]
COORDINATOR_PAGES = [
    ("platform_app:meeting-create", None),
    ("platform_app:meeting-series", None),
    ("platform_app:meeting-minutes", "meeting"),
    ("platform_app:meeting-edit", "meeting"),
]


def _url(world, name, obj):
    return reverse(name, args=[world[obj].pk]) if obj else reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "obj"), READ_PAGES + COORDINATOR_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name, obj):
    response = client.get(_url(world, name, obj))
    assert response.status_code == 302
    assert "/cuentas/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "obj"), READ_PAGES)
@pytest.mark.ladder(
    "platform_app:meeting-list",
    "platform_app:agreement-board",
    "platform_app:agreement-mine",
    "platform_app:role-guide",
    "platform_app:work-plan",
    "platform_app:meeting-detail",
    "platform_app:meeting-attendance",
    "platform_app:meeting-ics",
    "platform_app:agreement-detail",
)
def test_members_and_coordinators_read_residents_and_other_districts_do_not(
    client, world, name, obj
):
    url = _url(world, name, obj)
    for who in ("member", "coordinator"):
        user = world[who].user if who == "member" else world[who]
        client.force_login(user)
        assert client.get(url).status_code == 200, who
    for who in ("resident", "other_member", "other_coordinator"):
        client.force_login(world[who])
        # lists answer 403 to a wrong role; another district's objects do not exist (404)
        status = client.get(url).status_code
        if who == "resident" or obj:
            assert status in (403, 404), who
        if obj and who != "resident":
            assert status == 404, who


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "obj"), COORDINATOR_PAGES)
@pytest.mark.ladder(
    "platform_app:meeting-create",
    "platform_app:meeting-series",
    "platform_app:meeting-minutes",
    "platform_app:meeting-edit",
)
def test_only_coordinators_of_the_district_manage_meetings(client, world, name, obj):
    url = _url(world, name, obj)
    client.force_login(world["member"].user)
    assert client.get(url).status_code == 403
    client.force_login(world["other_coordinator"])
    # their own district's forms open; this district's meeting does not exist for them
    assert client.get(url).status_code == (404 if obj else 200)
    client.force_login(world["coordinator"])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.ladder("platform_app:agreement-detail")
def test_only_responsible_members_post_follow_ups(client, world):
    url = reverse("platform_app:agreement-detail", args=[world["agreement"].pk])
    data = {"new_status": "in_progress", "progress": 10, "comment": "Avanzamos"}
    client.force_login(world["bystander"])
    assert client.post(data=data, path=url).status_code == 403
    response = client.get(url)
    assert response.context["form"] is None
    client.force_login(world["other_coordinator"])
    assert client.post(url, data).status_code == 404
    client.force_login(world["member"].user)
    assert client.post(url, data).status_code == 302
    client.force_login(world["coordinator"])
    assert client.post(url, {**data, "progress": 20}).status_code == 302
    assert world["agreement"].followups.count() == 2


@pytest.mark.django_db
def test_members_cannot_take_attendance_or_invite(client, world):
    meeting, member = world["meeting"], world["member"]
    attendance_sheet_open(meeting=meeting)
    client.force_login(member.user)
    toggle = reverse("platform_app:attendance-toggle", args=[meeting.pk, member.pk])
    assert client.post(toggle, {"present": "1"}).status_code == 403
    invite = {"email": "x@example.org", "sector": "youth", "age_group": "youth"}
    assert client.post(reverse("platform_app:member-list"), invite).status_code == 403
    client.force_login(world["coordinator"])
    assert client.post(toggle, {"present": "1"}).status_code == 302
    assert client.post(reverse("platform_app:member-list"), invite).status_code == 302


@pytest.mark.django_db
def test_the_transparency_page_exists_only_when_published_and_names_nobody(
    client, world, santa_anita
):
    url = reverse("platform_app:agreement-public", args=[santa_anita.slug])
    assert client.get(url).status_code == 404
    PlatformSettings.objects.update_or_create(
        district=santa_anita, defaults={"publish_agreements": True}
    )
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Instalar luminarias" in html
    for personal in ("Reservada", "Privada", "privada@example.org"):
        assert personal not in html
    # another district's page shows nothing of Santa Anita
    other = world["other_member"].district
    assert (
        client.get(reverse("platform_app:agreement-public", args=[other.slug])).status_code == 404
    )


@pytest.mark.django_db
def test_the_navigation_shows_the_platform_to_members_only(client, world):
    client.force_login(world["resident"])
    assert "/plataforma/" not in client.get(reverse("home")).content.decode()
    client.force_login(world["member"].user)
    assert "/plataforma/" in client.get(reverse("home")).content.decode()
