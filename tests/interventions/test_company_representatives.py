"""A company on the platform: its representative sees and manages its own pledges and
invitations, and nothing of another company's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from interventions.models import CompanyRepresentative, Invitation, PledgeDocument
from interventions.services.events import company_representative_add
from platform_app.models import Invitation as PlatformInvitation
from platform_app.models import StakeholderSector
from platform_app.permissions import Role, roles_of
from tests.factories import UserFactory
from tests.factories_interventions import (
    CompanyFactory,
    FundraisingEventFactory,
    PledgeFactory,
)
from tests.imagefiles import png_bytes

pytestmark = pytest.mark.django_db


def representative_of(company, client=None):
    user = UserFactory(email=f"rep-{company.pk}@empresa.pe")
    company_representative_add(company=company, email=user.email, added_by=None)
    if client is not None:
        client.force_login(user)
    return user


@pytest.mark.ladder("interventions:pledge-detail", "pledge-list", "pledge-detail")
def test_a_representative_sees_their_own_pledges_and_nothing_of_another_company(client):
    own, other = CompanyFactory(), CompanyFactory()
    own_pledge, other_pledge = PledgeFactory(company=own), PledgeFactory(company=other)
    user = representative_of(own, client)
    assert Role.COMPANY in roles_of(user)

    page = client.get(reverse("interventions:company-mine"))
    assert page.status_code == 200
    assert reverse("interventions:pledge-detail", args=[own_pledge.pk]).encode() in page.content
    assert reverse("interventions:pledge-detail", args=[other_pledge.pk]).encode() not in (
        page.content
    )
    assert (
        client.get(reverse("interventions:pledge-detail", args=[own_pledge.pk])).status_code == 200
    )
    assert (
        client.get(reverse("interventions:pledge-detail", args=[other_pledge.pk])).status_code
        == 404
    )

    api = APIClient()
    api.force_authenticate(user)
    listed = api.get("/api/pledges/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [own_pledge.pk]
    assert api.get(f"/api/pledges/{other_pledge.pk}/").status_code == 404


def test_a_representative_adds_a_document_but_does_not_change_the_terms(client):
    pledge = PledgeFactory()
    representative_of(pledge.company, client)
    upload = client.post(
        reverse("interventions:pledge-document-upload", args=[pledge.pk]),
        {"kind": "receipt", "file": SimpleUploadedFile("recibo.png", png_bytes(), "image/png")},
    )
    assert upload.status_code == 302
    assert PledgeDocument.objects.filter(pledge=pledge).count() == 1
    refused = client.post(
        reverse("interventions:pledge-state", args=[pledge.pk]),
        {"state": "withdrawn", "note": "no"},
    )
    assert refused.status_code == 403


def test_a_representative_answers_the_invitation_of_their_company_only(client):
    own, other = CompanyFactory(), CompanyFactory()
    event = FundraisingEventFactory(date=timezone.localdate() + timedelta(days=5))
    own_invitation = Invitation.objects.create(event=event, company=own)
    other_invitation = Invitation.objects.create(event=event, company=other)
    representative_of(own, client)

    page = client.get(reverse("interventions:company-mine"))
    assert event.name.encode() in page.content
    client.post(
        reverse("interventions:invitation-answer", args=[own_invitation.pk]),
        {"status": "confirmed"},
    )
    refused = client.post(
        reverse("interventions:invitation-answer", args=[other_invitation.pk]),
        {"status": "declined"},
    )

    assert refused.status_code == 404
    own_invitation.refresh_from_db()
    other_invitation.refresh_from_db()
    assert own_invitation.status == Invitation.Status.CONFIRMED
    assert other_invitation.status == Invitation.Status.INVITED


@pytest.mark.ladder("interventions:company-mine")
def test_someone_who_represents_no_company_is_refused_the_page(client):
    client.force_login(UserFactory(role=Role.MEMBER))
    assert client.get(reverse("interventions:company-mine")).status_code == 403
    client.logout()
    assert client.get(reverse("interventions:company-mine")).status_code == 302


def test_from_the_event_a_coordinator_invites_the_company_to_the_business_sector(
    client, coordinator, django_capture_on_commit_callbacks
):
    company = CompanyFactory(contact_email="gerencia@empresa.pe", contact_name="Ana Torres")
    event = FundraisingEventFactory()
    invitation = Invitation.objects.create(event=event, company=company)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interventions:company-platform-invite", args=[event.pk, invitation.pk])
        )

    assert response.status_code == 302
    platform_invitation = PlatformInvitation.objects.get(email="gerencia@empresa.pe")
    assert platform_invitation.sector == StakeholderSector.BUSINESS
    assert CompanyRepresentative.objects.filter(company=company, user=None).exists()
    assert [message.to for message in mail.outbox] == [["gerencia@empresa.pe"]]
    # The person signs up with that address: their company's page opens for them.
    person = UserFactory(email="gerencia@empresa.pe")
    client.force_login(person)
    assert client.get(reverse("interventions:company-mine")).status_code == 200


@pytest.mark.ladder("interventions:company-platform-invite")
def test_only_coordinators_invite_from_the_event(client):
    event = FundraisingEventFactory()
    invitation = Invitation.objects.create(event=event, company=CompanyFactory())
    representative_of(invitation.company, client)
    url = reverse("interventions:company-platform-invite", args=[event.pk, invitation.pk])
    assert client.post(url).status_code == 404


def test_the_public_sponsors_page_shows_no_contact_data(client):
    CompanyFactory(name="Ferretería Sol", contact_email="privado@empresa.pe", contact_phone="987")
    page = client.get(reverse("interventions:company-list"))
    assert page.status_code == 200
    assert b"Ferreter" in page.content
    assert b"privado@empresa.pe" not in page.content
    api = APIClient().get("/api/companies/").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert all("contact_email" not in row for row in rows)
