"""Places offered for face-to-face meetings, and the places organizations care for.

platform_app must not import the apps built on it (see docs/architecture.md), yet an
ordinary meeting's place can be one of the district's public spaces from ``mapping``. So the
places come from the functions listed in ``settings.MEETING_PLACE_SOURCES``, each taking
``district`` and returning ``Place`` values; the meeting keeps a copy (name, coordinates,
page) so it still reads right if the space is renamed or removed later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from platform_app.models import District, Organization


@dataclass(frozen=True)
class Place:
    key: str  # stable within its source, e.g. "space:12"
    name: str
    latitude: float
    longitude: float
    url: str  # the place's public page


def district_places(district: District) -> list[Place]:
    sources: list[Callable[..., list[Place]]] = [
        import_string(path) for path in settings.MEETING_PLACE_SOURCES
    ]
    return [place for source in sources for place in source(district=district)]


class Turf(Protocol):
    """The places an organization uses or cares for (its "turf"), kept by the app that owns
    the places; named in ``settings.ORGANIZATION_TURF``."""

    # The page family (santaanita/page_cache.py) that every change of the offered places
    # moves on: the registration form, which offers them, is kept under it.
    pages: str

    def offered(self, district: District) -> list[Place]:
        """The places of the district an organization may name."""
        ...

    def places(self, organization: Organization) -> list[Place]:
        """The places the organization names now."""
        ...

    def replace(self, organization: Organization, keys: Iterable[str]) -> bool:
        """Name exactly these places (keys of ``offered``); True when that changed them."""
        ...


def organization_turf() -> Turf | None:
    path = settings.ORGANIZATION_TURF
    return import_string(path) if path else None
