"""score_submit: one sheet per (judge, team), newest values by the tablet's clock,
idempotent resends, audit history, conflicts of interest and the stage lock."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from festival.models import ScoreChange, ScoreSheet
from festival.services.judges import judge_conflict_declare
from festival.services.scoring import ScoreRefused, score_submit
from festival.services.stages import stage_lock
from tests.conftest import TRANSACTIONAL
from tests.factories_festival import JudgeConflictFactory, build_festival


def values(festival, *marks):
    return {str(c.pk): m for c, m in zip(festival.criteria, marks, strict=True)}


def submit(festival, judge_index, team, marks, *, at, key=None, **extra):
    return score_submit(
        user=festival.judge_user(judge_index),
        team_id=team.pk,
        values=values(festival, *marks),
        client_updated_at=at,
        idempotency_key=key or uuid.uuid4().hex,
        **extra,
    )


@pytest.mark.django_db
class TestScoreSubmit:
    def test_newest_values_win_and_every_change_is_audited(self):
        festival = build_festival()
        team = festival.teams[0]
        t0 = timezone.now() - timedelta(minutes=5)
        assert submit(festival, 0, team, (7, 7, 7), at=t0).result == "created"
        assert (
            submit(festival, 0, team, (9, 8, 7), at=t0 + timedelta(seconds=30)).result == "updated"
        )
        # A change made earlier on the other tablet arrives late: it overwrites nothing.
        assert submit(festival, 0, team, (1, 1, 1), at=t0 + timedelta(seconds=10)).result == "stale"
        sheet = ScoreSheet.objects.get()
        assert sheet.values == values(festival, 9, 8, 7)
        changes = list(ScoreChange.objects.order_by("pk"))
        assert [(c.old_values, c.new_values) for c in changes] == [
            ({}, values(festival, 7, 7, 7)),
            (values(festival, 7, 7, 7), values(festival, 9, 8, 7)),
        ]
        assert changes[1].changed_by == festival.judge_user(0)

    def test_a_resend_with_the_same_key_is_a_duplicate(self):
        festival = build_festival()
        at = timezone.now()
        first = submit(festival, 0, festival.teams[0], (5, 5, 5), at=at, key="k1")
        again = submit(festival, 0, festival.teams[0], (5, 5, 5), at=at, key="k1")
        assert (first.result, again.result) == ("created", "duplicate")
        assert ScoreChange.objects.count() == 1

    def test_submitting_requires_every_criterion(self):
        festival = build_festival()
        with pytest.raises(ScoreRefused) as refused:
            score_submit(
                user=festival.judge_user(0),
                team_id=festival.teams[0].pk,
                values={str(festival.criteria[0].pk): 8},
                client_updated_at=timezone.now(),
                idempotency_key="k",
                submit=True,
            )
        assert refused.value.code == "incomplete"

    def test_values_outside_the_scale_are_refused(self):
        festival = build_festival()
        with pytest.raises(ScoreRefused, match="1"):
            submit(festival, 0, festival.teams[0], (11, 5, 5), at=timezone.now())

    def test_changes_after_the_lock_are_refused_with_a_clear_message(self):
        festival = build_festival()
        submit(festival, 0, festival.teams[0], (5, 5, 5), at=timezone.now())
        stage_lock(
            stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True
        )  # the chair
        with pytest.raises(ScoreRefused) as refused:
            submit(
                festival, 0, festival.teams[0], (9, 9, 9), at=timezone.now() + timedelta(seconds=1)
            )
        assert refused.value.code == "locked"
        assert festival.stage.name in refused.value.message
        assert ScoreSheet.objects.get().values == values(festival, 5, 5, 5)

    def test_a_judge_never_scores_a_team_of_their_own_organization(self):
        festival = build_festival()
        judge = festival.judges[1]
        judge.organization = festival.teams[1].organization
        judge.save()
        with pytest.raises(ScoreRefused) as refused:
            submit(festival, 1, festival.teams[1], (5, 5, 5), at=timezone.now())
        assert refused.value.code == "conflict"
        from festival.models import Team

        assert festival.teams[1] not in Team.objects.offered_to(judge)
        assert festival.teams[0] in Team.objects.offered_to(judge)

    def test_a_declared_conflict_removes_the_team(self):
        festival = build_festival()
        judge_conflict_declare(
            judge=festival.judges[0],
            team=festival.teams[2],
            reason="Es mi sobrina",
            actor=festival.judge_user(0),
        )
        with pytest.raises(ScoreRefused):
            submit(festival, 0, festival.teams[2], (5, 5, 5), at=timezone.now())

    def test_a_judge_of_another_stage_may_not_score(self):
        festival = build_festival()
        other = build_festival(sector_number=2)
        with pytest.raises(ScoreRefused) as refused:
            score_submit(
                user=other.judge_user(0),
                team_id=festival.teams[0].pk,
                values=values(festival, 5, 5, 5),
                client_updated_at=timezone.now(),
                idempotency_key="x",
            )
        assert refused.value.code == "forbidden"

    def test_a_future_tablet_clock_is_capped(self):
        festival = build_festival()
        submit(festival, 0, festival.teams[0], (5, 5, 5), at=timezone.now() + timedelta(days=1))
        assert ScoreSheet.objects.get().client_updated_at < timezone.now() + timedelta(minutes=3)

    def test_conflict_factory_is_honoured_by_the_offer(self):
        festival = build_festival()
        JudgeConflictFactory(judge=festival.judges[0], team=festival.teams[0])
        from festival.models import Team

        assert list(Team.objects.offered_to(festival.judges[0])) == festival.teams[1:]


def _race(*calls):
    """Start every call at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    close_old_connections()
    assert errors == []


