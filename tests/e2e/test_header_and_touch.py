"""Everywhere: on a phone the header stays small behind one menu button that works without
JavaScript, every target a finger aims at is at least 44×44 px, and on a desktop a
coordinator reads a short menu grouped by module instead of twenty entries in two rows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory

pytestmark = TRANSACTIONAL

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TOUCH = 44


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_touch_target(locator, name: str) -> None:
    size = box(locator)
    assert min(size["width"], size["height"]) >= TOUCH, (name, size)


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {**PHONE, "locale": "es-PE"}


def test_the_phone_header_is_one_compact_row_with_a_menu_that_opens_without_javascript(
    browser, live_server
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto("/")
    header = page.get_by_role("banner")
    assert box(header)["height"] <= 64
    menu = page.get_by_text("Menú", exact=True)
    assert_touch_target(menu, "Menú")
    login = page.get_by_role("link", name="Iniciar sesión")
    expect(login).to_be_hidden()
    menu.click()
    expect(login).to_be_visible()
    assert_touch_target(login, "Iniciar sesión")
    assert_touch_target(page.get_by_role("link", name="Registrarse"), "Registrarse")
    for link in page.get_by_role("navigation", name="Principal").get_by_role("link").all():
        if link.is_visible():
            assert_touch_target(link, link.inner_text())
    assert box(header)["height"] <= 64  # the open menu lies over the page, not under it
    context.close()


def test_links_breadcrumbs_and_checkboxes_are_big_enough_for_a_finger(page):
    page.goto("/organizaciones/inscripcion/")
    assert_touch_target(page.get_by_role("link", name="Ejerce tus derechos"), "rights")
    checkboxes = page.locator("input[type=checkbox]:visible")
    assert checkboxes.count() > 0
    for checkbox in checkboxes.all():
        # A box's target is its label when the label wraps it (a tap on the text ticks it).
        target = checkbox.locator("xpath=ancestor::label[1]")
        assert_touch_target(target if target.count() else checkbox, checkbox.get_attribute("name"))

    space = PublicSpaceFactory()
    page.goto(space.get_absolute_url())
    crumbs = page.get_by_role("navigation", name="Ruta de navegación").get_by_role("link")
    assert crumbs.count() > 0
    for crumb in crumbs.all():
        assert_touch_target(crumb, crumb.inner_text())


@pytest.mark.parametrize("width", [1280])
def test_a_coordinator_reads_a_short_menu_grouped_by_module_on_a_desktop(
    browser, live_server, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, locale="es-PE"
    )
    page = context.new_page()
    coordinator = UserFactory(role=Role.COORDINATOR, is_staff=True)
    sign_in(page, coordinator.email)
    nav = page.get_by_role("navigation", name="Principal")
    top = nav.locator(":scope > ul > li")
    assert top.count() <= 8
    assert box(page.get_by_role("banner"))["height"] <= 80  # one row
    expect(nav.get_by_role("link", name="Cobertura")).to_be_hidden()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_hidden()
    nav.locator("summary", has_text="Mapa").click()
    expect(nav.get_by_role("link", name="Cobertura")).to_be_visible()
    nav.get_by_role("link", name="Cobertura").click()
    expect(page).to_have_url(f"{live_server.url}/mapa/cobertura/")
    context.close()
