import itertools

import pytest
from django.core.exceptions import ValidationError

from santaanita.geo import normalize_geometry

CLOCKWISE_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [-76.96, -12.04],
            [-76.96, -12.041],
            [-76.961, -12.041],
            [-76.961, -12.04],
            [-76.96, -12.04],
        ]
    ],
}


def _signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def test_polygons_follow_the_right_hand_rule():
    normalized = normalize_geometry(CLOCKWISE_SQUARE)
    assert _signed_area(normalized.geojson["coordinates"][0]) > 0  # counter-clockwise


def test_area_and_centroid_are_computed():
    normalized = normalize_geometry(CLOCKWISE_SQUARE)
    assert 11_500 < normalized.area_m2 < 12_500  # ~109 m × 111 m at Lima's latitude
    assert normalized.centroid == pytest.approx((-76.9605, -12.0405))


def test_a_crs_member_is_refused():
    with pytest.raises(ValidationError, match="crs"):
        normalize_geometry({**CLOCKWISE_SQUARE, "crs": {"type": "name"}})


def test_latitude_longitude_swapped_out_of_range_is_refused():
    with pytest.raises(ValidationError) as error:
        normalize_geometry({"type": "Point", "coordinates": [-12.04, -176.96]})
    assert error.value.code == "range"


def test_a_self_intersecting_polygon_is_repaired():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert normalize_geometry(bowtie).geojson["type"] == "MultiPolygon"
