"""The new list and results pages cost the same queries at N and 10N rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from platform_app.decisions.models import Ballot, PollAnswer
from platform_app.services.meetings import attendance_set
from tests.factories import UserFactory
from tests.factories_decisions import PollFactory, PollOptionFactory, VoteFactory, VoteOptionFactory
from tests.factories_platform import MemberFactory, platform_admin

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow_votes(n: int) -> None:
    for _ in range(n):
        vote = VoteFactory()
        options = [VoteOptionFactory(vote=vote), VoteOptionFactory(vote=vote)]
        voter = MemberFactory()
        attendance_set(
            meeting=vote.agenda_item.meeting, member=voter, present=True, actor=platform_admin()
        )
        Ballot.objects.create(vote=vote, option=options[0], member=voter, sector=voter.sector)


def _grow_polls(n: int) -> None:
    for _ in range(n):
        poll = PollFactory()
        options = [PollOptionFactory(poll=poll), PollOptionFactory(poll=poll)]
        PollAnswer.objects.create(poll=poll, option=options[1], user=UserFactory())


def test_the_vote_list_and_api_query_count_does_not_grow_with_votes(client):
    member = MemberFactory()
    client.force_login(member.user)
    pages = [reverse("platform_app:vote-list"), "/api/platform/votes/"]
    _grow_votes(2)
    small = [_count(client, url) for url in pages]
    _grow_votes(18)
    assert [_count(client, url) for url in pages] == small


def test_a_vote_page_query_count_does_not_grow_with_ballots(client):
    vote = VoteFactory()
    options = [VoteOptionFactory(vote=vote), VoteOptionFactory(vote=vote)]
    meeting = vote.agenda_item.meeting

    def cast(n: int) -> None:
        for index in range(n):
            voter = MemberFactory()
            attendance_set(meeting=meeting, member=voter, present=True, actor=platform_admin())
            option = options[index % 2]
            Ballot.objects.create(vote=vote, option=option, member=voter, sector=voter.sector)

    client.force_login(MemberFactory().user)
    url = reverse("platform_app:vote-detail", args=[vote.pk])
    cast(2)
    small = _count(client, url)
    cast(18)
    assert _count(client, url) == small


def test_the_poll_list_page_and_api_query_count_does_not_grow_with_polls(client, santa_anita):
    pages = [reverse("platform_app:poll-list", args=[santa_anita.slug]), "/api/polls/"]
    _grow_polls(2)
    small = [_count(client, url) for url in pages]
    _grow_polls(18)
    assert [_count(client, url) for url in pages] == small


def test_a_poll_page_query_count_does_not_grow_with_answers(client):
    poll = PollFactory()
    options = [PollOptionFactory(poll=poll) for _ in range(3)]
    sectors = list(poll.district.sectors.all())

    def answer(n: int) -> None:
        for index in range(n):
            PollAnswer.objects.create(
                poll=poll,
                option=options[index % 3],
                user=UserFactory(),
                sector=sectors[index % len(sectors)],
            )

    url = reverse("platform_app:poll-detail", args=[poll.pk])
    answer(3)
    small = _count(client, url)
    answer(30)
    assert _count(client, url) == small
