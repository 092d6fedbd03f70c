"""How many answers each sector needs: the sampling plan of a wave.

For a proportion (the share of cohesive residents, taken at its most uncertain value
p = 0.5), a margin of error e and the normal quantile z of the confidence level, the sample
of an infinite population is ``n0 = z² · p(1 − p) / e²``; for a sector of N residents the
finite-population correction gives ``n = n0 / (1 + (n0 − 1) / N)``, rounded up. Each sector
is its own stratum with its own quota, so every sector's figure meets the margin on its own
(and the district's, a weighted mean of the sectors, is tighter). docs/impact.md explains it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count

if TYPE_CHECKING:
    from interventions.models import Wave

# Two-sided normal quantiles of the confidence levels a wave may choose.
Z = {90: 1.6449, 95: 1.9600, 99: 2.5758}
P = 0.5


def sample_size(*, population: int, margin_percent: Decimal | float, confidence: int) -> int:
    """Answers needed in a population of ``population`` for ±``margin_percent`` points."""
    if population <= 0:
        return 0
    e = float(margin_percent) / 100
    n0 = Z[confidence] ** 2 * P * (1 - P) / e**2
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


@dataclass
class Quota:
    sector_pk: int
    number: int
    name: str
    population: int | None
    quota: int
    collected: int

    @property
    def progress(self) -> int:
        if not self.quota:
            return 0
        return min(100, self.collected * 100 // self.quota)

    @property
    def under_sampled(self) -> bool:
        return self.population is not None and self.collected < self.quota


def plan(wave: Wave) -> list[Quota]:
    """The quota and the answers collected so far, per sector of the wave's district.

    Three queries: sectors with their population, and the counted answers grouped by sector.
    """
    from interventions.models import PerceptionResponse

    collected = {
        row["sector_id"]: row["n"]
        for row in PerceptionResponse.objects.filter(wave=wave)
        .counted()
        .values("sector_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    quotas = []
    for sector in wave.district.sectors.select_related("population").order_by("number"):
        population = getattr(sector, "population", None)
        size = population.population if population is not None else None
        quotas.append(
            Quota(
                sector_pk=sector.pk,
                number=sector.number,
                name=sector.name,
                population=size,
                quota=sample_size(
                    population=size,
                    margin_percent=wave.margin_of_error,
                    confidence=wave.confidence,
                )
                if size
                else 0,
                collected=collected.get(sector.pk, 0),
            )
        )
    return quotas
