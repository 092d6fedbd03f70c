"""The evaluation committee is appointed from the management page, and people are told by
email: judges of their stage, representatives of their team's stage and slot."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from festival.models import Judge
from festival.services import team_confirm
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
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    return user


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


def test_an_address_without_account_is_refused_and_the_form_keeps_it(coordinator, appoint):
    festival = build_festival(teams=1, judges=1)
    response = appoint(email="nadie@example.org", stage=festival.stage.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ninguna cuenta usa esta dirección" in page
    assert 'value="nadie@example.org"' in page
    assert Judge.objects.count() == 1


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
