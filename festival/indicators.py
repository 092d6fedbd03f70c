"""Figures of the festival that the results dashboard (interventions) reads. Typed, so
that a renamed field or status breaks here and in the tests, never silently on the
dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from festival.models import Team
from platform_app.models import District


@dataclass(frozen=True)
class FestivalCounts:
    # Distinct registered organizations with a confirmed team, in any edition.
    organizations: int = 0
    # Teams registered and not yet confirmed.
    pending: int = 0


def festival_counts_by_district(district_ids: list[int]) -> dict[int, FestivalCounts]:
    """Every district of ``district_ids`` (none yet is a count of zero): one query."""
    result = dict.fromkeys(district_ids, FestivalCounts())
    rows = (
        Team.objects.filter(edition__district_id__in=district_ids)
        .values("edition__district_id")
        .annotate(
            n=Count(
                "organization",
                distinct=True,
                filter=Q(status=Team.Status.CONFIRMED, organization__isnull=False),
            ),
            pending=Count("pk", filter=Q(status=Team.Status.REGISTERED)),
        )
        .order_by()
    )
    for row in rows:
        result[row["edition__district_id"]] = FestivalCounts(
            organizations=row["n"], pending=row["pending"]
        )
    return result


def confirmed_teams_by_sector(district: District) -> dict[int, int]:
    """Confirmed teams of the district's editions per sector (one query)."""
    return dict(
        Team.objects.filter(
            edition__district=district, sector__isnull=False, status=Team.Status.CONFIRMED
        )
        .values("sector_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("sector_id", "n")
    )
