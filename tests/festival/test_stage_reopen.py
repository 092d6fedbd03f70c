"""A coordinator reopens a stage its chair locked too early: judges can change scores
again, the reopening is recorded with its reason, and recognized results stay locked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from festival.models import Stage, StageReopening
from festival.services.scoring import ScoreRefused
from festival.services.stages import stage_lock
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_festival import build_festival
from tests.festival.test_scoring import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_festival():
    festival = build_festival(teams=2, judges=2)
    now = timezone.now()
    for team in festival.teams:
        submit(festival, 0, team, (7, 7, 7), at=now - timedelta(minutes=1), submit=True)
    stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
    with pytest.raises(ScoreRefused):
        submit(festival, 1, festival.teams[0], (5, 5, 5), at=now)
    return festival


def reopen(client, stage, reason):
    return client.post(reverse("festival:stage-reopen", args=[stage.pk]), {"reason": reason})


def test_a_coordinator_reopens_with_a_reason_and_judges_score_again(client, locked_festival):
    festival = locked_festival
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)

    assert reopen(client, festival.stage, "  ").status_code == 302
    assert Stage.objects.get(pk=festival.stage.pk).is_locked  # no reason, no reopening

    reason = "La jurado 2 no alcanzó a enviar sus puntajes"
    response = reopen(client, festival.stage, reason)
    assert response.status_code == 302
    stage = Stage.objects.get(pk=festival.stage.pk)
    assert not stage.is_locked
    record = StageReopening.objects.get()
    assert (record.reopened_by, record.reason) == (coordinator, reason)
    assert record.locked_by == festival.judge_user(0)
    outcome = submit(festival, 1, festival.teams[0], (5, 5, 5), at=timezone.now())
    assert outcome.result == "created"


def test_the_chair_and_other_roles_may_not_reopen(client, locked_festival):
    festival = locked_festival
    for user in (festival.judge_user(0), UserFactory(role=Role.MEMBER)):
        client.force_login(user)
        assert reopen(client, festival.stage, "Quiero cambiar").status_code == 403
    assert Stage.objects.get(pk=festival.stage.pk).is_locked
    assert not StageReopening.objects.exists()


def test_a_stage_whose_teams_were_recognized_stays_locked(client, locked_festival):
    festival = locked_festival
    festival.teams[0].is_outstanding = True
    festival.teams[0].save()
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(
        reverse("festival:stage-reopen", args=[festival.stage.pk]),
        {"reason": "Revisar"},
        follow=True,
    )
    assert "ya fueron reconocidos" in response.content.decode()
    assert Stage.objects.get(pk=festival.stage.pk).is_locked
    assert not StageReopening.objects.exists()


def test_locking_returns_only_to_a_page_of_this_site(client):
    festival = build_festival(teams=1, judges=1)
    client.force_login(festival.judge_user(0))  # the chair
    url = reverse("festival:stage-lock", args=[festival.stage.pk])
    response = client.post(
        url, {"next": "https://example.com/phish", "missing_sheets_accepted": "on"}
    )
    assert response["Location"] == reverse("festival:results")
    assert Stage.objects.get(pk=festival.stage.pk).is_locked
