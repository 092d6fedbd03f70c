"""An organization's representative registers a dance team from a phone and picks the
public space to improve on the map: the map offers only the spaces of the team's sector,
and the point picked becomes the proposal's space."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from festival.models import Team
from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.factories_festival import EditionFactory, OrganizationFactory, SpaceFactory, sector

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def test_representative_picks_the_proposals_space_on_the_map(page):
    EditionFactory()
    organization = OrganizationFactory(name="Club Cultural Raíces", sector=sector(2))
    ficus = SpaceFactory(
        name="Parque Los Ficus", sector=sector(2), geometry=point(-76.968, -12.045)
    )
    SpaceFactory(name="Parque Las Moras", sector=sector(2), geometry=point(-76.962, -12.041))
    SpaceFactory(name="Plaza del Sector Tres", sector=sector(3), geometry=point(-76.958, -12.050))
    representative = UserFactory(role=Role.REPRESENTATIVE)

    sign_in(page, representative.email)
    page.goto("/festival/inscripcion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscribir un elenco")

    page.get_by_label("Organización", exact=True).select_option(label=organization.name)
    page.get_by_label("Nombre del elenco").fill("Elenco Raíces")
    page.get_by_label("Sector del elenco").select_option(str(sector(2).pk))
    page.get_by_label("Bailarines de 0 a 12 años").fill("4")
    page.get_by_label("Bailarines de 30 a 59 años").fill("6")

    # The map shows the two spaces of sector 2 and not the one of sector 3.
    pins = page.locator("#proposal-map .space-pin")
    expect(pins).to_have_count(2)
    expect(
        page.locator("#proposal-map").get_by_title(re.compile("Plaza del Sector Tres"))
    ).to_have_count(0)
    page.locator("#proposal-map").get_by_title(re.compile("Parque Los Ficus")).tap()
    expect(page.get_by_label("Espacio público de su barrio que quiere mejorar")).to_have_value(
        str(ficus.pk)
    )
    expect(page.locator("[data-space-picked]")).to_contain_text("Parque Los Ficus")

    page.get_by_label("¿Qué proponen?").fill("Bancas y un mural")
    page.get_by_label("¿Por qué?").fill("El parque no tiene dónde sentarse")
    page.get_by_label("¿Quiénes participan?").fill("El elenco y la junta vecinal")
    page.get_by_role("button", name="Inscribir el elenco").tap()

    expect(page.get_by_text("Elenco Elenco Raíces inscrito.")).to_be_visible()
    team = Team.objects.get(name="Elenco Raíces")
    assert team.proposal.public_space == ficus
    assert team.sector == sector(2)
