"""The map endpoint (one hand-written query, windows served from cached grid cells)
against the reference serialization: same features, properties and coordinates, same
filters as the queryset methods."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mapping.api import MapQuery
from mapping.models import ConditionBand, PublicSpace
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_registry import OrganizationFactory

pytestmark = pytest.mark.django_db


def _reference(queryset, *, centroid: bool) -> list[dict]:
    """The serialization the endpoint had before the fast path (values() + dicts)."""
    features = []
    for pk, name, category, score, lon, lat, geometry in queryset.values_list(
        "id", "name", "category", "condition_score", "centroid_lon", "centroid_lat", "geometry"
    ):
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": [lon, lat]} if centroid else geometry,
                "properties": {
                    "name": name,
                    "category": category,
                    "condition_score": score,
                    "condition": ConditionBand.for_score(score).value,
                    "url": f"/mapa/espacios/{pk}/",
                },
            }
        )
    return sorted(features, key=lambda f: f["id"])


@pytest.fixture
def spaces(santa_anita):
    lon, lat = santa_anita.centre_lon, santa_anita.centre_lat
    square = [
        [lon + 0.001, lat + 0.001],
        [lon + 0.002, lat + 0.001],
        [lon + 0.002, lat + 0.002],
        [lon + 0.001, lat + 0.002],
        [lon + 0.001, lat + 0.001],
    ]
    made = [
        PublicSpaceFactory(name="Parque Señor de los Milagros «Ñaña»", category="park"),
        PublicSpaceFactory(
            name='Losa "La 10"',
            category="sports_field",
            geometry={"type": "Polygon", "coordinates": [square]},
        ),
        PublicSpaceFactory(name="Plaza Cívica", category="plaza"),
        PublicSpaceFactory(name="Berma Central", category="berm"),
    ]
    for space, score in zip(made, (85, 55, 12, None), strict=True):
        space.condition_score = score
        space.save()
    made[1].organizations.add(OrganizationFactory())
    far = PublicSpaceFactory.build(
        name="Lejos", geometry={"type": "Point", "coordinates": [-77.1, -11.9]}
    )
    far.save()
    return made


def _window(district, pad=0.01) -> str:
    c_lon, c_lat = district.centre_lon, district.centre_lat
    return f"{c_lon - pad},{c_lat - pad},{c_lon + pad},{c_lat + pad}"


@pytest.mark.parametrize("geometry", ["centroid", "full"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"category": "plaza"},
        {"condition": "good"},
        {"condition": "fair"},
        {"condition": "bad"},
        {"condition": "unknown"},
        {"has_organization": "true"},
        {"has_organization": "false"},
        {"district": "150137", "category": "park"},
    ],
)
def test_window_returns_exactly_the_reference_features(
    client, santa_anita, spaces, geometry, filters
):
    params = {"bbox": _window(santa_anita), "geometry": geometry, **filters}
    response = client.get("/api/spaces/", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    # The queryset methods with the request's values, against the hand-written query.
    selected = [pk for pk, _fragment in MapQuery.from_params(params).queryset(PublicSpace.objects)]
    expected = _reference(
        PublicSpace.objects.filter(pk__in=selected), centroid=geometry == "centroid"
    )
    assert expected  # every combination above selects at least one space
    assert sorted(body["features"], key=lambda f: f["id"]) == expected


def test_reference_filters_select_what_the_queryset_methods_select(santa_anita, spaces):
    window = tuple(float(v) for v in _window(santa_anita).split(","))
    query = MapQuery(bbox=window, condition="fair", centroid=True)
    selected = {pk for pk, _fragment in query.queryset(PublicSpace.objects.all())}
    assert selected == {spaces[1].pk}
    assert selected == set(
        PublicSpace.objects.in_bbox(*window).in_condition_band("fair").values_list("pk", flat=True)
    )


def test_sector_filter_and_district_layer_match_the_reference(client, santa_anita, spaces):
    sector = spaces[0].sector
    body = client.get(
        "/api/spaces/", {"bbox": _window(santa_anita), "sector": sector.number}
    ).json()
    expected = _reference(
        PublicSpace.objects.in_bbox(*(float(v) for v in _window(santa_anita).split(","))).filter(
            sector__number=sector.number
        ),
        centroid=False,
    )
    assert sorted(body["features"], key=lambda f: f["id"]) == expected
    cache.clear()
    layer = client.get("/api/spaces/", {"district": "150137", "geometry": "centroid"}).json()
    assert layer["features"] == _reference(
        PublicSpace.objects.filter(district=santa_anita), centroid=True
    )


def test_a_changed_name_or_score_reaches_the_map_at_once(client, santa_anita, spaces):
    space = spaces[2]
    space.name = "Plaza Renovada"
    space.condition_score = 75
    space.save(update_fields=["name", "condition_score"])
    body = client.get("/api/spaces/", {"bbox": _window(santa_anita), "category": "plaza"}).json()
    (feature,) = body["features"]
    assert feature["properties"]["name"] == "Plaza Renovada"
    assert feature["properties"]["condition"] == "good"


def test_a_window_inside_cached_cells_is_answered_without_a_query(client, santa_anita, spaces):
    # Placed by hand, whatever the factories' positions: one space inside the small window,
    # one in the large window only.
    lon, lat = santa_anita.centre_lon, santa_anita.centre_lat
    for name, offset in (("Parque del Centro", 0.0), ("Parque del Borde", 0.005)):
        PublicSpaceFactory(
            name=name, geometry={"type": "Point", "coordinates": [lon + offset, lat + offset]}
        )
    first = client.get("/api/spaces/", {"bbox": _window(santa_anita), "geometry": "centroid"})
    # A smaller window inside the first: every grid cell it meets is already cached, and the
    # answer is the smaller window's own spaces, not the cells'.
    small = _window(santa_anita, pad=0.0015)
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/spaces/", {"bbox": small, "geometry": "centroid"})
    assert len(queries) == 0
    expected = _reference(
        PublicSpace.objects.in_bbox(*(float(v) for v in small.split(","))), centroid=True
    )
    assert 0 < len(expected) < len(first.json()["features"])
    assert sorted(second.json()["features"], key=lambda f: f["id"]) == expected


def test_caring_organizations_set_by_the_organization_reach_the_map_at_once(
    client, santa_anita, spaces
):
    from mapping.services import organization_spaces_set

    params = {"bbox": _window(santa_anita), "has_organization": "true"}
    assert len(client.get("/api/spaces/", params).json()["features"]) == 1
    organization_spaces_set(organization=OrganizationFactory(), space_ids={spaces[0].pk})
    body = client.get("/api/spaces/", params).json()
    assert {f["id"] for f in body["features"]} == {spaces[0].pk, spaces[1].pk}


def test_bad_parameters_are_a_400_with_the_field_named(client):
    response = client.get("/api/spaces/", {"bbox": "1,2,3"})
    assert response.status_code == 400
    assert "bbox" in response.json()
    response = client.get("/api/spaces/", {"bbox": "0,0,1,1", "sector": "norte"})
    assert response.status_code == 400
    assert list(response.json()) == ["sector"]  # as DRF's handler writes it: field → message


@pytest.mark.parametrize("lon", [-76.95, -76.9, -77.0])
def test_a_space_on_a_grid_line_is_in_every_window_that_touches_it(client, santa_anita, lon):
    space = PublicSpaceFactory.build(
        name="En la línea", geometry={"type": "Point", "coordinates": [lon, -12.05]}
    )
    space.save()
    for window in (f"{lon},-12.06,{lon + 0.02},-12.04", f"{lon - 0.02},-12.06,{lon},-12.04"):
        body = client.get("/api/spaces/", {"bbox": window}).json()
        assert [f["properties"]["name"] for f in body["features"]] == ["En la línea"]
