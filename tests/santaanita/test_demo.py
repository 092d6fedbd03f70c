"""The demo that ``make run`` shows: one verified login per role, the platform's members,
meetings and plan, the registration desk's contact and the festival, all in Santa Anita;
running ``seed_demo`` again changes nothing. The demo is seeded once for these tests
(tests/conftest.py: ``demo``)."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from festival.models import Edition, Judge, ScoreSheet, Team
from festival.results import edition_results
from platform_app.models import (
    Agreement,
    District,
    Meeting,
    Member,
    Objective,
    OrganizationInvitation,
    Poll,
    RoleGuideVersion,
    User,
    Vote,
)
from platform_app.permissions import Role, roles_of
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

EMAILS = {
    Role.COORDINATOR: "coordinator@example.org",
    Role.DESK: "desk@example.org",
    Role.SURVEYOR: "surveyor@example.org",
    Role.REVIEWER: "reviewer@example.org",
    Role.JUDGE: "judge@example.org",
    Role.MEMBER: "member@example.org",
    Role.REPRESENTATIVE: "representative@example.org",
    Role.RESIDENT: "resident@example.org",
    Role.COMPANY: "company@example.org",
}


def _seed_again() -> str:
    out = io.StringIO()
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_verified_login_per_role_and_can_run_again(demo, client):
    out = _seed_again()
    for role, email in EMAILS.items():
        user = User.objects.get(email=email)
        assert roles_of(user) == {role}
        assert user.district == demo
        assert EmailAddress.objects.get(email=email).verified
    # Other apps' demos add people (the festival's nine judges); the role logins stay one
    # per role.
    assert set(EMAILS) == set(Role)
    assert User.objects.filter(email__in=EMAILS.values()).count() == len(Role)
    assert "coordinator@example.org" in out
    assert DEMO_PASSWORD in out
    response = client.post(
        "/cuentas/login/", {"login": "desk@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_seed_demo_builds_the_platform_once(demo):
    _seed_again()
    assert Member.objects.count() == 25
    assert set(Member.objects.values_list("sector", flat=True)) == {
        "municipality",
        "business",
        "community",
        "academia",
        "youth",
        "culture",
    }
    assert Member.objects.filter(user__email="member@example.org").exists()
    assert set(Agreement.objects.values_list("status", flat=True)) == {
        "pending",
        "in_progress",
        "done",
        "blocked",
        "cancelled",
    }
    held = Meeting.objects.filter(status="held")
    assert held.count() >= 5
    assert all(m.agenda_items.exclude(minutes="").exists() for m in held)
    assert Meeting.objects.filter(kind="extraordinary").count() == 1
    assert RoleGuideVersion.objects.filter(status="approved").count() == 1
    assert RoleGuideVersion.objects.filter(status="superseded").count() == 1
    assert Objective.objects.count() == 3
    # A workshop for the cultural organizations that consented to messages.
    invited = OrganizationInvitation.objects.filter(meeting__title__startswith="Taller")
    assert invited.exists()
    assert set(invited.values_list("organization__typology", flat=True)) == {"cultural"}
    # Shared decisions: one closed vote of the members present, in the minutes, and a poll.
    vote = Vote.objects.get()
    assert vote.status == "closed"
    assert vote.ballots.count() == vote.agenda_item.meeting.attendances.filter(present=True).count()
    assert "Decisión: Sí." in vote.agenda_item.minutes
    assert Poll.objects.get().options.count() == 10


def test_the_demo_gives_santa_anita_its_desk_contact(demo):
    district = District.objects.get(pk=demo.pk)
    assert district.desk_address
    assert district.desk_hours
    assert district.desk_phone.startswith("+51")


def test_demo_festival_is_complete_and_idempotent(demo):
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
    _seed_again()
    assert (Team.objects.count(), ScoreSheet.objects.count()) == (22, sheets)


def test_seed_demo_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created in production"):
        call_command("seed_demo")
