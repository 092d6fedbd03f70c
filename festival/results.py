"""Rankings of the festival, computed from the score sheets.

The rules, as the committee reads them in the rules document:

1. **Scale.** Every value is first put on a 0–10 scale by its criterion's range:
   ``(value - lowest) / (highest - lowest) × 10``, so criteria with different scales weigh
   only by their weight.
2. **A judge's total** for a team is the weighted average of that judge's values over the
   criteria: ``Σ weight × value / Σ weight``. Only complete sheets count (every criterion
   scored); a judge who left a criterion empty does not count for that team.
3. **A team's raw score** is the plain average of its judges' totals.
4. **Normalization (optional, per edition).** Harsh or lenient judges are corrected with a
   z-score per judge: each of a judge's totals becomes ``(total - judge's mean) / judge's
   standard deviation`` (population standard deviation over every team the judge scored;
   0 when the judge gave everybody the same total or scored one team). A team's normalized
   score is the average of its judges' z-scores. The raw ranking is always shown beside it.
5. **Ties** are broken by the higher average on the first criterion (by order), then by the
   higher average on the organization criterion (the one marked so, if any). Teams still
   equal share the place (1, 2, 2, 4) and are listed by name.

Pure functions over plain data so the rules are tested with hand-computed examples; one
loader (``edition_results``) reads everything in a constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from statistics import fmean, pstdev
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from festival.models import Edition

# Scores are compared after rounding so that float noise never splits a real tie.
_PRECISION = 9


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    weight: float
    low: int
    high: int
    is_organization: bool = False

    def scaled(self, value: float) -> float:
        return (value - self.low) / (self.high - self.low) * 10


@dataclass(frozen=True)
class SheetData:
    judge_id: int
    team_id: int
    values: Mapping[str, int | None]


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    organization: str
    stage_id: int | None


@dataclass(frozen=True)
class TeamResult:
    team_id: int
    name: str
    organization: str
    stage_id: int | None
    judges: int
    raw: float | None
    normalized: float | None
    first_criterion: float | None
    organization_score: float | None
    raw_rank: int | None = None
    normalized_rank: int | None = None

    def rank(self, *, normalized: bool) -> int | None:
        return self.normalized_rank if normalized else self.raw_rank


@dataclass
class EditionResults:
    criteria: list[CriterionSpec]
    overall: list[TeamResult]
    by_stage: dict[int, list[TeamResult]] = field(default_factory=dict)

    def stage(self, stage_id: int) -> list[TeamResult]:
        return self.by_stage.get(stage_id, [])


def judge_total(criteria: list[CriterionSpec], values: Mapping[str, int | None]) -> float | None:
    """Weighted average of one complete sheet on the 0–10 scale; None if incomplete."""
    weighted = 0.0
    for c in criteria:
        value = values.get(str(c.id))
        if value is None:
            return None
        weighted += c.weight * c.scaled(float(value))
    return weighted / sum(c.weight for c in criteria)


def compute(
    criteria: list[CriterionSpec], sheets: Iterable[SheetData], teams: Iterable[TeamInfo]
) -> list[TeamResult]:
    """One result per team (teams without complete sheets get None scores), unranked."""
    if not criteria:
        return [
            TeamResult(t.id, t.name, t.organization, t.stage_id, 0, None, None, None, None)
            for t in teams
        ]
    first = criteria[0]
    organization = next((c for c in criteria if c.is_organization), None)
    totals: dict[int, dict[int, float]] = defaultdict(dict)  # team -> judge -> total
    firsts: dict[int, list[float]] = defaultdict(list)
    organizations: dict[int, list[float]] = defaultdict(list)
    by_judge: dict[int, list[float]] = defaultdict(list)
    for sheet in sheets:
        total = judge_total(criteria, sheet.values)
        if total is None:
            continue
        # A total means a complete sheet: judge_total found a value for every criterion.
        values = cast("Mapping[str, int]", sheet.values)
        totals[sheet.team_id][sheet.judge_id] = total
        by_judge[sheet.judge_id].append(total)
        firsts[sheet.team_id].append(first.scaled(float(values[str(first.id)])))
        if organization is not None:
            organizations[sheet.team_id].append(
                organization.scaled(float(values[str(organization.id)]))
            )
    stats = {j: (fmean(ts), pstdev(ts)) for j, ts in by_judge.items()}

    def z(judge_id: int, total: float) -> float:
        mean, sd = stats[judge_id]
        return (total - mean) / sd if sd > 0 else 0.0

    results = []
    for t in teams:
        judged = totals.get(t.id, {})
        results.append(
            TeamResult(
                team_id=t.id,
                name=t.name,
                organization=t.organization,
                stage_id=t.stage_id,
                judges=len(judged),
                raw=fmean(judged.values()) if judged else None,
                normalized=fmean(z(j, v) for j, v in judged.items()) if judged else None,
                first_criterion=fmean(firsts[t.id]) if judged else None,
                organization_score=fmean(organizations[t.id]) if organizations[t.id] else None,
            )
        )
    return results


def _rank(
    results: list[TeamResult], score: Callable[[TeamResult], float | None]
) -> list[tuple[TeamResult, int | None]]:
    """Competition ranking (1, 2, 2, 4) by score, then the documented tie-breaks."""

    def key(r: TeamResult) -> tuple[float, float, float]:
        def n(x: float | None) -> float:
            return round(x, _PRECISION) if x is not None else float("-inf")

        return (n(score(r)), n(r.first_criterion), n(r.organization_score))

    scored = sorted(
        (r for r in results if score(r) is not None),
        key=lambda r: (tuple(-k for k in key(r)), r.name),
    )
    ranked: list[tuple[TeamResult, int | None]] = []
    for position, r in enumerate(scored, start=1):
        if ranked and key(ranked[-1][0]) == key(r):
            ranked.append((r, ranked[-1][1]))
        else:
            ranked.append((r, position))
    ranked.extend((r, None) for r in sorted(results, key=lambda r: r.name) if score(r) is None)
    return ranked


def rank(results: list[TeamResult], *, normalized: bool = False) -> list[TeamResult]:
    """Both ranks filled in; listed in the order of the requested one."""
    raw_ranks = {r.team_id: place for r, place in _rank(results, lambda r: r.raw)}
    norm_order = _rank(results, lambda r: r.normalized)
    norm_ranks = {r.team_id: place for r, place in norm_order}
    order = norm_order if normalized else _rank(results, lambda r: r.raw)
    return [
        replace(r, raw_rank=raw_ranks[r.team_id], normalized_rank=norm_ranks[r.team_id])
        for r, _place in order
    ]


def edition_results(edition: Edition, *, locked_only: bool = False) -> EditionResults:
    """Load an edition's sheets and rank per stage and overall (three queries)."""
    from festival.models import ScoreSheet, Team

    criteria = [
        CriterionSpec(c.pk, float(c.weight), c.scale_min, c.scale_max, c.is_organization)
        for c in edition.criteria.order_by("order", "pk")
    ]
    teams_qs = Team.objects.filter(edition=edition).in_running_order()
    from festival.models import Team

    sheets_qs = ScoreSheet.objects.filter(team__edition=edition, team__status=Team.Status.CONFIRMED)
    if locked_only:
        teams_qs = teams_qs.filter(stage__locked_at__isnull=False)
        sheets_qs = sheets_qs.filter(team__stage__locked_at__isnull=False)
    teams = [
        TeamInfo(pk, name, org, stage_id)
        for pk, name, org, stage_id in teams_qs.values_list(
            "pk", "name", "organization__name", "stage_id"
        )
    ]
    sheets = [
        SheetData(judge_id, team_id, values)
        for judge_id, team_id, values in sheets_qs.values_list("judge_id", "team_id", "values")
    ]
    results = compute(criteria, sheets, teams)
    normalized = edition.normalization_enabled
    by_stage: dict[int, list[TeamResult]] = {}
    for stage_id in {t.stage_id for t in teams if t.stage_id is not None}:
        by_stage[stage_id] = rank(
            [r for r in results if r.stage_id == stage_id], normalized=normalized
        )
    return EditionResults(
        criteria=criteria, overall=rank(results, normalized=normalized), by_stage=by_stage
    )


