"""Locking a stage publishes its results as final: with sheets missing, the lock needs the
chair's explicit consent, and the page says how many teams and judges are missing sheets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from festival.models import JudgeConflict, Stage
from festival.results import stage_missing_sheets
from festival.services.stages import stage_lock
from tests.factories_festival import build_festival
from tests.festival.test_scoring import submit

pytestmark = pytest.mark.django_db


def test_missing_sheets_count_teams_without_score_and_judges_behind():
    festival = build_festival(teams=5, judges=2)
    at = timezone.now() - timedelta(minutes=1)
    for team in festival.teams[:2]:
        submit(festival, 0, team, (7, 7, 7), at=at, submit=True)
    missing = stage_missing_sheets(festival.stage.pk)
    assert (missing.teams_unscored, missing.teams_total) == (3, 5)
    assert (missing.judges_behind, missing.judges_total) == (2, 2)


def test_a_judge_owes_no_sheet_for_own_organization_or_declared_conflicts():
    festival = build_festival(teams=3, judges=1)
    judge = festival.judges[0]
    judge.organization = festival.teams[0].organization
    judge.save()
    JudgeConflict.objects.create(judge=judge, team=festival.teams[1], reason="Mi sobrina baila")
    submit(festival, 0, festival.teams[2], (7, 7, 7), at=timezone.now(), submit=True)
    missing = stage_missing_sheets(festival.stage.pk)
    assert missing.judges_behind == 0
    assert missing.teams_unscored == 2


def test_the_lock_is_refused_with_missing_sheets_unless_accepted():
    festival = build_festival(teams=5, judges=1)
    submit(festival, 0, festival.teams[0], (7, 7, 7), at=timezone.now(), submit=True)
    with pytest.raises(ValidationError, match="4 de 5 elencos"):
        stage_lock(stage=festival.stage, actor=festival.judge_user(0))
    assert not Stage.objects.get(pk=festival.stage.pk).is_locked
    stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
    assert Stage.objects.get(pk=festival.stage.pk).is_locked


def test_a_complete_stage_locks_without_the_extra_consent():
    festival = build_festival(teams=2, judges=1)
    for team in festival.teams:
        submit(festival, 0, team, (7, 7, 7), at=timezone.now(), submit=True)
    stage_lock(stage=festival.stage, actor=festival.judge_user(0))
    assert Stage.objects.get(pk=festival.stage.pk).is_locked


def test_the_lock_messages_name_the_stage_once(client, settings):
    settings.LANGUAGE_CODE = "es"
    festival = build_festival(teams=1, judges=1)
    client.force_login(festival.judge_user(0))
    response = client.post(
        reverse("festival:stage-lock", args=[festival.stage.pk]),
        {"missing_sheets_accepted": "on"},
        follow=True,
        headers={"accept-language": "es"},
    )
    page = response.content.decode()
    assert festival.stage.name.startswith("Sede ")
    assert f"Calificación cerrada en {festival.stage.name}." in page
    assert "Sede Sede" not in page
