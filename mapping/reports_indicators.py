"""Indicators of problem reports, for the results dashboard and the coordinators' measures.

Definitions (hidden reports count: hiding removes content from the public, not the fact
that a problem was reported):
- **received**: reports made in the district;
- **fixed**: reports whose status is "fixed" now (a reopened report no longer counts);
- **median days to fix**: median of (fixed at − reported at) over the fixed reports;
- **confirmed share**: of the fixed reports, the percentage whose reporter answered "yes,
  it is fixed" to the follow-up question;
- **time to acknowledge**: (acknowledged at − reported at), per category and per sector.

Each function costs a fixed number of queries, whatever the number of reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Literal

from django.db.models import Count, Q

from mapping.reports_models import OPEN_STATUSES, Report, ReportCategory, ReportStatus
from platform_app.models import District

DAY_SECONDS = Decimal(86400)


def _days(start: datetime, end: datetime | None) -> Decimal | None:
    if end is None:
        return None
    return Decimal((end - start).total_seconds()) / DAY_SECONDS


def _median(values: list[Decimal]) -> Decimal | None:
    return Decimal(median(values)).quantize(Decimal("0.1")) if values else None


@dataclass(frozen=True)
class ReportFigures:
    """A district's report indicators (see the module docstring for definitions)."""

    received: int = 0
    open: int = 0
    fixed: int = 0
    confirmed: int = 0
    median_days_to_fix: Decimal | None = None

    @property
    def confirmed_share(self) -> Decimal | None:
        if not self.fixed:
            return None
        return (Decimal(self.confirmed) * 100 / self.fixed).quantize(Decimal("0.1"))


def report_figures_by_district(district_ids: list[int]) -> dict[int, ReportFigures]:
    """The indicators of several districts in two queries."""
    counts: dict[int, tuple[int, int, int, int]] = {
        district_id: (received, open_, fixed, confirmed)
        for district_id, received, open_, fixed, confirmed in Report.objects.filter(
            district_id__in=district_ids
        )
        .values_list("district_id")
        .annotate(
            received=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            fixed=Count("pk", filter=Q(status=ReportStatus.FIXED)),
            confirmed=Count("pk", filter=Q(status=ReportStatus.FIXED, confirmed_fixed=True)),
        )
        .order_by()
    }
    durations: dict[int, list[Decimal]] = defaultdict(list)
    for district_id, created, fixed in Report.objects.filter(
        district_id__in=district_ids, status=ReportStatus.FIXED, fixed_at__isnull=False
    ).values_list("district_id", "created_at", "fixed_at"):
        days = _days(created, fixed)
        if days is not None:
            durations[district_id].append(days)
    return {
        pk: ReportFigures(*counts.get(pk, (0, 0, 0, 0)), median_days_to_fix=_median(durations[pk]))
        for pk in district_ids
    }


@dataclass(frozen=True)
class TimingRow:
    label: str
    received: int
    acknowledged: int
    median_days_to_acknowledge: Decimal | None
    fixed: int
    median_days_to_fix: Decimal | None


def report_timings(*, district: District, by: Literal["category", "sector"]) -> list[TimingRow]:
    """Time to acknowledge and to fix per category or per sector (one query)."""
    key = "category" if by == "category" else "sector__name"
    received: dict[str, int] = defaultdict(int)
    to_ack: dict[str, list[Decimal]] = defaultdict(list)
    to_fix: dict[str, list[Decimal]] = defaultdict(list)
    for group, status, created, acknowledged, fixed in Report.objects.filter(
        district=district
    ).values_list(key, "status", "created_at", "acknowledged_at", "fixed_at"):
        group = group or "—"
        received[group] += 1
        ack_days = _days(created, acknowledged)
        if ack_days is not None:
            to_ack[group].append(ack_days)
        fix_days = _days(created, fixed)
        if status == ReportStatus.FIXED and fix_days is not None:
            to_fix[group].append(fix_days)
    labels = dict(ReportCategory.choices) if by == "category" else {}
    return [
        TimingRow(
            label=str(labels.get(group, group)),
            received=received[group],
            acknowledged=len(to_ack[group]),
            median_days_to_acknowledge=_median(to_ack[group]),
            fixed=len(to_fix[group]),
            median_days_to_fix=_median(to_fix[group]),
        )
        for group in sorted(received)
    ]


def open_reports_by_sector(district: District) -> dict[int | None, int]:
    """Open, public reports per sector number: needs residents reported, which the coverage
    view shows beside the surveys."""
    return dict(
        Report.objects.public()
        .open()
        .filter(district=district)
        .values_list("sector__number")
        .annotate(n=Count("pk"))
        .order_by()
    )