def outstanding_of_stage(results: list[TeamResult], *, top: int, normalized: bool) -> list[int]:
    """Team ids placed within the top N of a stage (ties at the boundary are all in)."""
    return [
        r.team_id
        for r in results
        if (place := r.rank(normalized=normalized)) is not None and place <= top
    ]


@dataclass(frozen=True)
class MissingSheets:
    """What a stage still lacks before its lock makes the results final: teams that no judge
    has submitted a sheet for, and judges who have not submitted a sheet for every team the
    judge screen offers them (their own organization's teams and declared conflicts are not
    owed)."""

    teams_total: int
    teams_unscored: int
    judges_total: int
    judges_behind: int

    @property
    def any(self) -> bool:
        return bool(self.teams_unscored or self.judges_behind)


def stage_missing_sheets(stage_id: int) -> MissingSheets:
    """Count the sheets a stage still owes (four queries, whatever the stage's size)."""
    from festival.models import Judge, ScoreSheet, Team

    teams = dict(  # team -> its organization, which that organization's judges do not score
        Team.objects.in_running_order()
        .filter(stage_id=stage_id)
        .values_list("pk", "organization_id")
        .order_by()
    )
    submitted = set(
        ScoreSheet.objects.filter(team__stage_id=stage_id, submitted_at__isnull=False)
        .values_list("judge_id", "team_id")
        .order_by()
    )
    judges = list(Judge.objects.filter(stage_id=stage_id).prefetch_related("declared_conflicts"))
    behind = 0
    for judge in judges:
        conflicts = {c.team_id for c in judge.declared_conflicts.all()}
        owed = (
            team_id
            for team_id, organization_id in teams.items()
            if team_id not in conflicts
            and (judge.organization_id is None or organization_id != judge.organization_id)
        )
        if any((judge.pk, team_id) not in submitted for team_id in owed):
            behind += 1
    return MissingSheets(
        teams_total=len(teams),
        teams_unscored=len(teams.keys() - {team_id for _judge, team_id in submitted}),
        judges_total=len(judges),
        judges_behind=behind,
    )
