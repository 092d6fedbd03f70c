"""A coordinator publishes an announcement with a photo from a phone, and a resident opening
the home page on their phone sees it among the news."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.imagefiles import png_bytes

pytestmark = TRANSACTIONAL

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {**PHONE, "locale": "es-PE"}


def test_a_published_announcement_is_on_the_home_page_of_a_phone(
    page, browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(email="coordinadora@example.org", role=Role.COORDINATOR)

    sign_in(page, "coordinadora@example.org")
    page.goto("/")
    page.get_by_role("link", name="Todas las noticias").click()
    page.get_by_role("link", name="Escribir un anuncio").click()
    page.get_by_label("Título").fill("Festival de danza en el Parque Santa Rosa")
    page.get_by_label("Texto").fill("Los elencos del sector 1 bailan este sábado a las 4 p. m.")
    page.get_by_label("Fecha del evento").fill("2026-12-19")
    page.get_by_label("Imagen").set_input_files(
        {"name": "afiche.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_role("button", name="Guardar el anuncio").click()
    expect(page.get_by_role("status")).to_contain_text("El anuncio ha sido guardado.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Festival de danza en el Parque Santa Rosa"
    )

    # A resident, not signed in, on their phone.
    resident = browser.new_context(base_url=live_server.url, **PHONE, locale="es-PE")
    phone = resident.new_page()
    phone.goto("/")
    news = phone.get_by_role("region", name="Noticias")
    expect(news).to_contain_text("Festival de danza en el Parque Santa Rosa")
    expect(news).to_contain_text("Evento el 19 de diciembre de 2026")
    news.get_by_role("link", name="Festival de danza en el Parque Santa Rosa").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Festival de danza en el Parque Santa Rosa"
    )
    image = phone.locator("article img.announcement-image")
    expect(image).to_be_visible()
    # The picture fits the phone's screen.
    assert image.bounding_box()["width"] <= 390
    resident.close()
