"""The festival's demo: five stages, 22 teams, 9 judges, one finished stage with results
and one in progress; running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from festival.models import Edition, Judge, ScoreSheet, Team
from festival.results import edition_results

pytestmark = pytest.mark.django_db


def test_demo_festival_is_complete_and_idempotent():
    call_command("seed_demo", "--password", "demo-pass-123", stdout=io.StringIO())
    edition = Edition.objects.get()
    assert edition.stages.count() == 5
    assert edition.teams.count() == 22
    assert Judge.objects.filter(edition=edition).count() == 9
    judge = Judge.objects.get(user__email="judge@example.org")
    assert judge.stage is not None
    assert not judge.stage.is_locked
    finished = edition.stages.filter(locked_at__isnull=False)
    assert finished.count() == 1
    results = edition_results(edition, locked_only=True)
    assert results.stage(finished.get().pk)[0].raw_rank == 1
    assert Team.objects.outstanding().count() >= 2
    assert Team.objects.filter(is_large_scale_winner=True).count() == 1
    in_progress = judge.stage
    assert ScoreSheet.objects.filter(team__stage=in_progress).exists()
    assert not Team.objects.offered_to(judge).filter(organization=judge.organization).exists()
    sheets = ScoreSheet.objects.count()
    call_command("seed_demo", "--password", "demo-pass-123", stdout=io.StringIO())
    assert (Team.objects.count(), ScoreSheet.objects.count()) == (22, sheets)
