"""The festival's management, judging and API actions on the permission ladder: anonymous,
the wrong role, another district's staff and the right role. (The home, results and board
pages are public; the management, registration, judge screen and certificate ladders are in
test_pages.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from festival.models import JudgeConflict, ScoreSheet, Stage, Team, WorkshopAttendance
from festival.services.judges import judge_welcome_token
from festival.services.stages import stage_lock
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_festival import (
    ProposalFactory,
    TeamFactory,
    WorkshopSessionFactory,
    build_festival,
)
from tests.festival.test_pages import score_all

pytestmark = pytest.mark.django_db

LOGIN = "/cuentas/login/"


def as_user(client, user):
    client.force_login(user)
    return client


def other_coordinator(other_district):
    return UserFactory(role=Role.COORDINATOR, district=other_district)


# --- Management ----------------------------------------------------------------------------


@pytest.mark.ladder("festival:team-confirm")
def test_confirming_a_team_on_the_ladder(client, other_district):
    festival = build_festival()
    newcomer = TeamFactory(edition=festival.edition)
    ProposalFactory(team=newcomer)
    url = reverse("festival:team-confirm", args=[newcomer.pk])
    data = {"stage": festival.stage.pk, "slot": 4}
    assert LOGIN in client.post(url, data)["Location"]
    assert as_user(client, newcomer.representative).post(url, data).status_code == 403
    assert as_user(client, other_coordinator(other_district)).post(url, data).status_code == 404
    assert as_user(client, UserFactory(role=Role.COORDINATOR)).post(url, data).status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.status, newcomer.slot) == (Team.Status.CONFIRMED, 4)


@pytest.mark.ladder("festival:team-withdraw")
def test_withdrawing_a_team_on_the_ladder(client, other_district):
    festival = build_festival()
    team = festival.teams[2]
    url = reverse("festival:team-withdraw", args=[team.pk])
    assert LOGIN in client.post(url)["Location"]
    # The manager's page withdraws; a representative withdraws through the admin's action.
    assert as_user(client, team.representative).post(url).status_code == 403
    assert as_user(client, other_coordinator(other_district)).post(url).status_code == 404
    assert Team.objects.get(pk=team.pk).status == Team.Status.CONFIRMED
    assert as_user(client, UserFactory(role=Role.COORDINATOR)).post(url).status_code == 302
    assert Team.objects.get(pk=team.pk).status == Team.Status.WITHDRAWN


@pytest.mark.ladder("festival:attendance-record")
def test_recording_workshop_attendance_on_the_ladder(client, other_district):
    festival = build_festival()
    session = WorkshopSessionFactory(edition=festival.edition)
    team = festival.teams[0]
    url = reverse("festival:attendance-record")
    data = {"session": session.pk, "team": team.pk}
    assert LOGIN in client.post(url, data)["Location"]
    assert as_user(client, UserFactory(role=Role.JUDGE)).post(url, data).status_code == 403
    other_desk = UserFactory(role=Role.DESK, district=other_district)
    assert as_user(client, other_desk).post(url, data).status_code == 404  # no edition there
    assert not WorkshopAttendance.objects.exists()
    response = as_user(client, UserFactory(role=Role.DESK)).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("festival:home")  # the desk has no manager's page
    assert WorkshopAttendance.objects.get().team == team


@pytest.mark.ladder("festival:judge-appoint")
def test_appointing_a_judge_on_the_ladder(client, other_district):
    festival = build_festival()
    url = reverse("festival:judge-appoint")
    data = {"email": "nueva.jurado@example.org", "stage": festival.stage.pk}
    assert LOGIN in client.post(url, data)["Location"]
    assert as_user(client, UserFactory(role=Role.DESK)).post(url, data).status_code == 403
    assert as_user(client, other_coordinator(other_district)).post(url, data).status_code == 404
    assert not festival.edition.judges.filter(user__email=data["email"]).exists()
    assert as_user(client, UserFactory(role=Role.COORDINATOR)).post(url, data).status_code == 302
    assert festival.edition.judges.filter(user__email=data["email"]).exists()


@pytest.mark.ladder("festival:outstanding-mark", "festival:winner-set")
def test_the_committees_recognitions_on_the_ladder(client, other_district):
    festival = build_festival()
    score_all(festival)
    stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
    mark = reverse("festival:outstanding-mark")
    winner = reverse("festival:winner-set")
    data = {"team": festival.teams[0].pk}
    for url in (mark, winner):
        client.logout()
        assert LOGIN in client.post(url, data)["Location"]
        assert as_user(client, festival.judge_user(0)).post(url, data).status_code == 403
        assert as_user(client, other_coordinator(other_district)).post(url, data).status_code == 404
    assert not Team.objects.outstanding().exists()
    coordinator = UserFactory(role=Role.COORDINATOR)
    assert as_user(client, coordinator).post(mark).status_code == 302
    assert Team.objects.outstanding().exists()
    assert as_user(client, coordinator).post(winner, data).status_code == 302
    assert Team.objects.get(is_large_scale_winner=True) == festival.teams[0]


@pytest.mark.ladder("festival:stage-lock")
def test_locking_a_stage_on_the_ladder(client, other_district):
    festival = build_festival()
    url = reverse("festival:stage-lock", args=[festival.stage.pk])
    data = {"missing_sheets_accepted": "on"}
    assert LOGIN in client.get(url)["Location"]
    assert as_user(client, festival.judge_user(1)).post(url, data).status_code == 403  # no chair
    assert as_user(client, other_coordinator(other_district)).post(url, data).status_code == 403
    assert as_user(client, UserFactory(role=Role.COORDINATOR)).get(url).status_code == 200
    assert not Stage.objects.get(pk=festival.stage.pk).is_locked
    assert as_user(client, festival.judge_user(0)).post(url, data).status_code == 302
    assert Stage.objects.get(pk=festival.stage.pk).is_locked


@pytest.mark.ladder("festival:stage-reopen")
def test_reopening_a_stage_on_the_ladder(client, other_district):
    festival = build_festival()
    stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
    url = reverse("festival:stage-reopen", args=[festival.stage.pk])
    data = {"reason": "La jurado 2 no envió sus puntajes"}
    assert LOGIN in client.post(url, data)["Location"]
    assert as_user(client, festival.judge_user(0)).post(url, data).status_code == 403  # the chair
    assert as_user(client, other_coordinator(other_district)).post(url, data).status_code == 404
    assert Stage.objects.get(pk=festival.stage.pk).is_locked
    assert as_user(client, UserFactory(role=Role.COORDINATOR)).post(url, data).status_code == 302
    assert not Stage.objects.get(pk=festival.stage.pk).is_locked


# --- Judges --------------------------------------------------------------------------------


def _score_form(festival, team):
    return {
        "team": team.pk,
        **{f"c-{c.pk}": 7 for c in festival.criteria},
        "client_updated_at": timezone.now().isoformat(),
        "idempotency_key": f"ladder-{team.pk}",
    }


@pytest.mark.ladder("festival:score-submit")
def test_scoring_from_the_judge_screen_on_the_ladder(client, other_district):
    festival = build_festival()
    url = reverse("festival:score-submit")
    data = _score_form(festival, festival.teams[0])
    assert LOGIN in client.post(url, data)["Location"]
    as_user(client, UserFactory(role=Role.COORDINATOR))
    assert client.post(url, data, HTTP_ACCEPT="text/html").status_code == 302
    other_judge = UserFactory(role=Role.JUDGE, district=other_district)
    refused = as_user(client, other_judge).post(
        url, {**data, "values": {}}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not ScoreSheet.objects.exists()  # neither the coordinator nor the outsider scored
    assert as_user(client, festival.judge_user(0)).post(url, data).status_code == 302
    assert ScoreSheet.objects.get().judge.user == festival.judge_user(0)


@pytest.mark.ladder("festival:judge-conflict")
def test_declaring_a_conflict_on_the_ladder(client, other_district):
    festival = build_festival()
    url = reverse("festival:judge-conflict")
    data = {"team": festival.teams[1].pk, "reason": "Mi sobrina baila en el elenco"}
    assert LOGIN in client.post(url, data)["Location"]
    assert as_user(client, UserFactory(role=Role.COORDINATOR)).post(url, data).status_code == 403
    other_judge = UserFactory(role=Role.JUDGE, district=other_district)
    assert as_user(client, other_judge).post(url, data).status_code == 403  # on no panel
    assert not JudgeConflict.objects.exists()
    assert as_user(client, festival.judge_user(1)).post(url, data).status_code == 302
    assert JudgeConflict.objects.get().judge == festival.judges[1]


@pytest.mark.ladder("festival:judge-welcome")
def test_the_welcome_link_opens_only_with_its_own_token(client):
    person = UserFactory(role=Role.JUDGE)
    person.set_unusable_password()  # appointed without an account: the link sets it
    person.save()
    url = reverse("festival:judge-welcome", args=[judge_welcome_token(person)])
    # The link is the credential: anonymous visitors with it choose the password, anyone
    # with a tampered link (or none) is sent to sign in, whatever their role.
    assert client.get(url).status_code == 200
    tampered = reverse("festival:judge-welcome", args=["x" + judge_welcome_token(person)])
    assert LOGIN in client.get(tampered)["Location"]
    assert LOGIN in as_user(client, UserFactory(role=Role.COORDINATOR)).get(tampered)["Location"]


@pytest.mark.ladder("festival:judge-sw")
def test_the_judge_screens_worker_is_the_same_for_everyone(client, other_district):
    # The worker carries no data, only the screen's static files: the screen itself checks.
    url = reverse("festival:judge-sw")
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    judge = as_user(client, UserFactory(role=Role.JUDGE, district=other_district)).get(url)
    assert judge.content == anonymous.content


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.ladder(
    "festival-edition-list",
    "festival-edition-detail",
    "festival-stage-list",
    "festival-stage-detail",
    "festival-team-list",
    "festival-team-detail",
    "festival-criterion-list",
    "festival-criterion-detail",
)
def test_the_public_festival_api_is_the_same_for_every_caller(api, other_district):
    festival = build_festival()
    urls = [
        "/api/festival/editions/",
        f"/api/festival/editions/{festival.edition.pk}/",
        "/api/festival/stages/",
        f"/api/festival/stages/{festival.stage.pk}/",
        "/api/festival/teams/",
        f"/api/festival/teams/{festival.teams[0].pk}/",
        "/api/festival/criteria/",
        f"/api/festival/criteria/{festival.criteria[0].pk}/",
    ]
    anonymous = [api.get(url).json() for url in urls]
    for user in (
        UserFactory(role=Role.RESIDENT),
        other_coordinator(other_district),
        UserFactory(role=Role.COORDINATOR),
    ):
        api.force_authenticate(user)
        assert [api.get(url).json() for url in urls] == anonymous


@pytest.mark.ladder("festival-edition-results")
def test_provisional_results_through_the_api_are_the_districts_coordinators(api, other_district):
    festival = build_festival()
    score_all(festival)
    url = f"/api/festival/editions/{festival.edition.pk}/results/"
    assert api.get(url).json()["overall"] == []  # nothing locked yet
    api.force_authenticate(festival.judge_user(0))
    assert api.get(url).json()["overall"] == []
    api.force_authenticate(other_coordinator(other_district))
    assert api.get(url).json()["overall"] == []
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    assert len(api.get(url).json()["overall"]) == len(festival.teams)


def _score_payload(festival, team, key):
    return {
        "team": team.pk,
        "values": {str(c.pk): 5 for c in festival.criteria},
        "client_updated_at": timezone.now().isoformat(),
        "idempotency_key": key,
    }


@pytest.mark.ladder("festival-score-list", "festival-score-detail", "POST festival-score-list")
def test_score_sheets_through_the_api_on_the_ladder(api, other_district):
    festival = build_festival()
    url = "/api/festival/scores/"
    payload = _score_payload(festival, festival.teams[0], "ladder-1")
    assert api.post(url, payload, format="json").status_code in (401, 403)
    assert api.get(url).status_code in (401, 403)
    api.force_authenticate(UserFactory(role=Role.RESIDENT))
    assert api.post(url, payload, format="json").status_code == 403
    api.force_authenticate(UserFactory(role=Role.JUDGE, district=other_district))
    assert api.post(url, payload, format="json").status_code == 403
    api.force_authenticate(festival.judge_user(0))
    created = api.post(url, payload, format="json")
    assert created.status_code == 201
    detail = f"{url}{created.json()['id']}/"
    assert api.get(detail).status_code == 200
    assert api.get(url).json()["count"] == 1
    # Another judge of the same stage, another district's coordinator: the sheet is not
    # theirs to read, nor to know of.
    for outsider in (festival.judge_user(1), other_coordinator(other_district)):
        api.force_authenticate(outsider)
        assert api.get(detail).status_code == 404
        assert api.get(url).json()["count"] == 0
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    assert api.get(detail).status_code == 200
    assert api.get(url).json()["count"] == 1
