"""Every page and form of interventions on the permission ladder: a visitor, a resident
(the wrong role), another district's coordinator and the right person.

Objects live in Santa Anita. A district's page (a list, a creation form) answers another
district's coordinator with their own district; an object of Santa Anita that is not public
is a 404 to them, and an intervention (public) is a 404 only on its management pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interventions.models import Company, Invitation, KitDelivery, PledgeDocument
from interventions.services.events import company_representative_add
from interventions.services.works import kit_deliver
from platform_app.models import District, User
from tests.factories import UserFactory
from tests.factories_interventions import (
    CompanyFactory,
    FundraisingEventFactory,
    InterventionFactory,
    KitItemFactory,
    KitTemplateFactory,
    KitTemplateItemFactory,
    MaintenanceGuideFactory,
    PledgeFactory,
    valid_ruc,
)
from tests.imagefiles import png_bytes

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page


@dataclass(frozen=True)
class Rung:
    """What the route answers: a status code, or LOGIN for the sign-in redirect."""

    anonymous: int | str
    wrong_role: int
    other_district: int
    right: int
    right_role: str = "coordinator"


@dataclass(frozen=True)
class Case:
    method: str
    # Builds the address and the form data for objects of Santa Anita.
    build: Callable[[], tuple[str, dict[str, object]]]
    rung: Rung
    files: Callable[[], dict[str, object]] = field(default=lambda: {})


def _url(name: str, *args: object) -> str:
    return reverse(f"interventions:{name}", args=args)


def _item() -> tuple[int, int]:
    item = KitItemFactory(quantity=Decimal("4"))
    return item.kit.intervention.pk, item.pk


def _allocate() -> tuple[str, dict[str, object]]:
    item = KitItemFactory(quantity=Decimal("4"))
    pledge = PledgeFactory(amount=Decimal("5000.00"), state="confirmed")
    url = _url("item-allocate", item.kit.intervention.pk, item.pk)
    return url, {"pledge": pledge.pk, "amount_pen": "10.00"}


def _delivery() -> KitDelivery:
    item = KitItemFactory(quantity=Decimal("4"))
    return kit_deliver(
        item=item,
        quantity=Decimal("1"),
        date=date(2026, 5, 1),
        received_by="Rosa",
        signature=ContentFile(png_bytes(), name="firma.png"),
        by=None,
    )


def _delivery_file() -> tuple[str, dict[str, object]]:
    delivery = _delivery()
    return _url("delivery-file", delivery.item.kit.intervention_id, delivery.pk, "firma"), {}


def _kit_template() -> tuple[str, dict[str, object]]:
    template = KitTemplateFactory()
    KitTemplateItemFactory(template=template)
    return _url("kit-template", InterventionFactory().pk), {"template": template.pk}


def _pledge_document() -> tuple[str, dict[str, object]]:
    pledge = PledgeFactory()
    document = PledgeDocument.objects.create(
        pledge=pledge, kind="receipt", file=ContentFile(png_bytes(), name="recibo.png")
    )
    return _url("pledge-document", pledge.pk, document.pk), {}


def _event_answers() -> tuple[str, dict[str, object]]:
    event = FundraisingEventFactory()
    invitation = Invitation.objects.create(event=event, company=CompanyFactory())
    return _url("event-answers", event.pk), {
        "answers-TOTAL_FORMS": "1",
        "answers-INITIAL_FORMS": "1",
        "answers-0-id": str(invitation.pk),
        "answers-0-status": "confirmed",
        "answers-0-attended": "on",
    }


def _platform_invite() -> tuple[str, dict[str, object]]:
    event = FundraisingEventFactory()
    invitation = Invitation.objects.create(event=event, company=CompanyFactory())
    return _url("company-platform-invite", event.pk, invitation.pk), {}


def _invitation_answer() -> tuple[str, dict[str, object]]:
    event = FundraisingEventFactory(date=timezone.localdate() + timedelta(days=5))
    company = CompanyFactory()
    company_representative_add(company=company, email="rep@empresa.pe", added_by=None)
    invitation = Invitation.objects.create(event=event, company=company)
    return _url("invitation-answer", invitation.pk), {"status": "confirmed"}


def _company_mine() -> tuple[str, dict[str, object]]:
    company_representative_add(company=CompanyFactory(), email="rep@empresa.pe", added_by=None)
    return _url("company-mine"), {}


def _new_company() -> tuple[str, dict[str, object]]:
    # A RUC of its own each time: a company is registered once.
    ruc = valid_ruc(Company.objects.count() + 7)
    return _url("company-list"), {"name": "Nueva S.A.", "ruc": ruc, "activity": "commerce"}


def _new_pledge() -> tuple[str, dict[str, object]]:
    company = CompanyFactory()
    return _url("pledge-list"), {
        "company": company.pk,
        "kind": "money",
        "currency": "PEN",
        "amount": "500.00",
        "exchange_rate": "3.7500",
        "rate_date": "2026-03-10",
    }


MANAGE = Rung(anonymous=LOGIN, wrong_role=403, other_district=404, right=302)
MANAGE_PAGE = Rung(anonymous=LOGIN, wrong_role=403, other_district=404, right=200)
# Pledges and events are coordination work: a 404 to whoever may not see them.
HIDDEN = Rung(anonymous=LOGIN, wrong_role=404, other_district=404, right=302)
HIDDEN_PAGE = Rung(anonymous=LOGIN, wrong_role=404, other_district=404, right=200)
# A district's page: another district's coordinator works on their own district there.
DISTRICT_PAGE = Rung(anonymous=LOGIN, wrong_role=403, other_district=200, right=200)
DISTRICT_FORM = Rung(anonymous=LOGIN, wrong_role=403, other_district=302, right=302)
# The guide is written with the team; interventions are public, so a refusal is a 403.
GUIDE = Rung(anonymous=LOGIN, wrong_role=403, other_district=403, right=302)
COMPANY = "company-representative"  # the representative of the case's company

CASES: dict[str, Case] = {
    "intervention-manage": Case(
        "get", lambda: (_url("intervention-manage", InterventionFactory().pk), {}), MANAGE_PAGE
    ),
    "intervention-status": Case(
        "post",
        lambda: (
            _url("intervention-status", InterventionFactory().pk),
            {"status": "execution", "progress": "40"},
        ),
        MANAGE,
    ),
    "intervention-create": Case("get", lambda: (_url("intervention-create"), {}), DISTRICT_PAGE),
    "kit-template": Case("post", _kit_template, MANAGE),
    "kit-item-add": Case(
        "post",
        lambda: (
            _url("kit-item-add", InterventionFactory().pk),
            {
                "name": "Banca",
                "category": "furniture",
                "unit": "unidad",
                "quantity": "2",
                "unit_cost_pen": "300",
            },
        ),
        MANAGE,
    ),
    "item-allocate": Case("post", _allocate, MANAGE),
    "item-deliver": Case("get", lambda: (_url("item-deliver", *_item()), {}), MANAGE_PAGE),
    "delivery-file": Case(
        "get",
        _delivery_file,
        # The file view answers a visitor with 403 rather than the sign-in page.
        Rung(anonymous=403, wrong_role=403, other_district=404, right=200),
    ),
    "activity-add": Case(
        "post",
        lambda: (
            _url("activity-add", InterventionFactory().pk),
            {"kind": "workshop", "date": "2026-05-02", "who": "Vecinos", "what": "Taller"},
        ),
        MANAGE,
    ),
    "budget-add": Case(
        "post",
        lambda: (
            _url("budget-add", InterventionFactory().pk),
            {"description": "Mano de obra", "source": "municipal", "amount_pen": "1200"},
        ),
        MANAGE,
    ),
    "photo-add": Case(
        "post",
        lambda: (
            _url("photo-add", InterventionFactory().pk),
            {"moment": "before", "caption": "Antes"},
        ),
        MANAGE,
        files=lambda: {"image": SimpleUploadedFile("antes.png", png_bytes(), "image/png")},
    ),
    "guide-task-add": Case(
        "post",
        lambda: (
            _url("guide-task-add", InterventionFactory().pk),
            {"title": "Riego", "first_on": "2026-06-01", "every_months": "1", "active": "on"},
        ),
        GUIDE,
    ),
    "guide-save": Case(
        "post",
        lambda: (
            _url("guide-save", InterventionFactory().pk),
            {"introduction": "Parque de la familia", "rules": "Sin basura"},
        ),
        GUIDE,
    ),
    "guide-edit": Case(
        "get",
        lambda: (_url("guide-edit", InterventionFactory().pk), {}),
        Rung(anonymous=LOGIN, wrong_role=403, other_district=403, right=200),
    ),
    "pledge-list": Case("get", lambda: (_url("pledge-list"), {}), DISTRICT_PAGE),
    "POST pledge-list": Case(
        "post",
        _new_pledge,
        # Another district's coordinator is offered their own district's companies only.
        Rung(anonymous=LOGIN, wrong_role=403, other_district=200, right=302),
    ),
    "pledge-detail": Case(
        "get", lambda: (_url("pledge-detail", PledgeFactory().pk), {}), HIDDEN_PAGE
    ),
    "pledge-state": Case(
        "post",
        lambda: (_url("pledge-state", PledgeFactory().pk), {"state": "received", "note": ""}),
        HIDDEN,
    ),
    "pledge-document-upload": Case(
        "post",
        lambda: (_url("pledge-document-upload", PledgeFactory().pk), {"kind": "receipt"}),
        HIDDEN,
        files=lambda: {"file": SimpleUploadedFile("recibo.png", png_bytes(), "image/png")},
    ),
    "pledge-document": Case(
        "get",
        _pledge_document,
        # Served to whoever may see the pledge; nobody else learns the file exists.
        Rung(anonymous=404, wrong_role=404, other_district=404, right=200),
    ),
    "event-list": Case("get", lambda: (_url("event-list"), {}), DISTRICT_PAGE),
    "event-detail": Case(
        "get", lambda: (_url("event-detail", FundraisingEventFactory().pk), {}), HIDDEN_PAGE
    ),
    "event-invite": Case(
        "post",
        lambda: (
            _url("event-invite", FundraisingEventFactory().pk),
            {"invite-companies": [CompanyFactory().pk]},
        ),
        HIDDEN,
    ),
    "event-answers": Case("post", _event_answers, HIDDEN),
    "company-platform-invite": Case(
        "post",
        _platform_invite,
        # No sign-in page first: an event is a 404 to whoever may not see it.
        Rung(anonymous=404, wrong_role=404, other_district=404, right=302),
    ),
    "POST company-list": Case(
        "post",
        _new_company,
        # The public list takes no sign-in; adding is a coordinator's, in their district.
        Rung(anonymous=403, wrong_role=403, other_district=302, right=302),
    ),
    "invitation-answer": Case(
        "post",
        _invitation_answer,
        Rung(anonymous=LOGIN, wrong_role=404, other_district=404, right=302, right_role=COMPANY),
    ),
    "company-mine": Case(
        "get",
        _company_mine,
        Rung(anonymous=LOGIN, wrong_role=403, other_district=403, right=200, right_role=COMPANY),
    ),
    "impact-reference-save": Case(
        "post",
        lambda: (
            _url("impact-reference-save", "complaints"),
            {
                "complaints-value": "120",
                "complaints-observed_on": "2025-01-01",
                "complaints-source": "Comisaría de Santa Anita",
            },
        ),
        DISTRICT_FORM,
    ),
}


def _person(role: str, district: District | None = None) -> User:
    if role == COMPANY:
        # The representative named for the case's company, by the address it was given.
        return UserFactory(email="rep@empresa.pe")
    extra = {"district": district} if district is not None else {}
    return UserFactory(role=role, **extra)


def _send(client: Client, case: Case, url: str, data: dict[str, object]) -> int | str:
    if case.method == "get":
        response = client.get(url, data)
    else:
        response = client.post(url, {**data, **case.files()})
    if response.status_code == 302 and "/cuentas/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.ladder(
    "interventions:intervention-manage",
    "interventions:intervention-status",
    "interventions:intervention-create",
    "interventions:kit-template",
    "interventions:kit-item-add",
    "interventions:item-allocate",
    "interventions:item-deliver",
    "interventions:delivery-file",
    "interventions:activity-add",
    "interventions:budget-add",
    "interventions:photo-add",
    "interventions:guide-edit",
    "interventions:guide-save",
    "interventions:guide-task-add",
    "interventions:pledge-list",
    "interventions:pledge-detail",
    "interventions:pledge-state",
    "interventions:pledge-document-upload",
    "interventions:pledge-document",
    "interventions:event-list",
    "interventions:event-detail",
    "interventions:event-invite",
    "interventions:event-answers",
    "interventions:company-platform-invite",
    "interventions:company-list",
    "interventions:invitation-answer",
    "interventions:company-mine",
    "interventions:impact-reference-save",
)
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_interventions_page_on_the_permission_ladder(client, other_district, name):
    case = CASES[name]
    rung = case.rung
    # A fresh object for each rung: the right person's send changes it.
    assert _send(client, case, *case.build()) == rung.anonymous
    client.force_login(_person("resident"))
    assert _send(client, case, *case.build()) == rung.wrong_role
    client.force_login(_person("coordinator", other_district))
    assert _send(client, case, *case.build()) == rung.other_district
    # The person first: a company's representative is tied to the company as it is named.
    person = _person(rung.right_role)
    url, data = case.build()
    client.force_login(person)
    assert _send(client, case, url, data) == rung.right


@pytest.mark.ladder(
    "interventions:guide-print",
    "interventions:results-export",
    "interventions:results-district-export",
)
def test_the_printed_guide_and_the_results_export_are_public(client, santa_anita):
    guide = MaintenanceGuideFactory()
    assert client.get(_url("guide-print", guide.intervention.pk)).status_code == 200
    assert client.get(_url("results-export", "csv")).status_code == 200
    assert client.get(_url("results-district-export", santa_anita.slug, "csv")).status_code == 200
    # A cancelled intervention's guide is no longer handed out.
    guide.intervention.status = "cancelled"
    guide.intervention.save()
    assert client.get(_url("guide-print", guide.intervention.pk)).status_code == 404


@pytest.mark.ladder("kit-delivery-list")
def test_api_lists_deliveries_to_those_who_manage_the_intervention(client, other_district):
    _delivery()
    url = "/api/kit-deliveries/"
    assert client.get(url).status_code in (401, 403)
    client.force_login(_person("resident"))
    assert client.get(url).json()["count"] == 0
    client.force_login(_person("coordinator", other_district))
    assert client.get(url).json()["count"] == 0
    client.force_login(_person("coordinator"))
    assert client.get(url).json()["count"] == 1


def test_the_services_refuse_a_person_without_the_role(other_district):
    """An API write or a task that calls a service directly meets the same rules as the
    pages: the person it acts for is checked before anything is written."""
    from django.core.exceptions import PermissionDenied

    from interventions.models import BudgetLine, MaintenanceTask
    from interventions.perception.services import wave_set_open
    from interventions.services.events import event_invite
    from interventions.services.guides import guide_task_add
    from interventions.services.pledges import pledge_allocate, pledge_set_state
    from interventions.services.works import budget_line_add
    from tests.interventions.perception_helpers import setup_survey

    resident = _person("resident")
    elsewhere = _person("coordinator", other_district)
    event, company = FundraisingEventFactory(), CompanyFactory()
    pledge, item = PledgeFactory(), KitItemFactory()
    intervention = item.kit.intervention
    guide = MaintenanceGuideFactory(intervention=intervention)
    wave = setup_survey(event.district)
    for actor in (resident, elsewhere):
        with pytest.raises(PermissionDenied):
            event_invite(actor=actor, event=event, companies=[company])
        with pytest.raises(PermissionDenied):
            pledge_set_state(pledge=pledge, state="received", by=actor)
        with pytest.raises(PermissionDenied):
            pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("10"), by=actor)
        with pytest.raises(PermissionDenied):
            budget_line_add(
                actor=actor,
                intervention=intervention,
                line=BudgetLine(description="Obra", source="municipal", amount_pen=1),
            )
        with pytest.raises(PermissionDenied):
            guide_task_add(
                actor=actor,
                guide=guide,
                task=MaintenanceTask(title="Riego", first_on=date(2026, 6, 1), every_months=1),
            )
        with pytest.raises(PermissionDenied):
            wave_set_open(actor=actor, wave=wave, is_open=False)
    assert not Invitation.objects.exists()
    assert not pledge.allocations.exists()
    assert not intervention.budget_lines.exists()
    assert not guide.tasks.exists()
    wave.refresh_from_db()
    assert wave.is_open


def test_a_refused_form_comes_back_with_what_was_typed(client):
    """Each form of the pledge and guide pages posts to its own address; when it is refused
    the page comes back with the typed values and the message, nothing lost."""
    pledge = PledgeFactory()
    intervention = InterventionFactory()
    client.force_login(_person("coordinator"))
    # A confirmed pledge cannot go back to "pledged".
    refused = client.post(
        _url("pledge-state", pledge.pk), {"state": "pledged", "note": "Carta del gerente"}
    )
    assert refused.status_code == 200
    assert refused.context["state_form"].non_field_errors()
    assert "Carta del gerente" in refused.content.decode()
    pledge.refresh_from_db()
    assert pledge.state == "confirmed"
    # A task without its first date.
    refused = client.post(
        _url("guide-task-add", intervention.pk),
        {"title": "Barnizado de bancas", "every_months": "6"},
    )
    assert refused.status_code == 200
    assert "first_on" in refused.context["task_form"].errors
    assert 'value="Barnizado de bancas"' in refused.content.decode()


@pytest.mark.ladder("fundraising-event-detail", "kit-delivery-detail")
def test_api_shows_an_event_or_a_delivery_to_the_districts_coordinators_only(
    client, other_district
):
    urls = [
        f"/api/fundraising-events/{FundraisingEventFactory().pk}/",
        f"/api/kit-deliveries/{_delivery().pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code in (401, 403)
    client.force_login(_person("resident"))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(_person("coordinator", other_district))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(_person("coordinator"))
    assert [client.get(url).status_code for url in urls] == [200, 200]
