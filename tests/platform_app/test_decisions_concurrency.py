"""The same ballot or poll answer sent twice at the same instant (a double tap, two
devices) is recorded once. On PostgreSQL (CI's second stage, or DATABASE_URL set) both
transactions run truly at once: the vote row's lock and the (vote, member) unique
constraint make the second one fail cleanly, as AlreadyVotedError, not a server error."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection

from platform_app.decisions.models import Ballot, PollAnswer, Vote
from platform_app.decisions.services import (
    AlreadyAnsweredError,
    AlreadyVotedError,
    PollOptionData,
    ballot_cast,
    poll_answer,
    poll_create,
    vote_open,
)
from platform_app.services.meetings import attendance_set
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_platform import AgendaItemFactory, MemberFactory, platform_admin

pytestmark = TRANSACTIONAL


def _twice_at_once(send: Callable[[], object]) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=5)
            send()
            result = "recorded"
        except (AlreadyVotedError, AlreadyAnsweredError):
            result = "refused"
        except ValidationError as exc:  # anything else would be a defect: show it
            result = f"other: {exc.messages}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_a_member_voting_twice_at_once_leaves_one_ballot():
    member = MemberFactory(sector="culture")
    item = AgendaItemFactory()
    attendance_set(meeting=item.meeting, member=member, present=True, actor=platform_admin())
    vote = vote_open(
        item=item,
        question="¿Aprobamos el acta?",
        kind=Vote.Kind.YES_NO,
        options=[],
        opened_by=platform_admin(),
    )
    yes = vote.options.first()
    assert _twice_at_once(lambda: ballot_cast(vote=vote, member=member, option=yes)) == [
        "recorded",
        "refused",
    ]
    assert Ballot.objects.filter(vote=vote, member=member).count() == 1


def test_a_resident_answering_twice_at_once_leaves_one_answer(santa_anita):
    resident = UserFactory()
    poll = poll_create(
        district=santa_anita,
        title="Escenario del festival",
        question="¿Qué parque?",
        decision="",
        options=[PollOptionData(label="Parque A"), PollOptionData(label="Parque B")],
        created_by=platform_admin(),
    )
    option = poll.options.first()
    outcomes = _twice_at_once(
        lambda: poll_answer(poll=poll, user=resident, option=option, sector=None)
    )
    assert outcomes == ["recorded", "refused"]
    assert PollAnswer.objects.filter(poll=poll, user=resident).count() == 1
