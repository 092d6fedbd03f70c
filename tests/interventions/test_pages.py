"""Pages of interventions on the permission ladder, and what each shows (or hides)."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from interventions.models import Intervention, KitDelivery, MaintenanceGuide
from interventions.services.pledges import pledge_allocate, pledge_update
from tests.factories import UserFactory
from tests.factories import signed_in as _login
from tests.factories_interventions import (
    CompanyFactory,
    InterventionFactory,
    KitItemFactory,
    KitTemplateItemFactory,
    MaintenanceTaskFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db


def _signature_data_url(empty: bool = False) -> str:
    image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    if not empty:
        for x in range(5, 55):
            image.putpixel((x, 10), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def financed_item():
    item = KitItemFactory(
        name="Bancas de madera", quantity=Decimal("4"), unit_cost_pen=Decimal("250")
    )
    pledge = PledgeFactory(company=CompanyFactory(name="Mercado Mayorista S.A."))
    pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("600.00"), by=None)
    return item


def test_company_public_page_shows_what_it_financed_and_no_contact(client, financed_item):
    company = financed_item.allocations.get().pledge.company
    response = client.get(reverse("interventions:company-public", args=[company.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Bancas de madera" in text
    assert financed_item.kit.intervention.title in text
    assert "S/\xa0600.00" in text
    assert company.contact_email not in text
    assert company.contact_name not in text


def test_intervention_public_page_shows_who_financed_what(client, financed_item):
    intervention = financed_item.kit.intervention
    response = client.get(reverse("interventions:intervention-detail", args=[intervention.pk]))
    text = response.content.decode()
    assert "Mercado Mayorista S.A." in text
    assert "S/\xa0400.00" in text  # missing: 1,000 − 600
    assert "contacto" not in text


@pytest.mark.parametrize(
    ("role", "sees_contacts"),
    [(None, False), ("resident", False), ("surveyor", False), ("coordinator", True)],
)
def test_company_list_is_public_and_shows_contacts_to_coordinators_only(
    client, role, sees_contacts
):
    CompanyFactory(name="Mercado Modelo S.A.C.", contact_email="privado@empresa.pe")
    if role:
        _login(client, role)
    response = client.get(reverse("interventions:company-list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mercado Modelo S.A.C." in text
    assert ("privado@empresa.pe" in text) is sees_contacts
    assert ("Agregar empresa" in text) is sees_contacts


@pytest.mark.ladder("interventions:company-list")
def test_only_coordinators_add_companies(client):
    _login(client, "resident")
    response = client.post(reverse("interventions:company-list"), {"name": "Intrusa S.A."})
    assert response.status_code == 403


def test_pledge_pages_are_scoped_to_the_coordinators_district(client, other_district):
    pledge = PledgeFactory()
    _login(client, "coordinator", district=other_district)
    assert client.get(reverse("interventions:pledge-detail", args=[pledge.pk])).status_code == 404
    client.logout()
    _login(client, "coordinator")
    response = client.get(reverse("interventions:pledge-detail", args=[pledge.pk]))
    assert response.status_code == 200
    assert pledge.company.name in response.content.decode()


@pytest.mark.ladder("interventions:intervention-manage")
def test_manage_page_ladder(client, other_district):
    intervention = InterventionFactory()
    url = reverse("interventions:intervention-manage", args=[intervention.pk])
    assert client.get(url).status_code in (302, 403)
    _login(client, "resident")
    assert client.get(url).status_code == 403
    client.logout()
    _login(client, "coordinator", district=other_district)
    assert client.get(url).status_code == 404
    client.logout()
    _login(client, "coordinator")
    assert client.get(url).status_code == 200


@pytest.mark.ladder("interventions:intervention-status")
def test_changing_the_status_on_the_permission_ladder(client, other_district):
    intervention = InterventionFactory(progress=0)
    url = reverse("interventions:intervention-status", args=[intervention.pk])
    data = {"status": "execution", "progress": 40, "once": uuid.uuid4().hex}
    response = client.post(url, data)
    assert response.status_code == 302
    assert "/cuentas/" in response["Location"]  # anonymous: to the sign-in page
    _login(client, "resident")
    assert client.post(url, data).status_code == 403
    client.logout()
    _login(client, "coordinator", district=other_district)
    assert client.post(url, data).status_code == 404
    client.logout()
    intervention.refresh_from_db()
    assert (intervention.status, intervention.progress) == ("co_design", 0)
    # The district's coordinator changes it, once even if the form is sent twice.
    _login(client, "coordinator")
    manage = reverse("interventions:intervention-manage", args=[intervention.pk])
    assert client.post(url, data)["Location"] == manage
    assert client.post(url, data)["Location"] == manage
    intervention.refresh_from_db()
    assert (intervention.status, intervention.progress) == ("execution", 40)


def test_coordinator_creates_a_kit_from_a_template_and_finances_an_item(client):
    intervention = InterventionFactory()
    template_item = KitTemplateItemFactory(
        name="Pintura", quantity=Decimal("10"), unit_cost_pen=Decimal("50")
    )
    pledge = PledgeFactory(amount=Decimal("300.00"))
    _login(client, "coordinator")
    client.post(
        reverse("interventions:kit-template", args=[intervention.pk]),
        {"template": template_item.template.pk},
    )
    item = intervention.kit.items.get()
    assert (item.name, item.quantity) == ("Pintura", Decimal("10"))
    response = client.post(
        reverse("interventions:item-allocate", args=[intervention.pk, item.pk]),
        {"pledge": pledge.pk, "amount_pen": "400.00"},
        follow=True,
    )
    assert "300.00" in response.content.decode()  # refused: only S/ 300 left
    client.post(
        reverse("interventions:item-allocate", args=[intervention.pk, item.pk]),
        {"pledge": pledge.pk, "amount_pen": "300.00"},
    )
    assert item.allocations.get().amount_pen == Decimal("300.00")


def test_an_allocation_sent_twice_is_recorded_once(client):
    item = KitItemFactory(quantity=Decimal("10"), unit_cost_pen=Decimal("50"))
    intervention = item.kit.intervention
    pledge = PledgeFactory(amount=Decimal("300.00"))
    _login(client, "coordinator")
    url = reverse("interventions:item-allocate", args=[intervention.pk, item.pk])
    data = {"pledge": pledge.pk, "amount_pen": "100.00", "once": uuid.uuid4().hex}
    client.post(url, data)
    client.post(url, data)  # the same form again: the first answer was lost
    assert [a.amount_pen for a in item.allocations.all()] == [Decimal("100.00")]


def test_delivery_with_a_drawn_signature(client):
    item = KitItemFactory(quantity=Decimal("4"))
    intervention = item.kit.intervention
    _login(client, "coordinator")
    url = reverse("interventions:item-deliver", args=[intervention.pk, item.pk])
    assert client.get(url).status_code == 200
    data = {"date": "2026-05-01", "quantity": "2", "received_by": "Ana Torres"}
    empty = client.post(url, {**data, "signature_data": _signature_data_url(empty=True)})
    assert "empty" in empty.content.decode() or "vacía" in empty.content.decode()
    assert (
        client.post(url, {**data, "signature_data": "data:image/png;base64,AAAA"}).status_code
        == 200
    )
    assert not KitDelivery.objects.exists()
    response = client.post(url, {**data, "signature_data": _signature_data_url()})
    assert response.status_code == 302
    delivery = KitDelivery.objects.get()
    assert delivery.signature.name.endswith(".png")
    item.refresh_from_db()
    assert item.delivered == Decimal("2")


def test_guide_is_built_from_the_kit_and_prints_with_a_qr_code(client):
    item = KitItemFactory(name="Juego infantil", care="Revisar los pernos")
    intervention = item.kit.intervention
    _login(client, "coordinator")
    assert (
        client.get(reverse("interventions:guide-edit", args=[intervention.pk])).status_code == 200
    )
    guide = MaintenanceGuide.objects.get(intervention=intervention)
    assert "Juego infantil" in guide.installed
    assert "Revisar los pernos" in guide.care
    guide.responsible_email = "privado@junta.pe"
    guide.save()
    MaintenanceTaskFactory(guide=guide, title="Pintar las bancas", first_on=date(2030, 1, 15))
    client.logout()
    response = client.get(reverse("interventions:guide-print", args=[intervention.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in text
    assert "Pintar las bancas" in text
    assert "15/01/2030" in text
    assert intervention.public_space.get_absolute_url() in text
    assert "privado@junta.pe" not in text


def test_only_one_large_scale_intervention_per_district(client):
    InterventionFactory(large_scale=True)
    other = InterventionFactory()
    _login(client, "coordinator")
    client.post(
        reverse("interventions:intervention-status", args=[other.pk]),
        {"status": "execution", "progress": 10, "large_scale": "on"},
    )
    assert Intervention.objects.filter(large_scale=True).count() == 1


def test_intervention_from_an_outstanding_teams_proposal(client):
    from tests.factories_festival import ProposalFactory

    proposal = ProposalFactory(team__is_outstanding=True)
    not_outstanding = ProposalFactory()
    _login(client, "coordinator")
    page = client.get(reverse("interventions:intervention-create")).content.decode()
    assert proposal.team.name in page
    assert not_outstanding.team.name not in page
    response = client.post(reverse("interventions:intervention-create"), {"proposal": proposal.pk})
    intervention = Intervention.objects.get(proposal=proposal)
    assert response.status_code == 302
    assert intervention.lead_team == proposal.team
    assert intervention.lead_organization == proposal.team.organization
    assert intervention.phases.count() == 3


@pytest.mark.ladder("pledge-list")
def test_api_hides_contacts_and_scopes_pledges(client, other_district):
    PledgeFactory(company=CompanyFactory(contact_email="privado@empresa.pe"))
    companies = client.get("/api/companies/").content.decode()
    assert "privado@empresa.pe" not in companies
    assert "Jorge" not in companies
    assert client.get("/api/pledges/").status_code in (401, 403)
    _login(client, "coordinator", district=other_district)
    assert client.get("/api/pledges/").json()["count"] == 0
    client.logout()
    _login(client, "coordinator")
    assert client.get("/api/pledges/").json()["count"] == 1
    for url in ("/api/interventions/", "/api/kits/", "/api/guides/", "/api/results/150137/"):
        assert client.get(url).status_code == 200


def test_coordinator_records_a_pledge_and_changes_its_state_with_history(client):
    from interventions.models import Pledge

    company = CompanyFactory()
    _login(client, "coordinator")
    response = client.post(
        reverse("interventions:pledge-list"),
        {
            "company": company.pk,
            "kind": "money",
            "currency": "USD",
            "amount": "2500.00",
            "exchange_rate": "3.7400",
            "rate_date": "2026-03-10",
        },
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.value_pen == Decimal("9350.00")
    client.post(
        reverse("interventions:pledge-state", args=[pledge.pk]),
        {"state": "confirmed", "note": "Carta recibida"},
    )
    page = client.get(reverse("interventions:pledge-detail", args=[pledge.pk])).content.decode()
    assert "Carta recibida" in page
    assert list(pledge.history.values_list("action", flat=True)) == ["created", "state"]


def test_company_logo_must_be_a_real_image(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from interventions.models import Company

    _login(client, "coordinator")
    data = {"name": "Logo S.A.", "ruc": "20131312955", "activity": "commerce"}
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    client.post(reverse("interventions:company-list"), {**data, "logo": fake})
    assert not Company.objects.exists()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 10, 10)).save(buffer, "PNG")
    real = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    client.post(reverse("interventions:company-list"), {**data, "logo": real})
    assert Company.objects.get().logo.name.endswith(".png")


@pytest.mark.ladder("interventions:guide-edit", "interventions:guide-save")
def test_guide_is_edited_by_coordinators_and_the_lead_team_only(client, other_district):
    from tests.factories_festival import TeamFactory

    team = TeamFactory()
    intervention = InterventionFactory(lead_team=team, lead_organization=team.organization)
    url = reverse("interventions:guide-edit", args=[intervention.pk])
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    _login(client, "representative")  # represents another team
    assert client.get(url).status_code == 403
    client.logout()
    _login(client, "coordinator", district=other_district)
    assert client.get(url).status_code == 403
    client.logout()
    client.force_login(team.representative)
    response = client.post(
        reverse("interventions:guide-save", args=[intervention.pk]),
        {"introduction": "Parque de la familia", "rules": "Sin basura"},
    )
    assert response.status_code == 302
    assert MaintenanceGuide.objects.get(intervention=intervention).rules == "Sin basura"


@pytest.mark.parametrize(
    "url_name", ["interventions:intervention-detail", "interventions:company-public"]
)
def test_public_pages_query_count_does_not_grow(client, url_name):
    item = KitItemFactory()
    intervention = item.kit.intervention
    company = CompanyFactory()

    def grow(n):
        for _ in range(n):
            extra = KitItemFactory(kit=item.kit)
            pledge = PledgeFactory(company=company, amount=Decimal("5000"))
            pledge_allocate(pledge=pledge, item=extra, amount_pen=Decimal("100"), by=None)

    args = [intervention.pk] if url_name.endswith("detail") else [company.pk]
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name, args=args)).status_code == 200
    grow(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(url_name, args=args)).status_code == 200
    assert len(large) == len(small)


def test_pledge_page_query_count_does_not_grow_with_its_history(client):
    pledge = PledgeFactory(amount=Decimal("100000.00"))
    _login(client, "coordinator")
    url = reverse("interventions:pledge-detail", args=[pledge.pk])

    def grow(n):
        nonlocal pledge
        for i in range(n):
            # A line by someone new, and an allocation (with its own line) to a new item.
            pledge = pledge_update(
                pledge=pledge,
                by=UserFactory(role="coordinator"),
                fields={"note": f"Nota {pledge.version} {i}"},
                version=pledge.version,
                note="Corrección",
            )
            pledge_allocate(pledge=pledge, item=KitItemFactory(), amount_pen=Decimal("1"), by=None)
            pledge.refresh_from_db()

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["history"]) == 2 * 12  # a correction and an allocation each
    assert len(large) == len(small)