@TRANSACTIONAL
def test_same_judge_on_two_tablets_gives_one_sheet_with_the_newest_values():
    festival = build_festival()
    team = festival.teams[0]
    base = timezone.now() - timedelta(minutes=1)
    for round_ in range(5):
        older, newer = (
            base + timedelta(seconds=2 * round_),
            base + timedelta(seconds=2 * round_ + 1),
        )
        _race(
            lambda o=older, r=round_: submit(festival, 0, team, (1 + r, 1, 1), at=o),
            lambda n=newer, r=round_: submit(festival, 0, team, (2 + r, 9, 9), at=n),
        )
    assert ScoreSheet.objects.count() == 1
    assert ScoreSheet.objects.get().values == values(festival, 6, 9, 9)


@TRANSACTIONAL
def test_judges_submitting_at_the_same_moment_lose_nothing():
    festival = build_festival(teams=3, judges=4)
    now = timezone.now()
    calls = [
        (lambda j=j, t=t: submit(festival, j, t, (j + 1, 5, 5), at=now))
        for j in range(4)
        for t in festival.teams
    ]
    _race(*calls)
    assert ScoreSheet.objects.count() == 12
    for sheet in ScoreSheet.objects.select_related("judge"):
        judge_index = festival.judges.index(sheet.judge)
        assert sheet.values[str(festival.criteria[0].pk)] == judge_index + 1
    assert ScoreChange.objects.count() == 12


@TRANSACTIONAL
def test_a_score_racing_the_lock_is_either_kept_or_refused_never_after():
    festival = build_festival()
    outcomes: list[str] = []

    def score():
        try:
            outcomes.append(
                submit(festival, 1, festival.teams[0], (5, 5, 5), at=timezone.now()).result
            )
        except ScoreRefused as refused:
            outcomes.append(refused.code)

    _race(
        score,
        lambda: stage_lock(
            stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True
        ),
    )
    festival.stage.refresh_from_db()
    sheet = ScoreSheet.objects.first()
    assert festival.stage.locked_at is not None
    if outcomes == ["created"]:
        assert sheet.updated_at <= festival.stage.locked_at
    else:
        assert outcomes == ["locked"]
        assert sheet is None
