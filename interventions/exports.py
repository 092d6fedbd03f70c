"""CSV and XLSX exports of the results dashboard (public figures, no personal data)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from interventions import dashboard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Results")[:31]
        for row in rows:
            sheet.append(row)
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(output.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    raise Http404
