"""Data subjects' rights: access as JSON and CSV, cancellation anonymises, deadlines."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from platform_app.models import Contact, DataRequest, Organization
from tests.factories import UserFactory
from tests.factories_registry import ContactFactory, OrganizationFactory

EMAIL = "vecina@example.org"


@pytest.fixture
def held(santa_anita):
    organization = OrganizationFactory(name="Huerto Los Girasoles", registration_code="SA-1")
    ContactFactory(organization=organization, name="Vecina Titular", email=EMAIL)
    ContactFactory(organization=organization, name="Otra Persona", email="otra@example.org")
    return organization


def _request(client, kind, capture) -> str:
    with capture(execute=True):
        response = client.post(
            reverse("platform_app:data-request-create"),
            {"kind": kind, "name": "Vecina Titular", "email": EMAIL, "details": ""},
        )
    assert response.status_code == 200
    return re.search(r"http://\S+/datos-personales/confirmar/\S+/", mail.outbox[-1].body).group(0)


@pytest.mark.ladder("platform_app:data-request-copy")
@pytest.mark.django_db
def test_access_request_gives_a_copy_of_only_this_persons_data(
    client, held, django_capture_on_commit_callbacks
):
    link = _request(client, "access", django_capture_on_commit_callbacks)
    page = client.post(link)
    data_request = DataRequest.objects.get()
    assert data_request.status == DataRequest.Status.OPEN
    assert data_request.due_on is not None
    copy_json = re.search(r'href="([^"]+\.json)"', page.content.decode()).group(1)
    records = client.get(copy_json).json()["records"]
    assert [r["name"] for r in records] == ["Vecina Titular"]
    copy_csv = copy_json.removesuffix(".json") + ".csv"
    text = client.get(copy_csv).content.decode()
    assert "Vecina Titular" in text
    assert "Otra Persona" not in text
    # The signed link is the only credential: a forged one opens nothing.
    forged = reverse("platform_app:data-request-copy", args=["forged", "json"])
    assert client.get(forged).status_code == 404


@pytest.mark.django_db
def test_unconfirmed_requests_are_not_listed_and_cancellation_anonymises_contacts(
    client, held, django_capture_on_commit_callbacks
):
    link = _request(client, "cancellation", django_capture_on_commit_callbacks)
    coordinator = UserFactory(role="coordinator")
    client.force_login(coordinator)
    listing = client.get(reverse("platform_app:data-request-list")).content.decode()
    assert EMAIL not in listing  # not confirmed yet: anyone could have typed the address
    client.logout()
    client.post(link)
    client.force_login(coordinator)
    assert EMAIL in client.get(reverse("platform_app:data-request-list")).content.decode()
    data_request = DataRequest.objects.get()
    url = reverse("platform_app:data-request-detail", args=[data_request.pk])
    client.post(url, {"answer": "Sus datos fueron anonimizados.", "anonymize": "on"})
    assert not Contact.objects.filter(email=EMAIL).exists()
    assert Contact.objects.filter(organization=held, anonymized_at__isnull=False).count() == 1
    assert Organization.objects.filter(pk=held.pk).exists()
    assert held.events.filter(action="updated").exists()
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.ANSWERED


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["resident", "desk", "representative"])
def test_only_coordinators_see_the_requests(client, santa_anita, role):
    url = reverse("platform_app:data-request-list")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(role=role))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_coordinators_of_another_district_do_not_see_the_requests(client, held, other_district):
    data_request = DataRequest.objects.create(
        district=held.district, kind="access", name="X", email=EMAIL, status="open"
    )
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert EMAIL not in client.get(reverse("platform_app:data-request-list")).content.decode()
    url = reverse("platform_app:data-request-detail", args=[data_request.pk])
    assert client.get(url).status_code == 404
