"""A resident registers an organization with only a mobile number, reads the code in the
outbox, confirms it, later signs in with the phone and a code and sees their organization;
asking for too many codes is refused with a clear message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from platform_app.models import Organization, User
from tests.conftest import TRANSACTIONAL
from tests.platform_app.test_phone_sign_in import sms_codes

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def _sms_outbox(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    settings.SMS_URL = "file://"


def test_a_resident_registers_with_only_a_mobile_and_signs_in_with_it(page):
    page.goto("/organizaciones/inscripcion/")
    page.get_by_label("Persona de contacto").fill("Juana Quispe")
    page.get_by_label("Teléfono de contacto").fill("912 345 678")
    page.get_by_label("Nombre:", exact=True).fill("Comedor Popular Las Palmeras")
    page.get_by_label("Tipología").select_option("neighbourhood")
    page.get_by_label("Sector:", exact=True).select_option(label="Sector 3")
    page.get_by_label("Adultos (30-59)").check()
    page.get_by_label("He leído el aviso de privacidad").check()
    page.get_by_role("button", name="Enviar inscripción").click()

    expect(page.get_by_role("heading", name="En espera de confirmación")).to_be_visible()
    [code] = sms_codes("+51912345678")
    # A wrong code is refused next to the field, and the submission stays.
    page.get_by_label("Código recibido por SMS").fill("000000")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_text("El código no es correcto")).to_be_visible()
    page.get_by_label("Código recibido por SMS").fill(code)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_text("Celular confirmado")).to_be_visible()
    organization = Organization.objects.get()
    assert organization.phone_confirmed_at is not None

    # Days later, on another phone: sign in with the mobile and a code.
    page.context.clear_cookies()
    page.goto("/cuentas/login/code/")
    page.get_by_label("Celular").fill("912345678")
    page.get_by_role("button").filter(has_text="código").first.click()
    codes = sms_codes("+51912345678")
    assert len(codes) == 2
    page.get_by_label("Código").fill(codes[-1])
    page.get_by_role("button", name="Confirmar").click()
    expect(page).to_have_url("/")
    page.goto(organization.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Comedor Popular Las Palmeras")
    assert User.objects.get(phone="+51912345678").phone_verified


def test_the_sixth_code_within_an_hour_is_refused(page, settings):
    User.objects.create(phone="+51987654321", phone_verified=True)
    # allauth's own burst limit (three a minute per number) is lifted so that this journey
    # reaches the platform's hourly limit without waiting.
    settings.ACCOUNT_RATE_LIMITS = {"request_login_code": "20/m/ip"}
    for _attempt in range(settings.PHONE_CODES_PER_NUMBER_HOUR):
        page.goto("/cuentas/login/code/")
        page.get_by_label("Celular").fill("987654321")
        page.get_by_role("button").filter(has_text="código").first.click()
        expect(page).to_have_url("/cuentas/login/code/confirm/")
        page.context.clear_cookies()
    page.goto("/cuentas/login/code/")
    page.get_by_label("Celular").fill("987654321")
    page.get_by_role("button").filter(has_text="código").first.click()
    expect(page.get_by_text("Demasiados códigos a este número en la última hora")).to_be_visible()
    assert len(sms_codes("+51987654321")) == settings.PHONE_CODES_PER_NUMBER_HOUR
