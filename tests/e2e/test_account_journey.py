"""A resident opens the platform in Spanish, switches to English, signs up, confirms the
email from the outbox and signs in."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import expect

from tests.conftest import TRANSACTIONAL

pytestmark = TRANSACTIONAL


def test_resident_signs_up_confirms_email_and_signs_in(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es-pe")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Plataforma Colaborativa Ciudadana"
    )
    # The five sectors are drawn on the map even though the tiles are only a stub.
    expect(page.locator("#district-map path.leaflet-interactive")).to_have_count(5)
    expect(page.get_by_role("list", name="Sectores").get_by_role("listitem")).to_have_count(5)

    page.get_by_role("navigation", name="Principal").locator("summary", has_text="Más").click()
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar idioma").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Collaborative Citizen Platform")

    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("vecina@example.org")
    page.get_by_label("Password:", exact=True).fill("parque-los-ficus-2026")
    page.get_by_label("Password (again):").fill("parque-los-ficus-2026")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill("vecina@example.org")
    page.get_by_label("Password:", exact=True).fill("parque-los-ficus-2026")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("banner")).to_contain_text("vecina@example.org")
    page.get_by_role("banner").locator("summary", has_text="Account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
