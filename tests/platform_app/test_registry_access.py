"""Who sees and changes what in the registry; contact data never leaks to the public."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from platform_app.models import Organization, OrganizationEvent
from tests.factories import UserFactory
from tests.factories_registry import CampaignFactory, ContactFactory, OrganizationFactory

SECRET_NAME = "Contacto Secreto"
SECRET_PHONE = "+51911222333"
SECRET_EMAIL = "secreto@privado.example"


@pytest.fixture
def registry(santa_anita, other_district):
    CampaignFactory()
    public = OrganizationFactory(name="Club Los Halcones", registration_code="SA-2026-0001")
    ContactFactory(organization=public, name=SECRET_NAME, phone=SECRET_PHONE, email=SECRET_EMAIL)
    pending = OrganizationFactory(
        name="Taller de Teatro Pendiente",
        status=Organization.Status.PENDING,
        registration_code="SA-2026-0002",
    )
    ContactFactory(organization=pending)
    hidden = OrganizationFactory(
        name="Grupo Sin Consentimiento", directory_consent=False, registration_code="SA-2026-0003"
    )
    elsewhere = OrganizationFactory(
        name="Club de Ate",
        district=other_district,
        sector=None,
        status=Organization.Status.PENDING,
        registration_code="AT-2026-0004",
    )
    return {"public": public, "pending": pending, "hidden": hidden, "elsewhere": elsewhere}


def _login(client, role=None, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


def _assert_no_contact_data(text: str) -> None:
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL, "privado.example"):
        assert secret not in text


@pytest.mark.django_db
def test_anonymous_sees_only_verified_consenting_organizations_and_no_contact_data(
    client, registry
):
    directory = client.get(reverse("platform_app:organization-directory")).content.decode()
    assert "Club Los Halcones" in directory
    assert "Taller de Teatro Pendiente" not in directory
    assert "Grupo Sin Consentimiento" not in directory
    _assert_no_contact_data(directory)
    detail = client.get(reverse("platform_app:organization-detail", args=["SA-2026-0001"]))
    assert detail.status_code == 200
    _assert_no_contact_data(detail.content.decode())
    for code in ("SA-2026-0002", "SA-2026-0003"):
        url = reverse("platform_app:organization-detail", args=[code])
        assert client.get(url).status_code == 404
    api = client.get("/api/organizations/")
    assert [o["name"] for o in api.json()["results"]] == ["Club Los Halcones"]
    assert "contacts" not in api.json()["results"][0]
    _assert_no_contact_data(api.content.decode())
    export = client.get(reverse("platform_app:organization-directory-export"))
    assert "Club Los Halcones" in export.content.decode()
    _assert_no_contact_data(export.content.decode())
    layer = client.get(reverse("platform_app:organization-map-layer")).content.decode()
    _assert_no_contact_data(layer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("platform_app:desk"),
        reverse("platform_app:desk-search") + "?name=club",
        reverse("platform_app:desk-receipt", args=["SA-2026-0002"]),
        reverse("platform_app:verification-list"),
        reverse("platform_app:verification-detail", args=["SA-2026-0002"]),
        reverse("platform_app:registry-export", args=["csv"]),
    ],
)
def test_staff_pages_refuse_anonymous_residents_and_representatives(client, registry, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/cuentas/login/" in response["Location"]
    _login(client, role="resident")
    assert client.get(url).status_code == 403
    client.logout()
    representative = _login(client, role="representative")
    registry["public"].representatives.add(representative)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_desk_staff_register_but_do_not_verify_or_export(client, registry):
    _login(client, role="desk")
    assert client.get(reverse("platform_app:desk")).status_code == 200
    receipt = client.get(reverse("platform_app:desk-receipt", args=["SA-2026-0002"]))
    assert receipt.status_code == 200
    assert "<svg" in receipt.content.decode()
    assert client.get(reverse("platform_app:verification-list")).status_code == 403
    assert client.get(reverse("platform_app:registry-export", args=["csv"])).status_code == 403


@pytest.mark.django_db
def test_desk_of_another_district_cannot_open_this_districts_records(
    client, registry, other_district
):
    _login(client, role="desk", district=other_district)
    # No campaign is open in Ate: the desk is closed there.
    assert client.get(reverse("platform_app:desk")).status_code == 403
    url = reverse("platform_app:desk-receipt", args=["SA-2026-0002"])
    assert client.get(url).status_code == 404
    search = client.get(reverse("platform_app:desk-search") + "?name=Taller Teatro")
    assert "Taller de Teatro" not in search.content.decode()


@pytest.mark.django_db
def test_coordinator_of_another_district_sees_neither_the_queue_nor_the_contacts(
    client, registry, other_district
):
    _login(client, role="coordinator", district=other_district)
    listing = client.get(reverse("platform_app:verification-list")).content.decode()
    assert "Taller de Teatro Pendiente" not in listing
    assert "Club de Ate" in listing
    url = reverse("platform_app:verification-detail", args=["SA-2026-0002"])
    assert client.get(url).status_code == 404
    api = client.get("/api/organizations/").json()["results"]
    assert {o["name"] for o in api} == {"Club de Ate"}


@pytest.mark.django_db
def test_desk_is_closed_outside_a_campaign(client, santa_anita):
    _login(client, role="desk")
    response = client.get(reverse("platform_app:desk"))
    assert response.status_code == 403
    assert "La mesa está cerrada" in response.content.decode()


@pytest.mark.django_db
def test_coordinator_sees_contacts_in_api_and_exports(client, registry):
    _login(client, role="coordinator")
    api = client.get("/api/organizations/?status=verified&typology=sports").json()["results"]
    halcones = next(o for o in api if o["name"] == "Club Los Halcones")
    assert halcones["contacts"][0]["phone"] == SECRET_PHONE
    csv_text = client.get(reverse("platform_app:registry-export", args=["csv"])).content
    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3  # header and Santa Anita's three records, not Ate's
    # Cells starting with + are quoted so spreadsheets never read them as formulas.
    assert any("'" + SECRET_PHONE in row for row in rows)
    xlsx = client.get(reverse("platform_app:registry-export", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert SECRET_EMAIL in values


@pytest.mark.django_db
def test_coordinator_verifies_rejects_and_merges_with_history_and_email(
    client, registry, django_capture_on_commit_callbacks
):
    coordinator = _login(client, role="coordinator")
    pending = registry["pending"]
    url = reverse("platform_app:verification-detail", args=[pending.registration_code])
    # A rejection needs a reason, shown next to the field.
    response = client.post(url, {"decision": "rejected", "reason": ""})
    assert "reason" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "rejected", "reason": "No es de Santa Anita"})
    pending.refresh_from_db()
    assert pending.status == Organization.Status.REJECTED
    event = OrganizationEvent.objects.get(organization=pending, action="rejected")
    assert event.actor == coordinator
    assert event.reason == "No es de Santa Anita"
    assert mail.outbox
    assert "No es de Santa Anita" in mail.outbox[-1].body
    page = client.get(url).content.decode()
    assert "No es de Santa Anita" in page  # the history is shown to coordinators

    duplicate = OrganizationFactory(
        name="Club Halcones Duplicado",
        status=Organization.Status.PENDING,
        registration_code="SA-2026-0009",
    )
    url = reverse("platform_app:verification-detail", args=[duplicate.registration_code])
    client.post(url, {"decision": "merged", "merged_into": registry["public"].pk})
    duplicate.refresh_from_db()
    assert duplicate.status == Organization.Status.MERGED
    assert duplicate.merged_into == registry["public"]


@pytest.mark.django_db
def test_representative_edits_own_organization_and_name_change_returns_to_review(client, registry):
    representative = _login(client, role="representative")
    own = registry["public"]
    own.representatives.add(representative)
    other_url = reverse("platform_app:organization-edit", args=["SA-2026-0003"])
    assert client.get(other_url).status_code == 404  # not public, not theirs
    url = reverse("platform_app:organization-edit", args=[own.registration_code])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "age_groups"}
    data.update(
        name="Club Los Halcones de Santa Anita",
        sector=str(own.sector_id),
        contact_phone="911222333",
        version=own.version,
        legal_status="informal",
    )
    data.pop("submission_token", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    own.refresh_from_db()
    assert own.status == Organization.Status.PENDING
    assert own.events.filter(action="returned").exists()
    public_url = reverse("platform_app:organization-edit", args=["SA-2026-0001"])
    client.logout()
    _login(client, role="representative")  # represents nothing
    assert client.get(public_url).status_code == 404


@pytest.mark.django_db
def test_the_receipt_qr_of_a_pending_record_says_it_awaits_verification_and_nothing_else(
    client, registry
):
    response = client.get(reverse("platform_app:organization-detail", args=["SA-2026-0002"]))
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="registration-pending"' in page
    assert "SA-2026-0002" in page
    assert "Taller de Teatro" not in page
    hidden = client.get(reverse("platform_app:organization-detail", args=["SA-2026-0003"]))
    assert hidden.status_code == 404
    assert "Grupo Sin Consentimiento" not in hidden.content.decode()
    assert 'data-testid="registration-pending"' not in hidden.content.decode()


@pytest.mark.django_db
def test_only_an_organizations_own_representatives_edit_it(client, registry):
    other = registry["public"]
    url = reverse("platform_app:organization-edit", args=[other.registration_code])
    representative = _login(client, role="representative")
    registry["hidden"].representatives.add(representative)
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"name": "Tomado", "version": other.version})
    assert response.status_code in (403, 404)
    other.refresh_from_db()
    assert other.name == "Club Los Halcones"
    client.logout()
    _login(client, role="resident")
    assert client.get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_desk_staff_see_contacts_of_their_own_district_only(client, registry, other_district):
    # The desk updates records on behalf of walk-in residents, so it reads their contacts,
    # but only in the district it serves.
    _login(client, role="desk")
    results = client.get("/api/organizations/").json()["results"]
    assert "Club de Ate" not in {o["name"] for o in results}
    halcones = next(o for o in results if o["name"] == "Club Los Halcones")
    assert halcones["contacts"][0]["phone"] == SECRET_PHONE
    ContactFactory(
        organization=registry["elsewhere"],
        name="Vecina de Ate",
        phone="+51944555666",
        email="vecina@ate.example",
    )
    client.logout()
    _login(client, role="desk", district=other_district)
    text = json.dumps(client.get("/api/organizations/").json())
    assert "Vecina de Ate" in text
    _assert_no_contact_data(text)
