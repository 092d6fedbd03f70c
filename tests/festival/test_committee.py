"""The evaluation committee is appointed from the management page, and people are told by
email: judges of their stage, representatives of their team's stage and slot."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from festival.models import Judge
from festival.services.teams import team_confirm
from platform_app.models import User
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_festival import (
    OrganizationFactory,
    ProposalFactory,
    StageFactory,
    TeamFactory,
    build_festival,
    sector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def appoint(client, django_capture_on_commit_callbacks):
    """Post the appointment form; emails leave when the transaction commits."""

    def post(**data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("festival:judge-appoint"), data)

    return post


def test_a_coordinator_appoints_a_chair_and_the_judge_is_told_once(client, coordinator, appoint):
    festival = build_festival(teams=1, judges=1)
    person = UserFactory(email="rosa.quispe@example.org", first_name="Rosa", last_name="Quispe")
    company = "Ferretería El Constructor"
    mail.outbox.clear()

    response = appoint(
        email="Rosa.Quispe@example.org",
        stage=festival.stage.pk,
        is_chair="on",
        company=company,
    )
    assert response.status_code == 302
    judge = Judge.objects.get(user=person)
    assert (judge.stage, judge.is_chair, judge.company) == (festival.stage, True, company)
    assert person.groups.filter(name=Role.JUDGE.value).exists()
    # One chair per stage: the previous chair steps down.
    festival.judges[0].refresh_from_db()
    assert not festival.judges[0].is_chair
    assert [m.to for m in mail.outbox] == [["rosa.quispe@example.org"]]
    body = mail.outbox[0].body
    assert festival.stage.name in body
    assert "/festival/jurado/" in body
    assert "Rosa Quispe" in client.get(reverse("festival:manage")).content.decode()

    # Saving the same assignment again sends nothing; a new stage is a new email.
    appoint(
        email=person.email,
        stage=festival.stage.pk,
        is_chair="on",
        company=company,
    )
    assert len(mail.outbox) == 1
    other = StageFactory(edition=festival.edition, sector=sector(2))
    appoint(email=person.email, stage=other.pk, company=company)
    assert len(mail.outbox) == 2
    assert Judge.objects.filter(user=person).count() == 1


def test_a_person_without_account_gets_one_and_chooses_a_password_from_the_email(
    client, coordinator, appoint
):
    festival = build_festival(teams=1, judges=1)
    mail.outbox.clear()
    response = appoint(
        email="Luz.Mamani@Example.org",
        first_name="Luz",
        last_name="Mamani",
        stage=festival.stage.pk,
        company="Bodega La Esquina",
    )
    assert response.status_code == 302
    person = User.objects.get(email="luz.mamani@example.org")
    assert not person.has_usable_password()
    assert Judge.objects.get(user=person).stage == festival.stage
    (message,) = mail.outbox
    link = re.search(r"http://\S+/festival/jurado/bienvenida/\S+/", message.body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else "/" + link.split("/", 3)[3]

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "luz.mamani@example.org" in page.content.decode()
    mismatch = client.post(
        path, {"new_password1": "Marinera-2026!", "new_password2": "Huaylas-2026!"}
    )
    assert mismatch.status_code == 200  # the form says so; nothing is saved
    person.refresh_from_db()
    assert not person.has_usable_password()

    done = client.post(path, {"new_password1": "Marinera-2026!", "new_password2": "Marinera-2026!"})
    assert done["Location"] == reverse("festival:judge")
    assert client.get(reverse("festival:judge")).status_code == 200
    person.refresh_from_db()
    assert person.check_password("Marinera-2026!")
    assert EmailAddress.objects.get(user=person).verified

    # The link works once.
    client.logout()
    again = client.get(path)
    assert again.status_code == 302
    assert again["Location"].startswith(reverse("account_login"))
    assert client.get(path[:-3] + "xx/").status_code == 302  # a forged token leads nowhere


def test_a_chair_needs_a_stage(coordinator, appoint):
    build_festival(teams=1, judges=1)
    person = UserFactory()
    response = appoint(email=person.email, is_chair="on")
    assert response.status_code == 200
    assert not Judge.objects.filter(user=person).exists()


def test_only_coordinators_appoint_judges(client, appoint):
    festival = build_festival(teams=1, judges=1)
    person = UserFactory()
    for role in (Role.JUDGE, Role.MEMBER, Role.RESIDENT):
        client.force_login(UserFactory(role=role))
        assert appoint(email=person.email, stage=festival.stage.pk).status_code == 403
    client.logout()
    assert appoint(email=person.email, stage=festival.stage.pk).status_code == 302
    assert not Judge.objects.filter(user=person).exists()


def test_the_representative_learns_the_stage_and_slot_once(django_capture_on_commit_callbacks):
    festival = build_festival(teams=1, judges=1)
    coordinator = UserFactory(role=Role.COORDINATOR)
    team = TeamFactory(
        edition=festival.edition,
        organization=OrganizationFactory(sector=sector(1)),
        representative=UserFactory(email="elenco@example.org", role=Role.REPRESENTATIVE),
    )
    ProposalFactory(team=team)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        team_confirm(team=team, actor=coordinator, stage=festival.stage, slot=5)
        team_confirm(team=team, actor=coordinator, stage=festival.stage, slot=5)
    assert [m.to for m in mail.outbox] == [["elenco@example.org"]]
    assert team.name in mail.outbox[0].subject
    assert "5" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        team_confirm(team=team, actor=coordinator, stage=festival.stage, slot=6)
    assert len(mail.outbox) == 2
