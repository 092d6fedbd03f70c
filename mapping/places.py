"""The district's public spaces as places for the platform's face-to-face meetings
(listed in settings.MEETING_PLACE_SOURCES; see platform_app.places)."""

from __future__ import annotations

from django.urls import reverse

from mapping.models import PublicSpace
from platform_app.models import District
from platform_app.places import Place


def public_spaces(*, district: District) -> list[Place]:
    rows = (
        PublicSpace.objects.in_district(district)
        .order_by("name")
        .values_list("pk", "name", "centroid_lat", "centroid_lon")
    )
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
