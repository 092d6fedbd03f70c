"""Printed channels: blank forms for the desk week and for surveyors, and the records typed
in from them carry the "typed from paper" channel."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from mapping.models import Survey
from platform_app.forms import PublicRegistrationForm
from platform_app.models import Organization
from tests.factories import UserFactory
from tests.factories_mapping import AssignmentFactory
from tests.factories_registry import CampaignFactory
from tests.mapping.test_pages import _survey_post
from tests.platform_app.test_registry_forms import valid_post

pytestmark = pytest.mark.django_db


def test_the_printed_registration_form_carries_every_field_of_the_online_one(client, santa_anita):
    response = client.get(reverse("platform_app:organization-register-print"))

    assert response.status_code == 200
    page = response.content.decode()
    form = PublicRegistrationForm(district=santa_anita)
    for field in form.visible_fields():
        assert str(field.label) in page or field.label in page, field.name
    assert "Junta/asociación vecinal" in page  # a typology, with a box to tick
    assert 'class="paper-box"' in page
    assert "paper-form.css" in page


def test_an_organization_typed_at_the_desk_from_paper_says_so(client, santa_anita):
    CampaignFactory()
    client.force_login(UserFactory(role="desk"))
    sector = str(santa_anita.sectors.get(number=1).pk)
    data = valid_post(sector=sector, typed_from_paper="on")
    data.pop("privacy_consent")

    response = client.post(reverse("platform_app:desk"), data)

    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.channel == Organization.Channel.DESK
    assert organization.typed_from_paper
    client.force_login(UserFactory(role="coordinator"))
    detail = client.get(
        reverse("platform_app:verification-detail", args=[organization.registration_code])
    )
    assert "escrito desde un formulario en papel" in detail.content.decode()


def test_the_online_form_cannot_claim_to_be_typed_from_paper(client, santa_anita):
    sector = str(santa_anita.sectors.get(number=1).pk)
    client.post(
        reverse("platform_app:organization-register"),
        valid_post(sector=sector, typed_from_paper="on"),
    )
    assert not Organization.objects.get().typed_from_paper


def test_the_paper_survey_of_a_space_has_its_code_and_a_qr_of_its_form(client):
    assignment = AssignmentFactory()
    url = reverse("mapping:survey-print", args=[assignment.space.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(url).status_code == 403

    client.force_login(assignment.surveyor)
    page = client.get(url).content.decode()

    assert assignment.space.paper_code in page
    assert "data:image/svg+xml" in page
    assert reverse("mapping:survey-form", args=[assignment.space.pk]) in page


def test_a_survey_typed_from_paper_says_so_on_its_page(client):
    assignment = AssignmentFactory()
    client.force_login(assignment.surveyor)
    url = reverse("mapping:survey-form", args=[assignment.space.pk])

    client.post(url, _survey_post(str(uuid.uuid4()), typed_from_paper="on"))
    client.post(url, _survey_post(str(uuid.uuid4())))

    paper, phone = Survey.objects.order_by("pk")
    assert (paper.typed_from_paper, phone.typed_from_paper) == (True, False)
    page = client.get(reverse("mapping:survey-detail", args=[paper.pk])).content.decode()
    assert "escrito desde un formulario en papel" in page
