"""Where people stumbled on the public map: a park is found by typing its name, and the
map moves to it, instead of panning around the district."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TRANSACTIONAL
from tests.factories_mapping import PublicSpaceFactory

pytestmark = TRANSACTIONAL


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def test_a_resident_finds_a_park_by_name_and_the_map_moves_to_it(page):
    ficus = PublicSpaceFactory(name="Parque Los Ficus", geometry=point(-76.9735, -12.0430))
    PublicSpaceFactory(name="Plaza de Armas", geometry=point(-76.9640, -12.0520))
    PublicSpaceFactory(name="Parque Huáscar", geometry=point(-76.9660, -12.0480))

    page.goto("/mapa/")
    space_map = page.locator("#space-map")
    expect(space_map).to_have_attribute("data-loaded", "3")  # the district, all in view

    search = page.get_by_role("search")
    search.get_by_label("Buscar un espacio por su nombre").fill("parque")
    search.get_by_role("button", name="Buscar").click()
    choices = search.get_by_role("button", name="Parque")
    expect(choices).to_have_count(2)  # two names match: the resident chooses

    search.get_by_label("Buscar un espacio por su nombre").fill("los ficus")
    search.get_by_role("button", name="Buscar").click()
    # The map moved to the park: only it is in view, its name in a popup with its link.
    expect(space_map).to_have_attribute("data-loaded", "1")
    popup = space_map.locator(".leaflet-popup")
    expect(popup.get_by_role("link", name="Parque Los Ficus")).to_have_attribute(
        "href", ficus.get_absolute_url()
    )

    search.get_by_label("Buscar un espacio por su nombre").fill("huascar")  # no accent typed
    search.get_by_role("button", name="Buscar").click()
    expect(popup.get_by_role("link", name="Parque Huáscar")).to_be_visible()

    search.get_by_label("Buscar un espacio por su nombre").fill("estadio")
    search.get_by_role("button", name="Buscar").click()
    expect(search).to_contain_text("Ningún espacio del distrito tiene ese nombre.")


def test_the_map_asks_for_its_window_once_on_load(page):
    """Fitting the map to the district moves it while the page starts; that move and the
    first load must not each fetch the same window (a phone on a slow network pays twice)."""
    PublicSpaceFactory(name="Parque Los Ficus", geometry=point(-76.9735, -12.0430))
    PublicSpaceFactory(name="Plaza de Armas", geometry=point(-76.9640, -12.0520))
    windows: list[str] = []
    page.on(
        "request",
        lambda request: windows.append(request.url) if "/api/spaces/" in request.url else None,
    )

    page.goto("/mapa/")
    expect(page.locator("#space-map")).to_have_attribute("data-loaded", "2")
    page.wait_for_timeout(500)  # a late second request would show up here
    assert len(windows) == 1, windows
