"""A desk clerk registers organizations with the keyboard only: two new ones, then a near
duplicate that the search-as-you-type catches and the clerk updates instead; each ends on
a printable receipt with a QR code, from which the keyboard leads to the next entry."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from platform_app.models import Organization, OrganizationEvent
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_registry import CampaignFactory, OrganizationFactory

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1440, "height": 900}}


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _tab_to(page, field_name: str) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == field_name:
            return
    raise AssertionError(f"Tab never reached {field_name}")


def test_desk_registers_two_organizations_by_keyboard_and_updates_a_duplicate(page, live_server):
    CampaignFactory()
    clerk = UserFactory(role="desk", email="mesa@example.org")
    existing = OrganizationFactory(
        name="Asociación vecinal Los Ficus",
        typology=Organization.Typology.NEIGHBOURHOOD,
        status=Organization.Status.PENDING,
        registration_code="SA-2026-0001",
        members_count=12,
    )
    _sign_in(page, live_server, clerk)

    # First registration: a new organization.
    page.goto("/mesa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mesa de inscripción")
    expect(page.get_by_test_id("count-today")).to_have_text("0")
    name = page.get_by_label("Nombre:", exact=True)
    expect(name).to_be_focused()
    page.keyboard.type("Club Deportivo Juventud Santa Anita")
    expect(page.get_by_text("No hay una organización parecida inscrita.")).to_be_visible()
    _tab_to(page, "typology")
    page.keyboard.type("Dep")
    _tab_to(page, "sector")
    page.keyboard.type("Sector 4")
    _tab_to(page, "contact_name")
    page.keyboard.type("Jorge Quispe")
    _tab_to(page, "contact_phone")
    page.keyboard.type("01 362 1234")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Constancia de inscripción")
    code = page.get_by_test_id("registration-code").inner_text()
    assert re.fullmatch(r"SA-\d{4}-\d{4}", code)
    created = Organization.objects.get(registration_code=code)
    assert created.typology == Organization.Typology.SPORTS
    assert created.sector.number == 4
    assert created.channel == Organization.Channel.DESK
    assert created.entered_by == clerk
    assert created.contacts.get().phone == "+5113621234"
    expect(page.locator(".receipt-qr svg")).to_be_visible()

    # Second registration, reached from the receipt by keyboard: another new organization.
    # The receipt puts the focus on the next walk-in: Enter, and the form is blank again.
    expect(page.get_by_role("link", name="Nueva inscripción")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/mesa/")
    expect(page.get_by_label("Nombre:", exact=True)).to_be_focused()
    expect(page.get_by_test_id("count-today")).to_have_text("1")
    page.keyboard.type("Colectivo Juvenil Danza Viva")
    expect(page.get_by_text("No hay una organización parecida inscrita.")).to_be_visible()
    _tab_to(page, "typology")
    page.keyboard.type("Juv")
    _tab_to(page, "sector")
    page.keyboard.type("Sector 2")
    _tab_to(page, "contact_name")
    page.keyboard.type("Lucía Mamani")
    _tab_to(page, "contact_phone")
    page.keyboard.type("987 111 222")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Constancia de inscripción")
    second = Organization.objects.get(
        registration_code=page.get_by_test_id("registration-code").inner_text()
    )
    assert (second.name, second.typology, second.sector.number) == (
        "Colectivo Juvenil Danza Viva",
        Organization.Typology.YOUTH,
        2,
    )

    # Third: the name as the person says it; the search finds the record to update.
    # The receipt puts the focus on the next walk-in: Enter, and the form is blank again.
    expect(page.get_by_role("link", name="Nueva inscripción")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/mesa/")
    expect(page.get_by_label("Nombre:", exact=True)).to_be_focused()
    expect(page.get_by_test_id("count-today")).to_have_text("2")
    expect(page.get_by_test_id("count-week")).to_have_text("2")
    page.keyboard.type("Asoc. Vecinal Los Ficus")
    match = page.get_by_role("link", name=re.compile("Actualizar «Asociación vecinal Los Ficus»"))
    expect(match).to_be_visible()
    page.keyboard.press("Tab")
    expect(match).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=2)).to_contain_text(
        "Actualizando el registro existente SA-2026-0001"
    )
    expect(page.get_by_label("Nombre:", exact=True)).to_have_value("Asociación vecinal Los Ficus")
    _tab_to(page, "contact_name")
    page.keyboard.type("Marta Rojas")
    _tab_to(page, "contact_phone")
    page.keyboard.type("912 345 678")
    _tab_to(page, "members_count")
    page.keyboard.press("Control+A")
    page.keyboard.type("40")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Constancia de inscripción")
    expect(page.get_by_test_id("registration-code")).to_have_text("SA-2026-0001")
    assert Organization.objects.count() == 3
    existing.refresh_from_db()
    assert existing.members_count == 40
    assert existing.contacts.get().phone == "+51912345678"
    update = OrganizationEvent.objects.get(organization=existing, action="updated")
    assert update.actor == clerk
    assert "members_count" in update.changes

    # The receipt prints without the site's header and navigation, QR code included.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimir constancia")).to_be_hidden()
    expect(page.locator(".receipt-qr svg")).to_be_visible()
    expect(page.get_by_test_id("registration-code")).to_be_visible()
