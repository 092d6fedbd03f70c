"""Figures of the mapping app that the results dashboard (interventions) reads: how many
spaces are characterized, at risk, improved. Typed, so that a renamed field or status
breaks here and in the tests, never silently on the dashboard. (Problem reports have
their own, mapping.reports_indicators.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, OuterRef, Q, Subquery

from mapping.models import PublicSpace, Survey
from mapping.querysets import PublicSpaceQuerySet

# A space is "deteriorated or at risk" when its first verified survey scored in the bad
# band, and "fair or better" from the fair band up (ConditionBand.for_score).
FAIR_MIN_SCORE = 40


@dataclass(frozen=True)
class SpaceCondition:
    spaces: int = 0
    # With at least one survey approved by the reviewer.
    characterized: int = 0
    # First verified survey below FAIR_MIN_SCORE.
    at_risk: int = 0
    # Of those, the latest verified survey at FAIR_MIN_SCORE or more.
    improved: int = 0


def with_first_verified_score(spaces: PublicSpaceQuerySet) -> PublicSpaceQuerySet:
    """``spaces`` with ``first_score``: the score of their first verified survey."""
    first = Subquery(
        Survey.objects.filter(
            space=OuterRef("pk"), status=Survey.Status.VERIFIED, condition_score__isnull=False
        )
        .order_by("observed_at", "pk")
        .values("condition_score")[:1]
    )
    return spaces.alias(first_score=first)


def still_at_risk(spaces: PublicSpaceQuerySet) -> PublicSpaceQuerySet:
    """The spaces at risk at their first verified survey and not yet fair or better."""
    return with_first_verified_score(spaces).filter(
        Q(first_score__lt=FAIR_MIN_SCORE), condition_score__lt=FAIR_MIN_SCORE
    )


def space_condition(
    *, district_ids: list[int], by: Literal["district_id", "sector_id"]
) -> dict[int, SpaceCondition]:
    """Space condition counts of the districts, per district or per sector (one query)."""
    at_risk = Q(first_score__lt=FAIR_MIN_SCORE)
    spaces = PublicSpace.objects.filter(district_id__in=district_ids, **{f"{by}__isnull": False})
    rows = (
        with_first_verified_score(spaces)
        .values(by)
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(latest_verified_survey__isnull=False)),
            at_risk=Count("pk", filter=at_risk),
            improved=Count("pk", filter=at_risk & Q(condition_score__gte=FAIR_MIN_SCORE)),
        )
        .order_by()
    )
    return {
        row[by]: SpaceCondition(
            spaces=row["n"],
            characterized=row["done"],
            at_risk=row["at_risk"],
            improved=row["improved"],
        )
        for row in rows
    }


def spaces_in_review_by_district(district_ids: list[int]) -> dict[int, int]:
    """Spaces without a verified survey yet and with one submitted for review."""
    return dict(
        PublicSpace.objects.filter(
            district_id__in=district_ids,
            latest_verified_survey__isnull=True,
            surveys__status=Survey.Status.SUBMITTED,
        )
        .values("district_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
        .values_list("district_id", "n")
    )
