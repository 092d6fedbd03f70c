"""Festival API: public reads without personal data; judges write only their own sheets."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from festival.models import ScoreSheet
from festival.services.stages import stage_lock
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_festival import build_festival

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_public_reads_carry_no_personal_data(api):
    festival = build_festival()
    for url in (
        "/api/festival/editions/",
        "/api/festival/stages/",
        "/api/festival/teams/",
        "/api/festival/criteria/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert response.json()["count"] >= 1
        assert festival.teams[0].representative.email not in response.content.decode()
    team = api.get(f"/api/festival/teams/{festival.teams[0].pk}/").json()
    assert "representative" not in team
    assert team["public_space"] == festival.teams[0].proposal.public_space_id


def test_scores_are_private_and_judges_write_only_their_own(api):
    festival = build_festival()
    assert api.get("/api/festival/scores/").status_code in (401, 403)
    judge, other = festival.judge_user(0), festival.judge_user(1)
    payload = {
        "team": festival.teams[0].pk,
        "values": {str(c.pk): 5 for c in festival.criteria},
        "client_updated_at": timezone.now().isoformat(),
        "idempotency_key": "api-1",
    }
    api.force_authenticate(judge)
    created = api.post("/api/festival/scores/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["result"] == "created"
    assert api.post("/api/festival/scores/", payload, format="json").json()["result"] == "duplicate"
    api.force_authenticate(other)
    assert api.get("/api/festival/scores/").json()["count"] == 0
    api.post("/api/festival/scores/", dict(payload, idempotency_key="api-2"), format="json")
    # The second judge's post made the second judge's sheet: never the first judge's.
    assert {s.judge.user for s in ScoreSheet.objects.all()} == {judge, other}
    api.force_authenticate(UserFactory(role=Role.RESIDENT))
    refused = api.post(
        "/api/festival/scores/", dict(payload, idempotency_key="api-3"), format="json"
    )
    assert refused.status_code == 403
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    assert api.get("/api/festival/scores/").json()["count"] == 2


def test_results_endpoint_shows_locked_stages_to_the_public(api):
    festival = build_festival()
    api.force_authenticate(festival.judge_user(0))
    api.post(
        "/api/festival/scores/",
        {
            "team": festival.teams[0].pk,
            "values": {str(c.pk): 10 for c in festival.criteria},
            "client_updated_at": timezone.now().isoformat(),
            "idempotency_key": "r1",
        },
        format="json",
    )
    api.force_authenticate(None)
    url = f"/api/festival/editions/{festival.edition.pk}/results/"
    assert api.get(url).json()["overall"] == []
    stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
    overall = api.get(url).json()["overall"]
    assert overall[0]["team"] == festival.teams[0].pk
    assert overall[0]["raw"] == 10.0
