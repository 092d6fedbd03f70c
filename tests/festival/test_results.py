"""Results with hand-computed examples: scaling, weighted averages, tie-breaks and the
z-score normalization per judge (festival.results documents the rules)."""

from __future__ import annotations

import pytest

from festival.results import CriterionSpec, SheetData, TeamInfo, compute, edition_results, rank

A, B, C = "1", "2", "3"


def teams(*names: str) -> list[TeamInfo]:
    return [TeamInfo(i, name, f"Org {name}", 1) for i, name in enumerate(names, start=1)]


def test_weighted_average_over_criteria_and_judges_on_a_common_scale():
    # A: weight 3 on 0–10 (first); B: weight 2 on 0–4 (×2.5); C: weight 1 on 0–10 (organization).
    criteria = [
        CriterionSpec(1, 3, 0, 10),
        CriterionSpec(2, 2, 0, 4),
        CriterionSpec(3, 1, 0, 10, is_organization=True),
    ]
    sheets = [
        # judge 1: T1 (8, 4→10, 6) = 50/6; T2 (6, 2→5, 10) = 38/6; T3 (7, 3→7.5, 5) = 41/6
        SheetData(1, 1, {A: 8, B: 4, C: 6}),
        SheetData(1, 2, {A: 6, B: 2, C: 10}),
        SheetData(1, 3, {A: 7, B: 3, C: 5}),
        # judge 2: T1 (5, 5, 5) = 5; T2 (7, 7.5, 7) = 43/6; T3 (6, 5, 9) = 37/6
        SheetData(2, 1, {A: 5, B: 2, C: 5}),
        SheetData(2, 2, {A: 7, B: 3, C: 7}),
        SheetData(2, 3, {A: 6, B: 2, C: 9}),
    ]
    results = {r.name: r for r in rank(compute(criteria, sheets, teams("T1", "T2", "T3")))}
    assert results["T1"].raw == pytest.approx(80 / 12)  # (50/6 + 5) / 2 = 6.667
    assert results["T2"].raw == pytest.approx(81 / 12)  # 6.75
    assert results["T3"].raw == pytest.approx(78 / 12)  # 6.5
    assert [results[n].raw_rank for n in ("T2", "T1", "T3")] == [1, 2, 3]
    assert results["T1"].first_criterion == pytest.approx(6.5)
    assert results["T2"].organization_score == pytest.approx(8.5)
    assert results["T1"].judges == 2


def test_an_incomplete_sheet_does_not_count():
    criteria = [CriterionSpec(1, 1, 0, 10), CriterionSpec(2, 1, 0, 10)]
    sheets = [SheetData(1, 1, {A: 8, B: 6}), SheetData(2, 1, {A: 2})]
    (result,) = compute(criteria, sheets, teams("T1"))
    assert (result.raw, result.judges) == (7.0, 1)


def test_tie_breaks_first_criterion_then_organization_then_shared_place():
    # A weight 2 (first), B weight 1, C weight 1 (organization), all 0–10; one judge.
    criteria = [
        CriterionSpec(1, 2, 0, 10),
        CriterionSpec(2, 1, 0, 10),
        CriterionSpec(3, 1, 0, 10, is_organization=True),
    ]
    sheets = [
        SheetData(1, 1, {A: 8, B: 4, C: 4}),  # (16+4+4)/4 = 6
        SheetData(1, 2, {A: 6, B: 8, C: 4}),  # (12+8+4)/4 = 6, lower first criterion
        SheetData(1, 3, {A: 5, B: 10, C: 5}),  # (10+10+5)/4 = 6.25
        SheetData(1, 4, {A: 5, B: 9, C: 6}),  # 6.25, same first, better organization
        SheetData(1, 5, {A: 5, B: 10, C: 5}),  # identical to T3: shares its place
    ]
    ranked = rank(compute(criteria, sheets, teams("T1", "T2", "T3", "T4", "T5")))
    assert [(r.name, r.raw_rank) for r in ranked] == [
        ("T4", 1),
        ("T3", 2),
        ("T5", 2),
        ("T1", 4),
        ("T2", 5),
    ]


