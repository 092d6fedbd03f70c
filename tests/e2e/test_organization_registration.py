"""A resident registers their organization from a phone, confirms the email from the outbox
and finds the registration code on screen and in the email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from platform_app.models import Organization, User
from tests.conftest import TRANSACTIONAL

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def fill_the_form(page, *, name: str, phone: str) -> None:
    page.get_by_label("Persona de contacto").fill("Rosa Huamán")
    page.get_by_label("Teléfono de contacto").fill(phone)
    page.get_by_label("Correo de contacto").fill("rosa.ficus@example.org")
    page.get_by_label("Nombre:", exact=True).fill(name)
    page.get_by_label("Tipología").select_option("neighbourhood")
    page.get_by_label("Sector:", exact=True).select_option(label="Sector 3")
    page.get_by_label("Adultos (30-59)").check()
    page.get_by_label("He leído el aviso de privacidad").check()


def test_resident_registers_an_organization_from_a_phone_and_confirms_by_email(page):
    page.goto("/organizaciones/inscripcion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscribe a tu organización")
    expect(page.get_by_role("heading", name="Aviso de privacidad")).to_be_visible()

    fill_the_form(page, name="Asociación Vecinal Los Ficus", phone="987 654 32")  # one short
    page.get_by_label("Organización de reciente constitución").check()
    page.get_by_label("Acepta aparecer en el directorio público").check()
    page.get_by_role("button", name="Enviar inscripción").click()

    # The wrong phone is refused next to its field; everything typed is still there.
    expect(page.locator("#id_contact_phone_error")).to_be_visible()
    expect(page.get_by_label("Nombre:", exact=True)).to_have_value("Asociación Vecinal Los Ficus")
    expect(page.get_by_label("Adultos (30-59)")).to_be_checked()
    assert Organization.objects.count() == 0

    page.get_by_label("Teléfono de contacto").fill("987 654 321")
    page.get_by_role("button", name="Enviar inscripción").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inscripción recibida")
    code = page.get_by_test_id("registration-code").inner_text()
    assert re.fullmatch(r"SA-\d{4}-\d{4}", code)
    organization = Organization.objects.get()
    assert organization.registration_code == code

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["rosa.ficus@example.org"]
    assert code in email.subject
    assert code in email.body
    link = re.search(r"https?://\S+/organizaciones/confirmar/\S+/", email.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirmar mi correo").click()
    expect(page.get_by_role("status")).to_contain_text(code)

    user = User.objects.get(email="rosa.ficus@example.org")
    assert organization.representatives.filter(pk=user.pk).exists()
    assert user.emailaddress_set.get().verified

    # The page says what comes next and offers a password right here: no hunting for
    # "¿Olvidaste tu contraseña?" to sign in later.
    expect(page.locator("main")).to_contain_text("espera ahora la verificación")
    page.get_by_label("Contraseña nueva:", exact=True).fill("parque-los-ficus-2026")
    page.get_by_label("Contraseña nueva (confirmación):").fill("parque-los-ficus-2026")
    page.get_by_role("button", name="Guardar la contraseña e iniciar sesión").click()
    expect(page.get_by_role("banner")).to_contain_text("rosa.ficus@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Asociación Vecinal Los Ficus")
    user.refresh_from_db()
    assert user.check_password("parque-los-ficus-2026")


def test_a_refused_duplicate_says_how_to_reach_the_desk(page):
    from platform_app.models import District
    from platform_app.services.places import district_desk_set
    from tests.factories_registry import OrganizationFactory

    district_desk_set(
        district=District.objects.get(ubigeo="150137"),
        actor=None,
        address="Palacio Municipal, primer piso",
        hours="Lunes a viernes de 8:30 a 16:30",
        phone="01 363 0000",
    )
    OrganizationFactory(name="Junta Vecinal Los Ficus")
    page.goto("/organizaciones/inscripcion/")
    fill_the_form(page, name="JJ.VV. Los Ficus", phone="987 654 321")
    page.get_by_role("button", name="Enviar inscripción").click()

    desk = page.locator("[data-desk-contact]")
    expect(desk).to_contain_text("Ya hay una organización inscrita con este nombre")
    expect(desk).to_contain_text("Palacio Municipal, primer piso")
    expect(desk).to_contain_text("Lunes a viernes de 8:30 a 16:30")
    expect(desk.get_by_role("link", name="+5113630000")).to_have_attribute(
        "href", "tel:+5113630000"
    )


def test_directory_filters_and_draws_public_organizations_on_the_map(page):
    from tests.factories_registry import ContactFactory, OrganizationFactory

    halcones = OrganizationFactory(
        name="Club Los Halcones", latitude=-12.045, longitude=-76.97, registration_code="SA-1"
    )
    ContactFactory(organization=halcones, phone="+51911222333")
    OrganizationFactory(
        name="Huerto Las Praderas",
        typology=Organization.Typology.ENVIRONMENTAL,
        latitude=-12.05,
        longitude=-76.96,
        registration_code="SA-2",
    )
    OrganizationFactory(name="Taller Pendiente", status="pending", registration_code="SA-3")
    page.goto("/organizaciones/")
    expect(page.locator("#organization-map path.leaflet-interactive")).to_have_count(2)
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)  # header and the two public ones
    expect(table).not_to_contain_text("Taller Pendiente")
    page.get_by_label("Tipología").select_option("environmental")
    page.get_by_role("button", name="Filtrar").click()
    expect(table.get_by_role("row")).to_have_count(2)
    page.get_by_role("link", name="Huerto Las Praderas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huerto Las Praderas")
    expect(page.locator("main")).not_to_contain_text("+51")
