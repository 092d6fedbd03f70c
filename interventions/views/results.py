"""The results dashboard: the district's indicators, the comparison between districts, and
the export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from interventions.dashboard import CACHE_SECONDS, RESULTS_PAGES
from interventions.perception.permissions import may_edit_references
from interventions.permissions import may_see_pledges_by_state
from santaanita.page_cache import kept_page

if TYPE_CHECKING:
    from platform_app.models import District


# --- Results dashboard -------------------------------------------------------------------


def dashboard_district(slug: str | None) -> District:
    from django.conf import settings

    from platform_app.models import District, Sector

    # The boundaries (large GeoJSON) are not needed here and cost more than the rest.
    districts = District.objects.defer("boundary").prefetch_related(
        Prefetch("sectors", Sector.objects.defer("boundary"))
    )
    if slug:
        return get_object_or_404(districts, slug=slug)
    return get_object_or_404(districts, ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


# Anonymous visitors get the kept page, replaced by any write that changes a figure.
@kept_page(generation=RESULTS_PAGES, seconds=CACHE_SECONDS)
def results(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The targets of the founding document for one district. Public; coordinators of the
    district also see the pledges by state (no personal data on either version)."""
    from interventions import dashboard

    district = dashboard_district(slug)
    figures, sectors = dashboard.cached_district(district)
    coordinator = may_see_pledges_by_state(request.user, district)
    return render(
        request,
        "interventions/results.html",
        {
            "district": district,
            "figures": figures,
            "targets": figures.targets(),
            "sectors": sectors,
            "pledges_by_state": dashboard.pledges_by_state(district) if coordinator else None,
            "can_edit_references": may_edit_references(request.user, district),
            "problem_reports": dashboard.problem_reports(district),
        },
    )


@kept_page(generation=RESULTS_PAGES, seconds=CACHE_SECONDS)
def results_compare(request: HttpRequest) -> HttpResponse:
    """The same figures for every district of Lima, side by side."""
    from interventions import dashboard
    from platform_app.models import District

    districts = list(District.objects.order_by("name"))
    figures = dashboard.figures_by_district([d.pk for d in districts])
    rows = [(d, figures[d.pk]) for d in districts]
    return render(request, "interventions/results_compare.html", {"rows": rows})


def results_export(request: HttpRequest, fmt: str, slug: str | None = None) -> HttpResponse:
    from interventions import exports

    district = dashboard_district(slug)
    return exports.results_response(district=district, fmt=fmt)