def test_z_score_normalization_corrects_a_harsh_judge_and_is_shown_beside_raw():
    criteria = [CriterionSpec(1, 1, 0, 10)]
    sheets = [
        # Judge 1 spreads widely: 10, 2, 6 → mean 6, sd √(32/3) = 3.266 → z 1.2247, -1.2247, 0
        SheetData(1, 1, {A: 10}),
        SheetData(1, 2, {A: 2}),
        SheetData(1, 3, {A: 6}),
        # Judge 2 is narrow: 4, 7, 5 → mean 5.333, sd 1.2472 → z -1.0690, 1.3363, -0.2673
        SheetData(2, 1, {A: 4}),
        SheetData(2, 2, {A: 7}),
        SheetData(2, 3, {A: 5}),
    ]
    results = compute(criteria, sheets, teams("T1", "T2", "T3"))
    by_name = {r.name: r for r in rank(results)}
    # Raw: T1 7, T2 4.5, T3 5.5 → T1, T3, T2.
    assert [by_name[n].raw for n in ("T1", "T2", "T3")] == [7.0, 4.5, 5.5]
    assert [by_name[n].raw_rank for n in ("T1", "T3", "T2")] == [1, 2, 3]
    # Normalized: T1 (1.2247-1.0690)/2 = 0.0778; T2 (-1.2247+1.3363)/2 = 0.0558;
    # T3 (0-0.2673)/2 = -0.1336 → T1, T2, T3: the harsh judge's low mark for T2 weighs less.
    assert by_name["T1"].normalized == pytest.approx(0.0778, abs=1e-4)
    assert by_name["T2"].normalized == pytest.approx(0.0558, abs=1e-4)
    assert by_name["T3"].normalized == pytest.approx(-0.1336, abs=1e-4)
    normalized = rank(results, normalized=True)
    assert [(r.name, r.normalized_rank, r.raw_rank) for r in normalized] == [
        ("T1", 1, 1),
        ("T2", 2, 3),
        ("T3", 3, 2),
    ]


def test_a_judge_who_gives_everyone_the_same_total_has_z_zero():
    criteria = [CriterionSpec(1, 1, 0, 10)]
    sheets = [SheetData(1, 1, {A: 7}), SheetData(1, 2, {A: 7})]
    assert [r.normalized for r in compute(criteria, sheets, teams("T1", "T2"))] == [0.0, 0.0]


@pytest.mark.django_db
def test_edition_results_reads_sheets_and_ranks_per_stage_with_locked_only(
    django_assert_num_queries,
):
    from django.utils import timezone

    from tests.factories_festival import ScoreSheetFactory, build_festival

    festival = build_festival(teams=3, judges=2)
    c1, c2, c3 = (str(c.pk) for c in festival.criteria)
    marks = {0: (10, 10, 10), 1: (1, 1, 1), 2: (5, 5, 5)}
    for judge in festival.judges:
        for i, team in enumerate(festival.teams):
            v = marks[i]
            ScoreSheetFactory(judge=judge, team=team, values={c1: v[0], c2: v[1], c3: v[2]})
    with django_assert_num_queries(3):
        results = edition_results(festival.edition)
    stage_results = results.stage(festival.stage.pk)
    assert [r.team_id for r in stage_results] == [festival.teams[i].pk for i in (0, 2, 1)]
    assert stage_results[0].raw == pytest.approx(10.0)  # 10 on 1–10 is 10 on 0–10
    assert stage_results[1].raw == pytest.approx(40 / 9)  # 5 on 1–10 is 4.444
    assert edition_results(festival.edition, locked_only=True).overall == []
    festival.stage.locked_at = timezone.now()
    festival.stage.save()
    assert len(edition_results(festival.edition, locked_only=True).overall) == 3
