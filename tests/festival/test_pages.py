"""Every festival page on the permission ladder (anonymous, wrong role, right role, other
district), the live board's cache, and query counts at two sizes."""

from __future__ import annotations

import json
import re
import shutil
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from festival.models import ScoreSheet, Team
from festival.services.boards import board_cache_key
from festival.services.scoring import score_submit
from festival.services.stages import stage_lock
from festival.views import JUDGE_WORKER_STATIC
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_festival import (
    OrganizationFactory,
    ProposalFactory,
    SpaceFactory,
    TeamFactory,
    WorkshopSessionFactory,
    build_festival,
    sector,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def score_all(festival, marks=(8, 7, 6)):
    for judge in festival.judges:
        for team in festival.teams:
            score_submit(
                user=judge.user,
                team_id=team.pk,
                values={str(c.pk): m for c, m in zip(festival.criteria, marks, strict=True)},
                client_updated_at=timezone.now(),
                idempotency_key=uuid.uuid4().hex,
            )


class TestPublicPages:
    def test_festival_home_board_and_results_are_public_without_personal_data(self, client):
        festival = build_festival()
        for name, args in (
            ("festival:home", ()),
            ("festival:results", ()),
            ("festival:board", (festival.stage.pk,)),
        ):
            response = client.get(reverse(name, args=args))
            assert response.status_code == 200
            assert festival.teams[0].representative.email not in response.content.decode()
        assert festival.stage.name in client.get(reverse("festival:home")).content.decode()

    def test_board_hides_scores_until_the_stage_is_locked(
        self, client, django_capture_on_commit_callbacks
    ):
        festival = build_festival()
        score_all(festival)
        fragment = reverse("festival:board-fragment", args=[festival.stage.pk])
        before = client.get(fragment).content.decode()
        assert "8.33" not in before
        assert "8,33" not in before
        assert festival.teams[0].name in before
        with django_capture_on_commit_callbacks(execute=True):
            stage_lock(
                stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True
            )
        after = client.get(fragment).content.decode()
        # (8-1)/9·10·3 + (7-1)/9·10·2 + (6-1)/9·10·1 = (210+120+50)/54 = 7.04
        assert "7,04" in after or "7.04" in after

    def test_board_is_served_from_the_cache_and_dropped_on_the_lock(
        self, client, django_assert_num_queries, django_capture_on_commit_callbacks
    ):
        festival = build_festival()
        fragment = reverse("festival:board-fragment", args=[festival.stage.pk])
        client.get(fragment)
        key = board_cache_key(festival.stage.pk, "es-pe")
        assert cache.get(key) is not None
        with django_assert_num_queries(0):
            assert client.get(fragment).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            score_all(festival)  # scores of an unlocked stage do not show: board kept
        assert cache.get(key) is not None
        with django_capture_on_commit_callbacks(execute=True):
            stage_lock(
                stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True
            )
        assert cache.get(key) is None

    def test_results_show_locked_stages_only_to_the_public(self, client):
        festival = build_festival()
        score_all(festival)
        page = client.get(reverse("festival:results")).content.decode()
        assert festival.teams[0].name not in page
        coordinator = UserFactory(role=Role.COORDINATOR)
        page = login(client, coordinator).get(reverse("festival:results")).content.decode()
        assert festival.teams[0].name in page


class TestJudgeScreen:
    @pytest.mark.ladder("festival:judge")
    def test_ladder(self, client, other_district):
        festival = build_festival()
        url = reverse("festival:judge")
        assert client.get(url).status_code == 302  # anonymous → sign in
        assert login(client, UserFactory(role=Role.RESIDENT)).get(url).status_code == 403
        assert (
            login(client, UserFactory(role=Role.JUDGE)).get(url).status_code == 403
        )  # not on a panel
        other_judge = UserFactory(role=Role.JUDGE, district=other_district)
        assert login(client, other_judge).get(url).status_code == 403
        response = login(client, festival.judge_user(0)).get(url)
        assert response.status_code == 200
        assert festival.teams[0].name in response.content.decode()

    def test_screen_does_not_offer_a_team_of_the_judges_organization(self, client):
        festival = build_festival()
        judge = festival.judges[0]
        judge.organization = festival.teams[1].organization
        judge.save()
        page = login(client, judge.user).get(reverse("festival:judge")).content.decode()
        assert f'id="perf-{festival.teams[0].pk}"' in page
        assert f'id="perf-{festival.teams[1].pk}"' not in page
        # The screen says why the team is missing from the judge's list.
        assert f"{festival.teams[1].name}: es un elenco de su propia organización" in page

    def test_json_submit_upserts_and_refuses_after_the_lock(self, client):
        festival = build_festival()
        login(client, festival.judge_user(1))
        payload = {
            "team": festival.teams[0].pk,
            "values": {str(c.pk): 6 for c in festival.criteria},
            "comment": "Buena energía",
            "client_updated_at": timezone.now().isoformat(),
            "idempotency_key": "abc",
        }
        url = reverse("festival:score-submit")
        response = client.post(url, json.dumps(payload), content_type="application/json")
        assert response.status_code == 200
        assert response.json()["result"] == "created"
        again = client.post(url, json.dumps(payload), content_type="application/json")
        assert again.json()["result"] == "duplicate"
        stage_lock(
            stage=festival.stage,
            actor=UserFactory(role=Role.COORDINATOR),
            missing_sheets_accepted=True,
        )
        payload.update(idempotency_key="def", client_updated_at=timezone.now().isoformat())
        locked = client.post(url, json.dumps(payload), content_type="application/json")
        assert locked.status_code == 409
        assert "locked" in locked.json()["message"] or "cerrada" in locked.json()["message"]

    def test_form_post_works_without_scripts(self, client):
        festival = build_festival()
        login(client, festival.judge_user(0))
        data = {"team": festival.teams[0].pk, "submit": "1"}
        data.update({f"c-{c.pk}": 9 for c in festival.criteria})
        assert client.post(reverse("festival:score-submit"), data).status_code == 302
        assert ScoreSheet.objects.get().is_submitted

    def test_service_worker_is_served_under_the_screen_scope(self, client):
        response = client.get(reverse("festival:judge-sw"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript")
        assert "/festival/jurado/" in response.content.decode()

    def test_service_worker_keeps_every_script_and_style_the_screen_loads(self, client):
        festival = build_festival()
        login(client, festival.judge_user(0))
        screen = client.get(reverse("festival:judge")).content.decode()
        loaded = set(re.findall(r'"(/static/[^"]+\.(?:css|js))"', screen))
        worker = client.get(reverse("festival:judge-sw")).content.decode()
        kept = set(re.findall(r'^  "(/static/[^"]+)",$', worker, re.MULTILINE))
        assert "/static/js/forms.js" in loaded
        assert loaded <= kept
        assert kept == {static(name) for name in JUDGE_WORKER_STATIC}

    def test_service_worker_version_changes_with_every_file_it_keeps(
        self, client, settings, tmp_path
    ):
        # A new version is what makes tablets replace their offline copies.
        shutil.copytree(settings.BASE_DIR / "static", tmp_path / "static")
        settings.BASE_DIR = tmp_path
        url = reverse("festival:judge-sw")

        def cache_name() -> str:
            return re.search(r'const CACHE = "([^"]+)";', client.get(url).content.decode())[1]

        for name in JUDGE_WORKER_STATIC:
            before = cache_name()
            with (tmp_path / "static" / name).open("ab") as changed:
                changed.write(b"\n")
            assert cache_name() != before, name

    @pytest.mark.parametrize("size", [3, 12])
    def test_query_count_does_not_grow_with_the_running_order(self, client, size):
        counts = {}
        for n in (size, size * 3):
            cache.clear()
            festival = build_festival(teams=n, judges=1)
            score_all(festival)
            login(client, festival.judge_user(0))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("festival:judge")).status_code == 200
            counts[n] = len(queries)
            festival.judges[0].user.groups.clear()
        assert counts[size] == counts[size * 3]


def test_board_query_count_does_not_grow_with_teams(client):
    counts = []
    for n in (4, 16):
        festival = build_festival(teams=n, judges=2)
        score_all(festival)
        stage_lock(stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("festival:board", args=[festival.stage.pk])).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


class TestRegistrationPage:
    @pytest.mark.ladder("festival:team-register")
    def test_ladder(self, client, other_district):
        build_festival()
        url = reverse("festival:team-register")
        assert client.get(url).status_code == 302
        assert login(client, UserFactory(role=Role.RESIDENT)).get(url).status_code == 403
        assert login(client, UserFactory(role=Role.REPRESENTATIVE, district=other_district)).get(
            url
        ).status_code in (403, 404)
        space = SpaceFactory(sector=sector(3))
        page = login(client, UserFactory(role=Role.REPRESENTATIVE)).get(url)
        assert page.status_code == 200
        # Options carry their sector for registration.js to offer the team's sector only.
        assert f'data-sector="{sector(3).pk}" value="{space.pk}"' in page.content.decode() or (
            f'value="{space.pk}" data-sector="{sector(3).pk}"' in page.content.decode()
        )

    def test_outside_space_is_refused_on_the_page_with_the_message(self, client):
        festival = build_festival()
        login(client, UserFactory(role=Role.REPRESENTATIVE))
        space = SpaceFactory(sector=sector(3), name="Parque Lejano")
        data = {
            "organization": OrganizationFactory(sector=sector(2)).pk,
            "sector": sector(2).pk,
            "name": "Elenco Nuevo",
            "dance_style": "saya",
            "dancers_children": 0,
            "dancers_youth": 10,
            "dancers_adults": 0,
            "dancers_seniors": 0,
            "public_space": space.pk,
            "what": "Luces",
            "why": "Oscuro",
            "who": "Todos",
        }
        response = client.post(reverse("festival:team-register"), data)
        assert response.status_code == 200
        assert "Parque Lejano" in response.content.decode()
        assert not Team.objects.filter(name="Elenco Nuevo").exists()
        data["public_space"] = SpaceFactory(sector=sector(2)).pk
        assert client.post(reverse("festival:team-register"), data).status_code == 302
        assert Team.objects.get(name="Elenco Nuevo").edition == festival.edition

    def test_the_registration_sent_twice_creates_one_team(self, client):
        build_festival()
        login(client, UserFactory(role=Role.REPRESENTATIVE))
        url = reverse("festival:team-register")
        assert 'name="once"' in client.get(url).content.decode()
        data = {
            "organization": OrganizationFactory(sector=sector(2)).pk,
            "sector": sector(2).pk,
            "name": "Elenco Doble Toque",
            "dance_style": "saya",
            "dancers_children": 0,
            "dancers_youth": 10,
            "dancers_adults": 0,
            "dancers_seniors": 0,
            "public_space": SpaceFactory(sector=sector(2)).pk,
            "what": "Luces",
            "why": "Oscuro",
            "who": "Todos",
            "once": uuid.uuid4().hex,
        }
        first = client.post(url, data)
        second = client.post(url, data)
        assert first.status_code == second.status_code == 302
        assert second["Location"] == first["Location"]
        assert Team.objects.filter(name="Elenco Doble Toque").count() == 1


class TestManagement:
    @pytest.mark.ladder("festival:manage")
    def test_ladder(self, client, other_district):
        build_festival()
        url = reverse("festival:manage")
        assert client.get(url).status_code == 302
        assert login(client, UserFactory(role=Role.JUDGE)).get(url).status_code == 403
        assert (
            login(client, UserFactory(role=Role.COORDINATOR, district=other_district))
            .get(url)
            .status_code
            == 404
        )
        assert login(client, UserFactory(role=Role.COORDINATOR)).get(url).status_code == 200

    def test_coordinator_confirms_records_attendance_locks_and_marks(self, client):
        festival = build_festival(teams=3, judges=2)
        coordinator = UserFactory(role=Role.COORDINATOR)
        login(client, coordinator)
        newcomer = TeamFactory(edition=festival.edition)
        ProposalFactory(team=newcomer)
        session = WorkshopSessionFactory(edition=festival.edition)
        client.post(
            reverse("festival:attendance-record"), {"session": session.pk, "team": newcomer.pk}
        )
        assert newcomer.attendances.count() == 1
        client.post(
            reverse("festival:team-confirm", args=[newcomer.pk]),
            {"stage": festival.stage.pk, "slot": 4},
        )
        newcomer.refresh_from_db()
        assert (newcomer.status, newcomer.slot) == ("confirmed", 4)
        score_all(festival)
        client.post(
            reverse("festival:stage-lock", args=[festival.stage.pk]),
            {"missing_sheets_accepted": "on"},
        )
        festival.edition.outstanding_per_stage = 1
        festival.edition.save()
        client.post(reverse("festival:outstanding-mark"))
        # Every team got the same marks, and the newcomer was never scored: three share 1st.
        assert set(Team.objects.outstanding()) == set(festival.teams)
        client.post(reverse("festival:winner-set"), {"team": festival.teams[0].pk})
        assert Team.objects.get(is_large_scale_winner=True) == festival.teams[0]

    def test_a_judge_who_is_not_chair_may_not_lock(self, client):
        festival = build_festival()
        login(client, festival.judge_user(1))
        assert (
            client.post(reverse("festival:stage-lock", args=[festival.stage.pk])).status_code == 403
        )
        login(client, festival.judge_user(0))
        assert (
            client.post(
                reverse("festival:stage-lock", args=[festival.stage.pk]),
                {"missing_sheets_accepted": "on"},
            ).status_code
            == 302
        )


class TestCertificate:
    @pytest.mark.ladder("festival:certificate")
    def test_ladder(self, client, other_district):
        festival = build_festival()
        team = festival.teams[0]
        url = reverse("festival:certificate", args=[team.pk])
        assert client.get(url).status_code == 302
        assert login(client, UserFactory(role=Role.RESIDENT)).get(url).status_code == 404
        other_coordinator = UserFactory(role=Role.COORDINATOR, district=other_district)
        assert login(client, other_coordinator).get(url).status_code == 404
        response = login(client, team.representative).get(url)
        assert response.status_code == 200
        assert "certificate-print.css" in response.content.decode()
        team.is_outstanding = True
        team.save()
        response = login(client, UserFactory(role=Role.COORDINATOR)).get(url)
        assert team.name in response.content.decode()


@pytest.mark.parametrize("url_name", ["festival:manage", "festival:team-register"])
def test_management_and_registration_query_counts_do_not_grow(client, url_name):
    coordinator = UserFactory(role=Role.COORDINATOR)
    login(client, coordinator)
    counts = []
    for n in (3, 12):
        festival = build_festival(teams=n, judges=n)
        for _ in range(n):
            SpaceFactory(sector=festival.stage.sector)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_ids_are_printed_plain_in_pages_even_past_a_thousand(client):
    festival = build_festival(teams=1, judges=1)
    team = TeamFactory(
        pk=12345,
        edition=festival.edition,
        sector=festival.stage.sector,
        status=Team.Status.CONFIRMED,
        stage=festival.stage,
        slot=2,
    )
    ProposalFactory(team=team)
    login(client, festival.judge_user(0))
    page = client.get(reverse("festival:judge")).content.decode()
    assert 'data-team="12345"' in page
    assert '<input type="hidden" name="team" value="12345">' in page
    assert "12,345" not in page
