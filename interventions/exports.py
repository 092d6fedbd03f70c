"""CSV and XLSX exports of the results dashboard (public figures, no personal data)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from interventions import dashboard
from santaanita import writers


def results_table(district: Any) -> list[list[Any]]:
    figures = dashboard.figures_by_district([district.pk])[district.pk]
    rows: list[list[Any]] = [
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
            str(row.private_share) if row.funding_total else "",
            str(row.cohesion.percent) if row.cohesion else "",
        ]
        for row in dashboard.sector_rows(district)
    )
    return rows


def results_response(*, district: Any, fmt: str) -> HttpResponse:
    rows = results_table(district)
    filename = f"resultados-{district.slug}"
    if fmt == "csv":
        return writers.csv_response(rows, filename=f"{filename}.csv")
    if fmt == "xlsx":
        return writers.xlsx_response(_("Results"), rows, filename=f"{filename}.xlsx")
    raise Http404
