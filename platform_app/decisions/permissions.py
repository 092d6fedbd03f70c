"""Who may open, cast and close votes, and create, answer and close polls.

Votes belong to the district's internal work: another district's vote is a 404 (its
existence is not told), as are its meetings. Opening and closing are a coordinator's
(``add_vote``, ``change_vote``). Casting is a right of the membership, not of a role: the
active member of the district whom the vote admits now (present at a face-to-face meeting,
signed in for a virtual one), coordinators included when they are members. Polls are public;
answering needs a signed-in account (allauth verifies every account before its first sign-in).
The pages, the API and the services of ``platform_app.decisions`` all ask these rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from platform_app.decisions.models import Poll, Vote
from platform_app.models import AgendaItem, Meeting, Member
from platform_app.permissions import can, district_for, may_act_on_meeting

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User


def require_vote_list(user: User | AnonymousUser) -> District:
    """The district whose votes the user reads: a platform role in their own district."""
    return district_for(user, "platform_app.view_vote")


def may_create_poll(user: User | AnonymousUser, district: District) -> bool:
    """The district's coordinators publish its polls."""
    return can(user, "platform_app.add_poll", district)


def require_poll_creator(user: User | AnonymousUser) -> District:
    """The district a coordinator publishes a poll in: their own (403 otherwise)."""
    return district_for(user, "platform_app.add_poll")


def may_close_poll(user: User | AnonymousUser, poll: Poll) -> bool:
    """Polls are public, closing one is for its district's coordinators."""
    return can(user, "platform_app.change_poll", poll.district)


def get_agenda_item_for_vote(user: User | AnonymousUser, pk: int) -> AgendaItem:
    """The agenda item a coordinator puts to the vote."""
    item = get_object_or_404(
        AgendaItem.objects.filter(meeting__in=Meeting.objects.visible_to(user)).select_related(
            "meeting__district"
        ),
        pk=pk,
    )
    if not may_act_on_meeting(user, item.meeting, "open_vote"):
        raise PermissionDenied
    return item


def voter_for(user: User | AnonymousUser, vote: Vote) -> Member | None:
    """The member this user votes as, when the vote admits them now."""
    if not user.is_authenticated:
        return None
    district_id = vote.agenda_item.meeting.district_id
    member = Member.objects.filter(user=user, district_id=district_id).first()
    return member if member is not None and vote.admits(member) else None


def may_close_vote(user: User | AnonymousUser, vote: Vote) -> bool:
    return can(user, "platform_app.change_vote", vote.agenda_item.meeting.district)


def get_vote_for_user(
    user: User | AnonymousUser, pk: int, *, action: Literal["view", "cast", "close"]
) -> Vote:
    vote: Vote = get_object_or_404(
        Vote.objects.visible_to(user).select_related("agenda_item__meeting__district"), pk=pk
    )
    if action == "close" and not may_close_vote(user, vote):
        raise PermissionDenied
    if action == "cast" and voter_for(user, vote) is None:
        raise PermissionDenied
    return vote


def get_poll_for_user(
    user: User | AnonymousUser, pk: int, *, action: Literal["view", "close"]
) -> Poll:
    """Any poll to view (they are public); closing is for the district's coordinators."""
    poll: Poll = get_object_or_404(Poll.objects.select_related("district"), pk=pk)
    if action == "close" and not may_close_poll(user, poll):
        raise PermissionDenied
    return poll
