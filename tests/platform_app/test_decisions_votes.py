"""Votes of the members on agenda items: who may open, cast and close them, one ballot per
member, results by stakeholder sector beside the attendance, and the minutes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from platform_app.decisions.models import Ballot, Vote
from platform_app.decisions.results import vote_results
from platform_app.decisions.services import (
    AlreadyVotedError,
    ballot_cast,
    vote_close,
    vote_open,
)
from platform_app.models import Attendance, Meeting, Member
from platform_app.permissions import Role
from platform_app.services.meetings import attendance_set, attendance_sheet_open
from tests.factories import UserFactory
from tests.factories_platform import (
    AgendaItemFactory,
    MeetingFactory,
    MemberFactory,
    platform_admin,
)

pytestmark = pytest.mark.django_db


def _yes_no(item, coordinator=None) -> Vote:
    return vote_open(
        item=item,
        question="¿Aprobamos el plan de limpieza del parque?",
        kind=Vote.Kind.YES_NO,
        options=[],
        opened_by=coordinator or platform_admin(),
    )


def _option(vote: Vote, label: str):
    return vote.options.get(label=label)


def test_a_yes_no_vote_offers_yes_no_and_abstain_in_spanish():
    vote = _yes_no(AgendaItemFactory())
    assert [o.label for o in vote.options.all()] == ["Sí", "No", "Abstención"]


def test_an_options_vote_needs_two_different_options():
    item = AgendaItemFactory()
    with pytest.raises(ValidationError):
        vote_open(
            item=item,
            question="¿Dónde?",
            kind=Vote.Kind.OPTIONS,
            options=["A", "A "],
            opened_by=platform_admin(),
        )
    vote = vote_open(
        item=item,
        question="¿Dónde?",
        kind=Vote.Kind.OPTIONS,
        options=["Parque", "", "Losa"],
        opened_by=platform_admin(),
    )
    assert [o.label for o in vote.options.all()] == ["Parque", "Losa"]


def test_a_member_votes_once_and_a_second_ballot_is_refused():
    member = MemberFactory(sector="youth")
    item = AgendaItemFactory()
    attendance_set(meeting=item.meeting, member=member, present=True, actor=platform_admin())
    vote = _yes_no(item)
    ballot_cast(vote=vote, member=member, option=_option(vote, "Sí"))
    with pytest.raises(AlreadyVotedError):
        ballot_cast(vote=vote, member=member, option=_option(vote, "No"))
    assert list(Ballot.objects.values_list("option__label", flat=True)) == ["Sí"]


def test_a_member_absent_from_a_face_to_face_meeting_may_not_vote():
    member = MemberFactory()
    item = AgendaItemFactory()
    attendance_sheet_open(meeting=item.meeting)
    vote = _yes_no(item)
    with pytest.raises(ValidationError, match="presentes"):
        ballot_cast(vote=vote, member=member, option=_option(vote, "Sí"))
    assert not Ballot.objects.exists()


def test_at_a_virtual_session_a_signed_in_member_votes_and_is_recorded_present():
    member = MemberFactory(sector="academia")
    meeting = MeetingFactory(kind=Meeting.Kind.EXTRAORDINARY, video_url="https://meet.example/x")
    vote = _yes_no(AgendaItemFactory(meeting=meeting))
    ballot_cast(vote=vote, member=member, option=_option(vote, "No"))
    assert Attendance.objects.get(meeting=meeting, member=member).present is True
    academia = next(r for r in vote_results(vote).rows if r.label == "Academia")
    assert (academia.present, academia.counts) == (1, [0, 1, 0])


def test_opening_a_vote_at_a_virtual_session_lists_every_active_member_for_the_quorum(client):
    voter, other = MemberFactory(), MemberFactory()
    meeting = MeetingFactory(kind=Meeting.Kind.EXTRAORDINARY, video_url="https://meet.example/x")
    vote = _yes_no(AgendaItemFactory(meeting=meeting))
    ballot_cast(vote=vote, member=voter, option=_option(vote, "Sí"))
    client.force_login(other.user)
    page = client.get(reverse("platform_app:meeting-detail", args=[meeting.pk]))
    assert page.context["summary"]["quorum"].expected == 2
    assert page.context["summary"]["quorum"].present == 1


def test_a_closed_vote_takes_no_ballot_and_an_inactive_member_none():
    member = MemberFactory()
    on_leave = MemberFactory(status=Member.Status.ON_LEAVE)
    item = AgendaItemFactory()
    for m in (member, on_leave):
        attendance_set(meeting=item.meeting, member=m, present=True, actor=platform_admin())
    vote = _yes_no(item)
    with pytest.raises(ValidationError):
        ballot_cast(vote=vote, member=on_leave, option=_option(vote, "Sí"))
    vote_close(vote=vote, actor=platform_admin())
    with pytest.raises(ValidationError, match="cerrada"):
        ballot_cast(vote=vote, member=member, option=_option(vote, "Sí"))


def test_results_by_sector_match_the_attendance_and_the_minutes_record_the_decision():
    item = AgendaItemFactory(minutes="Se presentó el plan.")
    meeting = item.meeting
    sectors = ["municipality", "business", "community", "community", "youth", "youth", "culture"]
    members = [MemberFactory(sector=s) for s in sectors]
    absent = MemberFactory(sector="academia")
    attendance_sheet_open(meeting=meeting)
    for m in members:
        attendance_set(meeting=meeting, member=m, present=True, actor=platform_admin())
    vote = _yes_no(item)
    choices = ["Sí", "Sí", "No", "Sí", "Abstención", "Sí", "No"]
    for member, label in zip(members, choices, strict=True):
        ballot_cast(vote=vote, member=member, option=_option(vote, label))
    with pytest.raises(ValidationError):
        ballot_cast(vote=vote, member=absent, option=_option(vote, "No"))

    results = vote_results(vote)
    rows = {row.label: (row.present, row.counts) for row in results.rows}
    assert rows == {
        "Municipalidad": (1, [1, 0, 0]),
        "Empresa": (1, [1, 0, 0]),
        "Comunidad": (2, [1, 1, 0]),
        "Academia": (0, [0, 0, 0]),
        "Juvenil": (2, [1, 0, 1]),
        "Cultura": (1, [0, 1, 0]),
    }
    # Every sector's ballots stay within the members it had present.
    assert all(row.total <= (row.present or 0) for row in results.rows)

    closed = vote_close(vote=vote, actor=platform_admin())
    assert closed.status == Vote.Status.CLOSED
    item.refresh_from_db()
    assert item.minutes.startswith("Se presentó el plan.")
    assert (
        "Votación «¿Aprobamos el plan de limpieza del parque?»: Sí 4, No 2, Abstención 1 "
        "(7 votos, 7 miembros presentes). Decisión: Sí." in item.minutes
    )
    with pytest.raises(ValidationError):
        vote_close(vote=vote, actor=platform_admin())


def test_a_tie_records_no_decision():
    item = AgendaItemFactory()
    a, b = MemberFactory(), MemberFactory()
    for m in (a, b):
        attendance_set(meeting=item.meeting, member=m, present=True, actor=platform_admin())
    vote = _yes_no(item)
    ballot_cast(vote=vote, member=a, option=_option(vote, "Sí"))
    ballot_cast(vote=vote, member=b, option=_option(vote, "No"))
    assert (
        "Empate entre Sí, No: sin decisión."
        in vote_close(vote=vote, actor=platform_admin()).decision
    )


# --- the pages, on the permission ladder ------------------------------------------------


@pytest.fixture
def present_member(client):
    member = MemberFactory(sector="community")
    return member


@pytest.fixture
def setting(present_member):
    item = AgendaItemFactory()
    attendance_set(
        meeting=item.meeting, member=present_member, present=True, actor=platform_admin()
    )
    return item


def _cast_url(vote):
    return reverse("platform_app:vote-cast", args=[vote.pk])


def test_anonymous_visitors_are_sent_to_sign_in_for_every_vote_action(client, setting):
    vote = _yes_no(setting)
    for url in (
        reverse("platform_app:vote-open", args=[setting.pk]),
        reverse("platform_app:vote-detail", args=[vote.pk]),
        reverse("platform_app:vote-close", args=[vote.pk]),
        _cast_url(vote),
    ):
        response = client.post(url, {"option": vote.options.first().pk})
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert not Ballot.objects.exists()
    assert Vote.objects.get().is_open


@pytest.mark.ladder(
    "platform_app:vote-detail",
    "platform_app:vote-cast",
    "platform_app:vote-close",
    "platform_app:vote-open",
)
def test_a_member_not_present_sees_the_vote_but_may_not_cast_open_or_close_it(client, setting):
    vote = _yes_no(setting)
    absent = MemberFactory()
    client.force_login(absent.user)
    page = client.get(reverse("platform_app:vote-detail", args=[vote.pk]))
    assert page.status_code == 200
    assert page.context["ballot_form"] is None
    assert client.post(_cast_url(vote), {"option": vote.options.first().pk}).status_code == 403
    assert client.post(reverse("platform_app:vote-close", args=[vote.pk])).status_code == 403
    assert client.get(reverse("platform_app:vote-open", args=[setting.pk])).status_code == 403
    assert not Ballot.objects.exists()


def test_a_present_member_casts_a_ballot_once_through_the_page(client, setting, present_member):
    vote = _yes_no(setting)
    client.force_login(present_member.user)
    page = client.get(reverse("platform_app:vote-detail", args=[vote.pk]))
    assert page.context["ballot_form"] is not None
    yes, no = _option(vote, "Sí"), _option(vote, "No")
    response = client.post(_cast_url(vote), {"option": yes.pk}, follow=True)
    assert "Tu voto ha sido registrado." in response.content.decode()
    assert "Votaste: Sí." in response.content.decode()
    response = client.post(_cast_url(vote), {"option": no.pk}, follow=True)
    assert "Ya votaste en esta pregunta." in response.content.decode()
    assert list(Ballot.objects.values_list("option__label", flat=True)) == ["Sí"]
    assert client.post(reverse("platform_app:vote-close", args=[vote.pk])).status_code == 403


def test_a_coordinator_opens_and_closes_a_vote_but_casts_only_as_a_present_member(
    client, setting, present_member
):
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(
        reverse("platform_app:vote-open", args=[setting.pk]),
        {"question": "¿Aprobamos el acta?", "kind": "yes_no", "options": ""},
    )
    vote = Vote.objects.get()
    assert response["Location"] == reverse("platform_app:vote-detail", args=[vote.pk])
    assert vote.opened_by == coordinator
    # Not a member of the platform: the coordinator runs the vote but has no ballot.
    assert client.post(_cast_url(vote), {"option": vote.options.first().pk}).status_code == 403
    detail = client.get(reverse("platform_app:meeting-detail", args=[setting.meeting.pk]))
    assert "¿Aprobamos el acta?" in detail.content.decode()
    response = client.post(reverse("platform_app:vote-close", args=[vote.pk]), follow=True)
    assert "La votación está cerrada" in response.content.decode()
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    setting.refresh_from_db()
    assert "Decisión" in setting.minutes or "sin decisión" in setting.minutes


def test_a_coordinator_who_is_a_present_member_votes(client, setting):
    coordinator = UserFactory(role=Role.COORDINATOR)
    member = MemberFactory(user=coordinator, sector="municipality")
    attendance_set(meeting=setting.meeting, member=member, present=True, actor=platform_admin())
    vote = _yes_no(setting)
    client.force_login(coordinator)
    client.post(_cast_url(vote), {"option": _option(vote, "No").pk})
    assert Ballot.objects.get().sector == "municipality"


@pytest.mark.ladder("platform_app:vote-detail", "platform_app:vote-close", "platform_app:vote-open")
def test_another_districts_vote_is_not_found(client, setting, other_district):
    vote = _yes_no(setting)
    outsider = UserFactory(role=Role.COORDINATOR, district=other_district)
    client.force_login(outsider)
    for url in (
        reverse("platform_app:vote-detail", args=[vote.pk]),
        reverse("platform_app:vote-close", args=[vote.pk]),
        reverse("platform_app:vote-open", args=[setting.pk]),
    ):
        assert client.post(url).status_code == 404


def test_the_vote_list_shows_the_districts_votes_with_their_ballots(
    client, setting, present_member
):
    vote = _yes_no(setting)
    ballot_cast(vote=vote, member=present_member, option=_option(vote, "Sí"))
    client.force_login(present_member.user)
    page = client.get(reverse("platform_app:vote-list"))
    assert page.status_code == 200
    assert [(v.question, v.ballot_count) for v in page.context["page"]] == [
        ("¿Aprobamos el plan de limpieza del parque?", 1)
    ]


def test_the_admin_closes_a_vote_through_the_service_and_edits_nothing(client, setting):
    vote = _yes_no(setting)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    changelist = reverse("admin:platform_app_vote_changelist")
    client.post(changelist, {"action": "close_votes", "_selected_action": [vote.pk]}, follow=True)
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    setting.refresh_from_db()
    assert "No se emitieron votos: sin decisión." in setting.minutes
    change = reverse("admin:platform_app_vote_change", args=[vote.pk])
    client.post(change, {"question": "Otra pregunta"})
    vote.refresh_from_db()
    assert vote.question == "¿Aprobamos el plan de limpieza del parque?"
