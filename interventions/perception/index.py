"""The social-cohesion index, computed from the perception answers (docs/impact.md).

Respondent. Each item marked ``in_index`` in the version the person answered (trust in
neighbours, safety in and around the spaces, participation, willingness to care) is
rescaled from 1–5 to 0–100 (``(v − 1) × 25``); the respondent's score is the mean of those
answered, when at least half of them were answered. A respondent *counts as cohesive* when
the score is at least 62.5: on average between "neither" and "agree" leaning to agree
(3.5 on the 1–5 scale).

Sector. ``p_h`` is the share of cohesive respondents among the ``n_h`` counted answers of
the sector; its variance, with the finite-population correction of a sector of ``N_h``
residents, is ``(1 − n_h/N_h) · p_h(1 − p_h) / (n_h − 1)``.

District. The sectors are strata weighted by population, ``W_h = N_h / Σ N``: the estimate
is ``Σ W_h p_h`` and its variance ``Σ W_h² var_h``; the 95 % interval is ±1.96 standard
errors, clipped to 0–100. The estimate *is* the share of the district's population whose
cohesion is strengthened: the figure the founding document sets at 60 %.

Suppression. A sector with fewer than ``MIN_CELL`` counted answers is not shown, and it is
left out of the district's estimate (the others' weights are renormalised), so that no
published figure, alone or by difference, rests on fewer than five people.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from interventions.models import Intervention, Wave
    from mapping.models import PublicSpace
    from platform_app.models import District

MIN_CELL = 5
COHESIVE_SCORE = Decimal("62.5")
Z95 = 1.96


def respondent_score(answers: Mapping[str, object], index_codes: Iterable[str]) -> Decimal | None:
    """The 0–100 cohesion score of one respondent, or None when too few items were answered."""
    codes = list(index_codes)
    values = [v for c in codes if isinstance(v := answers.get(c), int) and 1 <= v <= 5]
    if not codes or len(values) * 2 < len(codes):
        return None
    mean = Decimal(sum((v - 1) * 25 for v in values)) / len(values)
    return mean.quantize(Decimal("0.1"))


@dataclass
class Stratum:
    population: int
    n: int
    cohesive: int

    @property
    def p(self) -> float:
        return self.cohesive / self.n

    @property
    def variance(self) -> float:
        if self.n < 2:
            return 0.25
        fpc = max(0.0, 1 - self.n / self.population) if self.population else 1.0
        return fpc * self.p * (1 - self.p) / (self.n - 1)


@dataclass
class Estimate:
    """A share of cohesive residents with its 95 % confidence interval, in percent."""

    percent: Decimal
    low: Decimal
    high: Decimal
    n: int
    wave_name: str = ""
    baseline: Estimate | None = None
    left_out: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return str(
            _("95 %% CI %(low)s–%(high)s %% · %(n)s answers · %(wave)s")
            % {"low": self.low, "high": self.high, "n": self.n, "wave": self.wave_name}
        )

    @property
    def baseline_text(self) -> str:
        if self.baseline is None:
            return ""
        return str(
            _("Baseline (%(wave)s): %(percent)s %% (95 %% CI %(low)s–%(high)s %%)")
            % {
                "wave": self.baseline.wave_name,
                "percent": self.baseline.percent,
                "low": self.baseline.low,
                "high": self.baseline.high,
            }
        )

    @property
    def change(self) -> Decimal | None:
        return None if self.baseline is None else self.percent - self.baseline.percent


def _pct(value: float) -> Decimal:
    return Decimal(str(round(min(1.0, max(0.0, value)) * 100, 1)))


def estimate(strata: list[Stratum]) -> Estimate | None:
    """The population-weighted share over ``strata`` (each with at least MIN_CELL answers)."""
    strata = [s for s in strata if s.n >= MIN_CELL and s.population > 0]
    if not strata:
        return None
    total = sum(s.population for s in strata)
    p = sum(s.population / total * s.p for s in strata)
    se = math.sqrt(sum((s.population / total) ** 2 * s.variance for s in strata))
    return Estimate(
        percent=_pct(p),
        low=_pct(p - Z95 * se),
        high=_pct(p + Z95 * se),
        n=sum(s.n for s in strata),
    )


def _sector_counts(wave_ids: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(wave, sector) → (counted answers, cohesive answers): one grouped query."""
    from interventions.models import PerceptionResponse

    return {
        (row["wave_id"], row["sector_id"]): (row["n"], row["c"])
        for row in PerceptionResponse.objects.filter(wave_id__in=wave_ids, sector__isnull=False)
        .counted()
        .values("wave_id", "sector_id")
        .annotate(n=Count("pk"), c=Count("pk", filter=Q(cohesive=True)))
        .order_by()
    }


def _populations(district_ids: list[int]) -> dict[int, tuple[int, int, str]]:
    """sector → (district, population, name)."""
    from interventions.models import SectorPopulation

    return {
        p.sector_id: (p.sector.district_id, p.population, p.sector.name)
        for p in SectorPopulation.objects.filter(
            sector__district_id__in=district_ids
        ).select_related("sector")
    }


