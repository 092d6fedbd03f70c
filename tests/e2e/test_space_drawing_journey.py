"""A coordinator adds a public space by drawing it on the map (no tiles needed)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from mapping.models import PublicSpace
from platform_app.models import District
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory

pytestmark = TRANSACTIONAL


def test_coordinator_draws_a_new_space_on_the_map(page):
    coordinator = UserFactory(email="coordinadora@example.org", role="coordinator")
    sign_in(page, coordinator.email)

    page.goto("/mapa/espacios/nuevo/")
    page.get_by_label(re.compile("^Nombre|^Name")).fill("Parque Dibujado")
    page.locator("select[name=category]").select_option("park")
    page.locator(".leaflet-draw-draw-marker").click()
    page.locator("#space-edit-map").click()  # the centre of the district's outline
    expect(page.locator("textarea.geojson-input")).to_have_value(re.compile('"Point"'))
    page.get_by_role("button", name=re.compile("Guardar el espacio|Save the space")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parque Dibujado")

    space = PublicSpace.objects.get(name="Parque Dibujado")
    assert space.district == District.objects.get(ubigeo="150137")
    assert space.geometry["type"] == "Point"
    assert space.sector is not None
