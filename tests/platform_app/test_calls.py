"""Call lists: the invited organizations no message reaches, the desk's calls, the counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from platform_app.models import Call, OrganizationInvitation
from platform_app.permissions import Role
from tests.factories import UserFactory, signed_in
from tests.factories_platform import MeetingFactory
from tests.factories_registry import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def invite(meeting, *, name: str, phone: str = "", email: str = ""):
    organization = OrganizationFactory(name=name)
    ContactFactory(organization=organization, name=f"Contacto de {name}", phone=phone, email=email)
    OrganizationInvitation.objects.create(meeting=meeting, organization=organization)
    return organization


@pytest.fixture
def meeting(santa_anita):
    meeting = MeetingFactory(title="Reunión de organizaciones deportivas")
    invite(meeting, name="Club Landline", phone="+5113621234")
    invite(meeting, name="Club Sin Teléfono")
    invite(meeting, name="Club Con Celular", phone="+51987654321")
    invite(meeting, name="Club Con Correo", email="club@example.org", phone="+5113621235")
    return meeting


def test_the_call_list_has_only_the_organizations_no_message_reaches(client, meeting):
    signed_in(client, Role.DESK)
    response = client.get(reverse("platform_app:meeting-calls", args=[meeting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Club Landline" in page
    assert "Contacto de Club Landline" in page
    assert 'href="tel:+5113621234"' in page
    assert "Club Sin Teléfono" in page
    assert "Club Con Celular" not in page
    assert "Club Con Correo" not in page
    assert 'media="print"' in page  # the site's print stylesheet applies to it


def test_the_desk_records_outcomes_and_the_meeting_counts_the_latest(client, meeting):
    desk = signed_in(client, Role.DESK)
    landline = meeting.organization_invitations.get(organization__name="Club Landline")
    other = meeting.organization_invitations.get(organization__name="Club Sin Teléfono")
    url = reverse("platform_app:meeting-call-record", args=[meeting.pk, landline.organization_id])
    client.post(url, {"outcome": "no_answer"})
    response = client.post(url, {"outcome": "coming"})
    assert response.status_code == 302
    client.post(
        reverse("platform_app:meeting-call-record", args=[meeting.pk, other.organization_id]),
        {"outcome": "wrong_number"},
    )
    assert list(landline.calls.values_list("outcome", "called_by")) == [
        ("coming", desk.pk),
        ("no_answer", desk.pk),
    ]
    client.force_login(UserFactory(role=Role.COORDINATOR))
    page = client.get(reverse("platform_app:meeting-detail", args=[meeting.pk])).content.decode()
    counts = page.split('data-testid="call-counts"', 1)[1].split("</dl>", 1)[0]
    assert "<dt>Contactada, vendrá</dt>\n          <dd>1</dd>" in counts
    assert "<dt>No contesta</dt>\n          <dd>0</dd>" in counts
    assert "<dt>Número equivocado</dt>\n          <dd>1</dd>" in counts


def test_an_unknown_outcome_or_an_uninvited_organization_records_nothing(client, meeting):
    signed_in(client, Role.DESK)
    landline = meeting.organization_invitations.get(organization__name="Club Landline")
    client.post(
        reverse("platform_app:meeting-call-record", args=[meeting.pk, landline.organization_id]),
        {"outcome": "maybe"},
    )
    stranger = OrganizationFactory(name="Club No Invitado")
    client.post(
        reverse("platform_app:meeting-call-record", args=[meeting.pk, stranger.pk]),
        {"outcome": "coming"},
    )
    assert not Call.objects.exists()


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.REPRESENTATIVE, Role.SURVEYOR])
@pytest.mark.ladder("platform_app:meeting-calls", "platform_app:meeting-call-record")
def test_the_call_list_is_hidden_from_everyone_but_coordinators_and_desk(client, meeting, role):
    if role is not None:
        signed_in(client, role)
    landline = meeting.organization_invitations.get(organization__name="Club Landline")
    assert client.get(reverse("platform_app:meeting-calls", args=[meeting.pk])).status_code == 404
    record = reverse(
        "platform_app:meeting-call-record", args=[meeting.pk, landline.organization_id]
    )
    assert client.post(record, {"outcome": "coming"}).status_code == 404
    assert not Call.objects.exists()


def test_desk_staff_of_another_district_do_not_see_the_list(client, meeting, other_district):
    signed_in(client, Role.DESK, district=other_district)
    assert client.get(reverse("platform_app:meeting-calls", args=[meeting.pk])).status_code == 404


def test_the_call_list_costs_the_same_queries_at_any_length(client, meeting):
    signed_in(client, Role.COORDINATOR)
    url = reverse("platform_app:meeting-calls", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(10):
        invite(meeting, name=f"Club Extra {n}", phone=f"+511362{n:04d}")
    with CaptureQueriesContext(connection) as large:
        assert "Club Extra 9" in client.get(url).content.decode()
    assert len(large) == len(small)
