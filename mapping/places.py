"""The district's public spaces as places for the platform's face-to-face meetings
(listed in settings.MEETING_PLACE_SOURCES) and as the turf of registered organizations
(settings.ORGANIZATION_TURF); see platform_app.places."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.urls import reverse

from mapping.models import SPACE_PAGES, PublicSpace, layer_version
from mapping.services import organization_spaces_set
from platform_app.models import District, Organization
from platform_app.places import Place


def public_spaces(*, district: District) -> list[Place]:
    # Offered on every registration form and meeting form: kept per process under the
    # district's map layer version, which every change to a space moves on (see
    # PublicSpace.save), so a renamed or new space shows at once.
    return list(_public_spaces(district.pk, layer_version(district.ubigeo)))


@functools.lru_cache(maxsize=64)
def _public_spaces(district_id: int, version: str) -> tuple[Place, ...]:
    rows = (
        PublicSpace.objects.filter(district_id=district_id)
        .order_by("name")
        .values_list("pk", "name", "centroid_lat", "centroid_lon")
    )
    return tuple(_places(rows))


def _places(rows: Iterable[tuple[int, str, float, float]]) -> list[Place]:
    return [
        Place(
            key=f"space:{pk}",
            name=name,
            latitude=lat,
            longitude=lon,
            url=reverse("mapping:space-detail", args=[pk]),
        )
        for pk, name, lat, lon in rows
    ]


class SpaceCaretaking:
    """The spaces an organization declares it uses or cares for, stored as the space's
    caring organizations (the same relation coordinators edit on the space form)."""

    pages = SPACE_PAGES

    def places(self, organization: Organization) -> list[Place]:
        rows = organization.public_spaces.order_by("name").values_list(
            "pk", "name", "centroid_lat", "centroid_lon"
        )
        return _places(rows)

    def offered(self, district: District) -> list[Place]:
        return public_spaces(district=district)

    def replace(self, organization: Organization, keys: Iterable[str]) -> bool:
        ids = {int(key.removeprefix("space:")) for key in keys if key.startswith("space:")}
        return organization_spaces_set(organization=organization, space_ids=ids)


caretaking = SpaceCaretaking()
