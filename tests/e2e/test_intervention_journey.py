"""A coordinator turns an outstanding team's proposal into an intervention, builds its kit
from a template, finances it with two companies' pledges (one in kind), records a delivery
signed on a touch screen, adds a support visit and prints the maintenance guide; the
company's public page then shows what it financed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from interventions.models import Allocation, Intervention, KitDelivery
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_festival import ProposalFactory
from tests.factories_interventions import (
    CompanyFactory,
    KitTemplateFactory,
    KitTemplateItemFactory,
    PledgeFactory,
)

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    # A 10-inch tablet in landscape, with a touch screen.
    return {"viewport": {"width": 1280, "height": 800}, "has_touch": True}


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_coordinator_takes_a_proposal_to_a_financed_kit_and_a_printed_guide(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the signature stays out of data/media
    coordinator = UserFactory(role="coordinator")
    proposal = ProposalFactory(team__is_outstanding=True, team__name="Elenco Los Ficus")
    template = KitTemplateFactory(name="Kit de parque")
    KitTemplateItemFactory(
        template=template,
        name="Banca de madera",
        quantity=Decimal("4"),
        unit_cost_pen=Decimal("250"),
    )
    KitTemplateItemFactory(
        template=template, name="Pintura látex", quantity=Decimal("10"), unit_cost_pen=Decimal("45")
    )
    market = CompanyFactory(name="Mercado Mayorista S.A.")
    hardware = CompanyFactory(name="Ferretería Los Ficus")
    money = PledgeFactory(
        company=market, currency="USD", amount=Decimal("500"), exchange_rate=Decimal("3.75")
    )
    in_kind = PledgeFactory(
        company=hardware,
        kind="in_kind",
        amount=None,
        description="Pintura látex",
        quantity=Decimal("10"),
        unit="galón",
        estimated_value_pen=Decimal("450.00"),
    )
    _sign_in(page, live_server, coordinator)

    # 1. The outstanding team's proposal becomes an intervention.
    page.goto("/intervenciones/nueva/")
    page.get_by_label("Propuesta de un elenco destacado:", exact=True).select_option(
        label=f"Elenco Los Ficus · {proposal.public_space.name}"
    )
    page.get_by_role("button", name="Crear a partir de la propuesta").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Elenco Los Ficus")
    intervention = Intervention.objects.get(proposal=proposal)

    # 2. The kit comes from the template.
    page.get_by_label("Plantilla de kit:", exact=True).select_option(label="Kit de parque")
    page.get_by_role("button", name="Crear kit a partir de la plantilla").click()
    expect(page.get_by_role("row", name="Banca de madera")).to_be_visible()

    # 3. Two companies finance it: money for the benches, paint in kind.
    page.get_by_text("Financiar o entregar «Banca de madera»").click()
    benches = page.get_by_role("form", name="Financiar Banca de madera")
    benches.get_by_label("Compromiso de aporte").select_option(str(money.pk))
    benches.get_by_label("Monto (S/)").fill("1000.00")
    benches.get_by_role("button", name="Financiar").click()
    expect(page.get_by_role("status")).to_contain_text("Financiamiento registrado")

    page.get_by_text("Financiar o entregar «Pintura látex»").click()
    paint = page.get_by_role("form", name="Financiar Pintura látex")
    paint.get_by_label("Compromiso de aporte").select_option(str(in_kind.pk))
    paint.get_by_label("Monto (S/)").fill("450.00")
    paint.get_by_role("button", name="Financiar").click()
    expect(page.get_by_role("status")).to_contain_text("Financiamiento registrado")
    assert Allocation.objects.filter(item__kit__intervention=intervention).count() == 2
    expect(page.get_by_role("row", name="Pintura látex")).to_contain_text("Ferretería Los Ficus")

    # 4. A delivery signed with a finger on the tablet.
    page.get_by_text("Financiar o entregar «Banca de madera»").click()
    page.get_by_role("link", name="Registrar entrega de Banca de madera").click()
    page.get_by_label("Recibido por:", exact=True).fill("Rosa Huamán")
    pad = page.get_by_role("img", name="Panel de firma")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    # A real finger: touch events through the DevTools protocol, not a mouse. The pad must
    # turn them into a stroke (touch-action: none keeps the page from scrolling instead).
    touch = page.context.new_cdp_session(page)
    x, y = box["x"] + 30, box["y"] + 120
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for step in range(1, 12):
        x, y = box["x"] + 30 + step * 40, box["y"] + 120 + (-1) ** step * 40
        touch.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.get_by_role("button", name="Registrar entrega").click()
    expect(page.get_by_role("status")).to_contain_text("Entrega de «Banca de madera» registrada")
    delivery = KitDelivery.objects.get()
    assert delivery.signature.name.endswith(".png")
    assert delivery.received_by == "Rosa Huamán"

    # 5. A technical support visit.
    activity = page.get_by_role("region", name="Talleres y visitas técnicas")
    activity.get_by_label("Tipo:", exact=True).select_option("support_visit")
    activity.get_by_label("Fecha:", exact=True).fill("2026-05-04")
    activity.get_by_label("Quiénes participaron:", exact=True).fill("Ingeniera de obras")
    activity.get_by_label("Qué se hizo:", exact=True).fill("Revisión del anclaje de las bancas")
    activity.get_by_role("button", name="Registrar actividad").click()
    expect(page.get_by_role("status")).to_contain_text("Actividad registrada")
    assert intervention.activities.filter(kind="support_visit").count() == 1

    # 6. The maintenance guide, built from the kit, prints as a booklet with a QR code.
    page.get_by_role("link", name="Guía de uso y mantenimiento").first.click()
    expect(page.get_by_label("Qué se instaló:", exact=True)).to_contain_text("Banca de madera")
    page.get_by_role("link", name="Imprimir la guía").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guía de uso y mantenimiento")
    expect(page.locator(".qr svg")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Qué se instaló")).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    # 7. The company's public page shows what it financed, without its contact.
    page.context.clear_cookies()
    page.goto(f"/empresas/{market.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mercado Mayorista S.A.")
    expect(page.get_by_role("main")).to_contain_text("Banca de madera")
    expect(page.get_by_role("main")).to_contain_text(intervention.title)
    expect(page.get_by_role("main")).not_to_contain_text(market.contact_email)
