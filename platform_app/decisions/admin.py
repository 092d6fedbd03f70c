"""Votes and polls in the admin: shown, never edited (their services keep the ballots, the
minutes and the one-answer rule); closing goes through the same service as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from platform_app.decisions import services
from platform_app.decisions.models import Ballot, Poll, PollAnswer, PollOption, Vote, VoteOption
from platform_app.models import User
from santaanita.admin_base import ReadOnlyAdmin
from santaanita.users import signed_in_user

_Row = TypeVar("_Row", Vote, Poll)


class VoteOptionInline(admin.TabularInline[VoteOption, Vote]):
    model = VoteOption
    fields = ("order", "label")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Vote | None = None) -> bool:
        return False


class PollOptionInline(admin.TabularInline[PollOption, Poll]):
    model = PollOption
    fields = ("order", "label", "sector", "place_url")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Poll | None = None) -> bool:
        return False


def _close_each(
    request: HttpRequest,
    rows: QuerySet[_Row],
    close: Callable[[_Row, User], object],
    label: str,
) -> None:
    """Close each row through its service, which asks whether this user may (PermissionDenied
    otherwise): the admin follows the same rule as the pages."""
    actor = signed_in_user(request)
    closed = refused = 0
    for row in rows:
        try:
            close(row, actor)
        except PermissionDenied:
            refused += 1
        except ValidationError as exc:
            messages.warning(request, f"{row}: {' '.join(exc.messages)}")
        else:
            closed += 1
    if refused:
        messages.error(request, gettext("You may not close them."))
    if closed or not refused:
        messages.success(request, label % {"count": closed})


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin[Vote]):
    list_display = ("question", "agenda_item", "status", "opened_at", "closed_at")
    list_filter = ("status", "kind")
    list_select_related = ("agenda_item",)
    search_fields = ("question",)
    inlines = (VoteOptionInline,)
    actions = ("close_votes",)

    @admin.action(description=_("Close the selected votes (the result goes to the minutes)"))
    def close_votes(self, request: HttpRequest, queryset: QuerySet[Vote]) -> None:
        _close_each(
            request,
            queryset,
            lambda vote, actor: services.vote_close(vote=vote, actor=actor),
            gettext("%(count)d votes closed."),
        )


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin[Poll]):
    list_display = ("title", "district", "status", "created_at", "closed_at")
    list_filter = ("status", "district")
    search_fields = ("title", "question")
    inlines = (PollOptionInline,)
    actions = ("close_polls",)

    @admin.action(description=_("Close the selected polls"))
    def close_polls(self, request: HttpRequest, queryset: QuerySet[Poll]) -> None:
        _close_each(
            request,
            queryset,
            lambda poll, actor: services.poll_close(poll=poll, actor=actor),
            gettext("%(count)d polls closed."),
        )


@admin.register(VoteOption)
class VoteOptionAdmin(ReadOnlyAdmin[VoteOption]):
    list_display = ("label", "vote", "order")
    list_select_related = ("vote",)


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin[Ballot]):
    list_display = ("vote", "option", "sector", "cast_at")
    list_filter = ("sector",)
    list_select_related = ("vote", "option")


@admin.register(PollOption)
class PollOptionAdmin(ReadOnlyAdmin[PollOption]):
    list_display = ("label", "poll", "sector", "order")
    list_select_related = ("poll", "sector__district")


@admin.register(PollAnswer)
class PollAnswerAdmin(ReadOnlyAdmin[PollAnswer]):
    """Answers without their account: nobody, superusers included, reads who answered what."""

    list_display = ("poll", "option", "sector", "answered_at")
    list_select_related = ("poll", "option", "sector__district")
    exclude = ("user",)
