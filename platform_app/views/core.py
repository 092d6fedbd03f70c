"""Home page and the districts of Lima."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from platform_app.models import Announcement, District
from platform_app.services.places import DISTRICT_PAGES
from santaanita.page_cache import kept_page


def _map_layers(district: District) -> dict[str, object]:
    """The data a district map draws: its outline and its sectors, as GeoJSON features."""
    return {
        "district": {
            "type": "Feature",
            "properties": {"name": district.name},
            "geometry": district.boundary,
        }
        if district.boundary
        else None,
        "sectors": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"number": s.number, "name": s.name},
                    "geometry": s.boundary,
                }
                for s in district.sectors.all()
                if s.boundary
            ],
        },
    }


# Kept for anonymous visitors until the district or its sectors change.
@kept_page(generation=DISTRICT_PAGES)
def home(request: HttpRequest) -> HttpResponse:
    district = get_object_or_404(
        District.objects.prefetch_related("sectors"), ubigeo=settings.DEFAULT_DISTRICT_UBIGEO
    )
    return render(
        request,
        "platform_app/home.html",
        {
            "district": district,
            "map_layers": _map_layers(district),
            "announcements": _latest_news(district),
        },
    )


def _latest_news(district: District) -> list[Announcement]:
    return list(Announcement.objects.of_district(district).published()[:3])


def district_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    # The list shows names and counts: the boundaries (large polygons) are not read.
    districts = (
        District.objects.defer("boundary").with_sector_count().search(query).order_by("name")
    )
    page = Paginator(districts, 25).get_page(request.GET.get("page"))
    return render(request, "platform_app/district_list.html", {"page": page, "query": query})


def district_detail(request: HttpRequest, slug: str) -> HttpResponse:
    district = get_object_or_404(District.objects.prefetch_related("sectors"), slug=slug)
    return render(
        request,
        "platform_app/district_detail.html",
        {
            "district": district,
            "map_layers": _map_layers(district),
            "announcements": _latest_news(district),
        },
    )
