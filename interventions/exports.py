"""CSV and XLSX exports of the results dashboard (public figures, no personal data)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from interventions import dashboard
from santaanita import writers

if TYPE_CHECKING:
    from platform_app.models import District


def results_table(district: District) -> list[list[object]]:
    figures = dashboard.figures_by_district([district.pk])[district.pk]
    rows: list[list[object]] = [
        [
            _("Target"),
            _("Value"),
            _("Goal"),
            _("Unit"),
            _("Progress (%)"),
            _("In progress, not counted"),
            _("Definition"),
        ]
    ]
    rows.extend(
        [
            str(target.label),
            str(target.value) if target.measurable else "",
            str(target.goal),
            target.unit,
            target.progress if target.measurable else "",
            str(target.in_progress),
            str(target.definition),
        ]
        for target in figures.targets()
    )
    rows.append([])
    rows.append(
        [
            _("Sector"),
            _("Spaces"),
            _("Characterized"),
            _("Organizations"),
            _("Interventions"),
            _("At risk at baseline"),
            _("Improved"),
            _("Companies of US$ 5,000 or more funding here"),
            _("All companies funding here"),
            _("Private share"),
            _("Social cohesion (%)"),
        ]
    )
    rows.extend(
        [
            row.name,
            row.spaces,
            row.characterized,
            row.organizations,
            row.interventions,
            row.at_risk,
            row.improved,
            row.companies,
            row.companies_funding,
            str(row.private_share) if row.funding_total else "",
            str(row.cohesion.percent) if row.cohesion else "",
        ]
        for row in dashboard.sector_rows(district)
    )
    # The baseline was measured for the whole district: every sector shares its reference.
    rows.append([])
    rows.append(
        [_("Baseline: the district's reference, no figure per sector"), _("Value"), _("Date")]
    )
    rows.extend(
        [reference.get_key_display(), reference.display_value, reference.observed_on.isoformat()]
        for reference in figures.references
    )
    return rows


def results_response(*, district: District, fmt: str) -> HttpResponse:
    rows = results_table(district)
    filename = f"resultados-{district.slug}"
    if fmt == "csv":
        return writers.csv_response(rows, filename=f"{filename}.csv")
    if fmt == "xlsx":
        return writers.xlsx_response(_("Results"), rows, filename=f"{filename}.xlsx")
    raise Http404
