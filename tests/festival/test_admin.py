"""The admin reads teams and judges and changes them only through the services, so the
festival's rules hold there too (the stage lock, one chair per stage)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from festival.models import Judge, Team
from tests.factories_festival import JudgeFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _confirmed_team(*, locked: bool) -> Team:
    stage = StageFactory(locked_at=timezone.now() if locked else None)
    return TeamFactory(edition=stage.edition, stage=stage, slot=1, status=Team.Status.CONFIRMED)


def test_a_team_is_shown_but_not_saved_from_its_admin_page(admin_client):
    team = _confirmed_team(locked=True)
    url = reverse("admin:festival_team_change", args=[team.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"name": "Otro", "status": Team.Status.WITHDRAWN})
    assert response.status_code == 403
    team.refresh_from_db()
    assert (team.name, team.status) != ("Otro", Team.Status.WITHDRAWN)
    assert admin_client.get(reverse("admin:festival_team_add")).status_code == 403


def test_withdrawing_from_the_admin_respects_the_stage_lock(admin_client):
    locked = _confirmed_team(locked=True)
    open_ = _confirmed_team(locked=False)
    response = admin_client.post(
        reverse("admin:festival_team_changelist"),
        {"action": "withdraw", "_selected_action": [locked.pk, open_.pk]},
        follow=True,
    )
    locked.refresh_from_db()
    open_.refresh_from_db()
    assert locked.status == Team.Status.CONFIRMED
    assert locked.stage_id is not None
    assert open_.status == Team.Status.WITHDRAWN
    assert open_.stage_id is None
    assert str(locked) in response.content.decode()  # the refusal names the team


def test_a_chair_named_from_the_admin_takes_the_chair_from_the_previous_one(admin_client):
    stage = StageFactory()
    previous = JudgeFactory(edition=stage.edition, stage=stage, is_chair=True)
    judge = JudgeFactory(edition=stage.edition, stage=stage)
    admin_client.post(
        reverse("admin:festival_judge_changelist"),
        {"action": "make_chair", "_selected_action": [judge.pk]},
    )
    chairs = Judge.objects.filter(stage=stage, is_chair=True)
    assert list(chairs) == [judge]
    previous.refresh_from_db()
    assert not previous.is_chair


def test_a_judge_cannot_be_added_around_the_appointment(admin_client):
    assert admin_client.get(reverse("admin:festival_judge_add")).status_code == 403
