"""Meetings by typology: coordinators invite the organizations of a typology
or sector by email, only those that consented to messages, once; attendance per organization."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from platform_app.models import Delivery, Organization, OrganizationInvitation
from platform_app.permissions import Role
from platform_app.services.meetings import meeting_organizations_invite
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory, MemberFactory
from tests.factories_registry import ContactFactory, OrganizationFactory


def _organization(typology: str = "cultural", *, consent: bool = True, **kwargs):
    organization = OrganizationFactory(typology=typology, messages_consent=consent, **kwargs)
    ContactFactory(organization=organization)
    return organization


@pytest.fixture
def world(santa_anita, other_district):
    meeting = MeetingFactory(title="Taller de cultura viva")
    cultural = _organization("cultural", name="Elenco Danzas del Ande")
    representative = UserFactory(role=Role.REPRESENTATIVE, email="rep@example.org")
    cultural.representatives.add(representative)
    return {
        "meeting": meeting,
        "cultural": cultural,
        "no_consent": _organization("cultural", consent=False, name="Teatro Sin Permiso"),
        "sports": _organization("sports", name="Club de Vóley Nocturno"),
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "desk": UserFactory(role=Role.DESK),
        "resident": UserFactory(role=Role.RESIDENT),
        "member": MemberFactory().user,
        "representative": representative,
        "other_coordinator": UserFactory(role=Role.COORDINATOR, district=other_district),
    }


def _invite_emails() -> list[str]:
    return sorted(
        Delivery.objects.filter(kind="meeting.organization_invitation").values_list(
            "recipient", flat=True
        )
    )


@pytest.mark.django_db
def test_invite_by_typology_emails_contacts_and_representatives_of_consenting_organizations(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = meeting_organizations_invite(
            meeting=world["meeting"], actor=world["coordinator"], typology="cultural"
        )
    contact = world["cultural"].contacts.get().email
    assert (result.invited, result.emails, result.without_consent) == (1, 2, 1)
    assert _invite_emails() == sorted([contact, "rep@example.org"])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([contact, "rep@example.org"])
    message = mail.outbox[0]
    assert "Elenco Danzas del Ande" in message.body
    assert "Taller de cultura viva" in message.subject
    assert message.attachments[0][2].startswith("text/calendar")
    assert list(OrganizationInvitation.objects.values_list("organization__name", flat=True)) == [
        "Elenco Danzas del Ande"
    ]


@pytest.mark.django_db
def test_sending_the_invitations_again_sends_no_duplicates(
    world, django_capture_on_commit_callbacks
):
    meeting = world["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_organizations_invite(
            meeting=meeting, actor=world["coordinator"], typology="cultural"
        )
    sent = len(mail.outbox)
    assert sent == 2
    with django_capture_on_commit_callbacks(execute=True):
        again = meeting_organizations_invite(
            meeting=meeting, actor=world["coordinator"], typology="cultural"
        )
        # The sector of every factory organization overlaps the typology already invited.
        overlap = meeting_organizations_invite(
            meeting=meeting, actor=world["coordinator"], sector=world["cultural"].sector
        )
    assert (again.invited, again.emails) == (0, 0)
    assert overlap.invited == 1  # the sports club, new to the list
    assert len(mail.outbox) == sent + 1
    assert len(_invite_emails()) == len(set(_invite_emails())) == 3
    assert OrganizationInvitation.objects.filter(meeting=meeting).count() == 2


@pytest.mark.django_db
def test_rejected_merged_and_anonymised_organizations_get_no_email(world):
    _organization("youth", status=Organization.Status.REJECTED)
    anonymised = _organization("youth", name="Colectivo Anonimizado")
    anonymised.contacts.update(email="", phone="", name="(anonimizado)")
    result = meeting_organizations_invite(
        meeting=world["meeting"], actor=world["coordinator"], typology="youth"
    )
    assert (result.invited, result.emails) == (1, 0)
    assert mail.outbox == []


@pytest.mark.django_db
def test_coordinator_invites_from_the_page_and_ticks_attendance_with_htmx(client, world):
    meeting = world["meeting"]
    client.force_login(world["coordinator"])
    url = reverse("platform_app:meeting-organizations", args=[meeting.pk])
    assert client.post(url, {"typology": "", "sector": ""}).status_code == 400
    response = client.post(url, {"typology": "cultural"}, follow=True)
    page = response.content.decode()
    assert "Elenco Danzas del Ande" in page
    assert "Teatro Sin Permiso" not in page
    assert world["cultural"].contacts.get().email not in page  # no personal data on the list
    toggle = reverse(
        "platform_app:organization-attendance-toggle", args=[meeting.pk, world["cultural"].pk]
    )
    fragment = client.post(toggle, {"present": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="true"' in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert OrganizationInvitation.objects.get(organization=world["cultural"]).present
    # An organization that was never invited cannot be ticked.
    uninvited = reverse(
        "platform_app:organization-attendance-toggle", args=[meeting.pk, world["sports"].pk]
    )
    assert client.post(uninvited, {"present": "1"}).status_code == 404


# Who may not know the meeting exists (no platform role, or another district) gets a 404;
# a platform member sees the meeting but not the registry's invitation list (403).
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "page", "invite", "toggle"),
    [
        ("anonymous", 302, 302, 302),
        ("resident", 404, 404, 404),
        ("representative", 404, 404, 404),
        ("member", 403, 403, 403),
        ("desk", 404, 404, 404),
        ("other_coordinator", 404, 404, 404),
        ("coordinator", 200, 302, 302),
    ],
)
@pytest.mark.ladder(
    "platform_app:meeting-organizations", "platform_app:organization-attendance-toggle"
)
def test_permission_ladder_of_the_organizations_page(
    client, world, who, page, invite, toggle, django_capture_on_commit_callbacks
):
    meeting = world["meeting"]
    OrganizationInvitation.objects.create(meeting=meeting, organization=world["sports"])
    if who != "anonymous":
        client.force_login(world[who])
    url = reverse("platform_app:meeting-organizations", args=[meeting.pk])
    toggle_url = reverse(
        "platform_app:organization-attendance-toggle", args=[meeting.pk, world["sports"].pk]
    )
    assert client.get(url).status_code == page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"typology": "cultural"}).status_code == invite
    assert client.post(toggle_url, {"present": "1"}).status_code == toggle
    allowed = who == "coordinator"
    assert OrganizationInvitation.objects.filter(meeting=meeting).count() == (2 if allowed else 1)
    assert OrganizationInvitation.objects.get(organization=world["sports"]).present is allowed
    assert bool(mail.outbox) is allowed


def _grow(meeting, n: int) -> None:
    for i in range(n):
        organization = _organization(("cultural", "sports", "youth")[i % 3])
        OrganizationInvitation.objects.create(
            meeting=meeting, organization=organization, present=bool(i % 2)
        )


@pytest.mark.django_db
def test_organizations_page_query_count_does_not_grow_with_the_list(client, world):
    meeting = world["meeting"]
    client.force_login(world["coordinator"])
    url = reverse("platform_app:meeting-organizations", args=[meeting.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _grow(meeting, 3)
    small = count()
    _grow(meeting, 27)
    assert count() == small
    summary = client.get(url).context["summary"]
    assert (summary["invited"], summary["present"]) == (
        30,
        14,
    )  # 1 of the first 3, 13 of the next 27


@pytest.mark.django_db
def test_api_lists_invitations_to_coordinators_of_the_district_and_ticks_attendance(client, world):
    invitation = OrganizationInvitation.objects.create(
        meeting=world["meeting"], organization=world["sports"]
    )
    url = reverse("platform-organization-invitation-list")
    detail = reverse("platform-organization-invitation-detail", args=[invitation.pk])
    assert client.get(url).status_code in (401, 403)
    for who in ("member", "resident", "other_coordinator"):
        client.force_login(world[who])
        assert client.get(url).json()["results"] == []
        patched = client.patch(detail, {"present": True}, content_type="application/json")
        assert patched.status_code in (403, 404)
    client.force_login(world["coordinator"])
    rows = client.get(url).json()["results"]
    assert [r["organization_name"] for r in rows] == ["Club de Vóley Nocturno"]
    assert "email" not in rows[0]
    response = client.patch(detail, {"present": True}, content_type="application/json")
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.present
