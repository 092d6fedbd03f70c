"""Where people stumbled on the public map: a park is found by typing its name, and the
map moves to it, instead of panning around the district."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TRANSACTIONAL
from tests.factories_mapping import PublicSpaceFactory, ReportFactory

pytestmark = TRANSACTIONAL


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


FICUS = point(-76.9735, -12.0430)


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
    first load must not each fetch the same window (a phone on a slow network pays twice),
    neither for the spaces nor for the layer of problem reports."""
    ReportFactory(space=PublicSpaceFactory(name="Parque Los Ficus", geometry=FICUS))
    PublicSpaceFactory(name="Plaza de Armas", geometry=point(-76.9640, -12.0520))
    spaces: list[str] = []
    reports: list[str] = []
    page.on("request", lambda request: _count(request.url, spaces, reports))

    page.goto("/mapa/")
    space_map = page.locator("#space-map")
    expect(space_map).to_have_attribute("data-loaded", "2")
    expect(space_map).to_have_attribute("data-reports", "1")
    page.wait_for_timeout(500)  # a late second request would show up here
    assert len(spaces) == 1, spaces
    assert len(reports) == 1, reports


def test_panning_to_another_part_of_the_district_loads_its_reports(page):
    """The window loaded is a little larger than the view, but the reports of a part of
    the district the map is panned to at the same zoom are asked for and shown."""
    ReportFactory(space=PublicSpaceFactory(name="Parque Los Ficus", geometry=FICUS))
    # 0.004° east of Los Ficus: about 750 pixels at the zoom the search shows a space at.
    canal = PublicSpaceFactory(name="Berma del Canal", geometry=point(-76.9695, -12.0430))
    ReportFactory.create_batch(2, space=canal)
    reports: list[str] = []
    page.on("request", lambda request: _count(request.url, [], reports))

    page.goto("/mapa/")
    space_map = page.locator("#space-map")
    expect(space_map).to_have_attribute("data-reports", "3")  # the district, all in view
    search = page.get_by_role("search")
    search.get_by_label("Buscar un espacio por su nombre").fill("los ficus")
    search.get_by_role("button", name="Buscar").click()
    expect(space_map).to_have_attribute("data-loaded", "1")
    expect(space_map).to_have_attribute("data-reports", "1")  # only Los Ficus's, up close
    asked = len(reports)

    # Nine steps of 80 pixels east by keyboard, each let to settle: the canal's berm comes
    # into view and Los Ficus leaves it.
    space_map.focus()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
    expect(space_map).to_have_attribute("data-reports", "2")
    assert len(reports) > asked

    # Switched off, the layer empties without asking; switched on, it asks again.
    asked = len(reports)
    layer = page.get_by_label("Mostrar los reportes de problemas abiertos")
    layer.uncheck()
    expect(space_map).to_have_attribute("data-reports", "0")
    assert len(reports) == asked
    layer.check()
    expect(space_map).to_have_attribute("data-reports", "2")
    assert len(reports) == asked + 1


def _count(url: str, spaces: list[str], reports: list[str]) -> None:
    if "/api/spaces/" in url and "bbox=" in url:
        spaces.append(url)
    elif "/mapa/reportes/capa.geojson" in url:
        reports.append(url)