def _waves(district_ids: list[int]) -> dict[int, list[Wave]]:
    from interventions.models import Wave

    waves: dict[int, list[Wave]] = {pk: [] for pk in district_ids}
    for wave in Wave.objects.filter(district_id__in=district_ids).order_by("starts_on", "pk"):
        waves[wave.district_id].append(wave)
    return waves


def district_estimates(district_ids: list[int]) -> dict[int, list[Estimate | None]]:
    """Each district's estimate for each of its waves, in date order (four queries)."""
    waves = _waves(district_ids)
    counts = _sector_counts([w.pk for ws in waves.values() for w in ws])
    populations = _populations(district_ids)
    result: dict[int, list[Estimate | None]] = {}
    for district_pk, district_waves in waves.items():
        result[district_pk] = []
        for wave in district_waves:
            strata, left_out = [], []
            for sector_pk, (owner, population, name) in populations.items():
                if owner != district_pk:
                    continue
                n, cohesive = counts.get((wave.pk, sector_pk), (0, 0))
                if n >= MIN_CELL:
                    strata.append(Stratum(population, n, cohesive))
                else:
                    left_out.append(name)
            found = estimate(strata)
            if found is not None:
                found.wave_name, found.left_out = wave.name, tuple(sorted(left_out))
            result[district_pk].append(found)
    return result


def _latest_with_baseline(waves: list[Wave], estimates: list[Estimate | None]) -> Estimate | None:
    pairs = [(w, e) for w, e in zip(waves, estimates, strict=True) if e is not None]
    if not pairs:
        return None
    latest = pairs[-1][1]
    baselines = [e for w, e in pairs if w.kind == "baseline"]
    if baselines and baselines[0] is not latest:
        latest.baseline = baselines[0]
    return latest


def cohesion_by_district(district_ids: list[int]) -> dict[int, Estimate]:
    """The latest wave's estimate of each district, compared with its baseline wave."""
    waves = _waves(district_ids)
    estimates = district_estimates(district_ids)
    result = {}
    for pk in district_ids:
        latest = _latest_with_baseline(waves[pk], estimates[pk])
        if latest is not None:
            result[pk] = latest
    return result


def sector_estimates(district: District) -> dict[int, list[tuple[Wave, Estimate | None]]]:
    """Per sector, each wave with its estimate (None under MIN_CELL answers)."""
    waves = _waves([district.pk])[district.pk]
    counts = _sector_counts([w.pk for w in waves])
    populations = _populations([district.pk])
    result: dict[int, list[tuple[Wave, Estimate | None]]] = {}
    for sector_pk, (_owner, population, _name) in populations.items():
        result[sector_pk] = []
        for wave in waves:
            n, cohesive = counts.get((wave.pk, sector_pk), (0, 0))
            found = estimate([Stratum(population, n, cohesive)])
            if found is not None:
                found.wave_name = wave.name
            result[sector_pk].append((wave, found))
    return result


def cohesion_by_sector(district: District) -> dict[int, Estimate]:
    result = {}
    for sector_pk, pairs in sector_estimates(district).items():
        latest = _latest_with_baseline([w for w, _e in pairs], [e for _w, e in pairs])
        if latest is not None:
            result[sector_pk] = latest
    return result


@dataclass
class SpaceWave:
    wave: Wave
    estimate: Estimate | None
    moment: str  # "before", "after" or "" (no finished intervention to compare with)


def space_estimates(
    space: PublicSpace, intervention: Intervention | None = None
) -> list[SpaceWave]:
    """The share of cohesive respondents who named ``space`` as their nearest, per wave.

    Unweighted (the people who name a space are its neighbours, not a sample of a sector).
    A wave ending before the intervention started is "before"; a wave starting after it
    started, once the intervention is finished, is "after".
    """
    from interventions.models import PerceptionResponse

    counts = {
        row["wave_id"]: (row["n"], row["c"])
        for row in PerceptionResponse.objects.filter(public_space=space)
        .counted()
        .values("wave_id")
        .annotate(n=Count("pk"), c=Count("pk", filter=Q(cohesive=True)))
        .order_by()
    }
    if not counts:
        return []
    from interventions.models import Wave

    start = getattr(intervention, "starts_on", None)
    finished = getattr(intervention, "status", "") == "finished"
    rows = []
    for wave in Wave.objects.filter(pk__in=counts).order_by("starts_on"):
        n, cohesive = counts[wave.pk]
        # The space's neighbours are not a stratum of known size: no correction (N = 0).
        found = estimate([Stratum(population=10**9, n=n, cohesive=cohesive)])
        if found is not None:
            found.wave_name = wave.name
        moment = ""
        if start is not None and wave.ends_on < start:
            moment = "before"
        elif start is not None and finished and wave.starts_on >= start:
            moment = "after"
        rows.append(SpaceWave(wave, found, moment))
    return rows
