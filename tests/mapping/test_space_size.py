"""A berm is a strip along a road: its page gives its length, never "Area 0 m²"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mapping.models import PublicSpace
from tests.factories_mapping import PublicSpaceFactory

pytestmark = pytest.mark.django_db

# About 200 m east-west by 15 m north-south in Santa Anita.
STRIP = {
    "type": "Polygon",
    "coordinates": [
        [
            [-76.9700, -12.0450],
            [-76.9681622, -12.0450],
            [-76.9681622, -12.0448652],
            [-76.9700, -12.0448652],
            [-76.9700, -12.0450],
        ]
    ],
}


def page(client, space) -> str:
    return client.get(reverse("mapping:space-detail", args=[space.pk])).content.decode()


def test_a_berm_shows_its_length(client):
    berm = PublicSpaceFactory(category=PublicSpace.Category.BERM, geometry=STRIP)
    text = page(client, berm)
    assert "Longitud" in text
    assert "200 m" in text
    assert "m²" not in text


def test_a_space_drawn_as_a_point_shows_no_area(client):
    berm = PublicSpaceFactory(
        category=PublicSpace.Category.BERM,
        geometry={"type": "Point", "coordinates": [-76.97, -12.045]},
    )
    text = page(client, berm)
    assert "0 m²" not in text
    assert "Longitud" not in text


def test_a_park_keeps_its_area(client):
    park = PublicSpaceFactory(category=PublicSpace.Category.PARK, geometry=STRIP)
    assert "m²" in page(client, park)
