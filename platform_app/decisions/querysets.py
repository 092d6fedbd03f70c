"""Reads and row scoping of votes and polls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count

from platform_app.querysets import _district_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # Named only as strings by the base classes below, which ruff does not read (a
    # run-time import would be circular).
    from platform_app.decisions.models import Ballot, Poll, Vote  # noqa: F401
    from platform_app.models import User


class VoteQuerySet(models.QuerySet["Vote"]):
    def visible_to(self, user: User | AnonymousUser) -> VoteQuerySet:
        """The votes of the user's district, for whoever sees its meetings."""
        scoped: VoteQuerySet = _district_scope(
            self, user, "platform_app.view_vote", "agenda_item__meeting__district_id"
        )
        return scoped

    def for_list(self) -> VoteQuerySet:
        return self.select_related("agenda_item__meeting").annotate(
            ballot_count=Count("ballots", distinct=True)
        )


class BallotQuerySet(models.QuerySet["Ballot"]):
    def tally_by_sector(self) -> dict[tuple[int, str], int]:
        """(option id, stakeholder sector) → ballots, in one query."""
        rows = self.order_by().values_list("option_id", "sector").annotate(n=Count("pk"))
        return {(option, sector): n for option, sector, n in rows}


class PollQuerySet(models.QuerySet["Poll"]):
    def for_list(self) -> PollQuerySet:
        return self.select_related("district").annotate(
            answer_count=Count("answers", distinct=True),
            option_count=Count("options", distinct=True),
        )
