"""Pages of votes and polls, one small view per action.

Each view gets its object through ``platform_app.decisions.permissions`` (404 where the
object may not be known, 403 where it is visible but the action is not the user's), then
validates a form and calls one service.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platform_app.decisions import services
from platform_app.decisions.forms import (
    BallotForm,
    PollAnswerForm,
    PollForm,
    PollOptionFormSet,
    VoteOpenForm,
)
from platform_app.decisions.models import Ballot, Poll, PollAnswer, Vote
from platform_app.decisions.permissions import (
    get_agenda_item_for_vote,
    get_poll_for_user,
    get_vote_for_user,
    may_close_poll,
    may_close_vote,
    may_create_poll,
    require_poll_creator,
    require_vote_list,
    voter_for,
)
from platform_app.decisions.results import poll_results, vote_results
from platform_app.models import District
from platform_app.places import district_places
from santaanita.forms import apply_errors
from santaanita.once import single_submission
from santaanita.users import signed_in_user


def _report(request: HttpRequest, work: Callable[[], object], success: str) -> None:
    """Run one service and tell the person how it went; a refusal is its own message."""
    try:
        work()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


# --- votes of the members ----------------------------------------------------------------


@login_required
@single_submission
def vote_open(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_agenda_item_for_vote(request.user, item_pk)
    form = VoteOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.vote_open(
                item=item,
                question=form.cleaned_data["question"],
                kind=form.cleaned_data["kind"],
                options=form.cleaned_options(),
                opened_by=signed_in_user(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The vote is open."))
            return redirect("platform_app:vote-detail", pk=vote.pk)
    return render(request, "platform_app/vote_form.html", {"form": form, "item": item})


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, pk, action="view")
    voter = voter_for(request.user, vote)
    mine = (
        Ballot.objects.filter(vote=vote, member=voter).select_related("option").first()
        if voter
        else None
    )
    return render(
        request,
        "platform_app/vote_detail.html",
        {
            "vote": vote,
            "meeting": vote.agenda_item.meeting,
            "results": vote_results(vote),
            "ballot_form": BallotForm(vote=vote) if voter and mine is None else None,
            "my_ballot": mine,
            "may_close": vote.is_open and may_close_vote(request.user, vote),
        },
    )


@login_required
@require_POST
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, pk, action="cast")
    member = voter_for(request.user, vote)
    form = BallotForm(request.POST, vote=vote)
    if member is None or not form.is_valid():
        messages.error(request, _("Choose one of the options."))
        return redirect("platform_app:vote-detail", pk=vote.pk)
    option = form.cleaned_data["option"]
    _report(
        request,
        lambda: services.ballot_cast(vote=vote, member=member, option=option),
        _("Your vote has been recorded."),
    )
    return redirect("platform_app:vote-detail", pk=vote.pk)


@login_required
@require_POST
def vote_close(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, pk, action="close")
    _report(
        request,
        lambda: services.vote_close(vote=vote, actor=signed_in_user(request)),
        _("The vote is closed and its result is in the minutes."),
    )
    return redirect("platform_app:vote-detail", pk=vote.pk)


@login_required
def vote_list(request: HttpRequest) -> HttpResponse:
    district = require_vote_list(request.user)
    votes = (
        Vote.objects.visible_to(request.user)
        .filter(agenda_item__meeting__district=district)
        .for_list()
        .order_by("-opened_at", "-pk")
    )
    page = Paginator(votes, 25).get_page(request.GET.get("page"))
    return render(request, "platform_app/vote_list.html", {"page": page})


# --- public polls -------------------------------------------------------------------------


def poll_index(request: HttpRequest) -> HttpResponse:
    """The polls of the visitor's district, or of the platform's own district."""
    district = getattr(request.user, "district", None) or get_object_or_404(
        District, ubigeo=settings.DEFAULT_DISTRICT_UBIGEO
    )
    return redirect("platform_app:poll-list", slug=district.slug)


def poll_list(request: HttpRequest, slug: str) -> HttpResponse:
    district = get_object_or_404(District, slug=slug)
    polls = Poll.objects.filter(district=district).for_list().order_by("status", "-created_at")
    page = Paginator(polls, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/poll_list.html",
        {
            "district": district,
            "page": page,
            "may_create": may_create_poll(request.user, district),
        },
    )


@login_required
@single_submission
def poll_create(request: HttpRequest) -> HttpResponse:
    district = require_poll_creator(request.user)
    form = PollForm(request.POST or None)
    options = PollOptionFormSet(
        request.POST or None,
        prefix="options",
        form_kwargs={"district": district, "places": district_places(district)},
    )
    if request.method == "POST" and form.is_valid() and options.is_valid():
        typed = [option for f in options.forms if (option := f.option()) is not None]
        try:
            poll = services.poll_create(
                district=district,
                title=form.cleaned_data["title"],
                question=form.cleaned_data["question"],
                decision=form.cleaned_data["decision"],
                options=typed,
                created_by=signed_in_user(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The poll is published."))
            return redirect("platform_app:poll-detail", pk=poll.pk)
    return render(request, "platform_app/poll_form.html", {"form": form, "options": options})


def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The poll and its results, for everyone; the answer form for a signed-in account
    that has not answered yet."""
    poll = get_poll_for_user(request.user, pk, action="view")
    answered = (
        request.user.is_authenticated
        and PollAnswer.objects.filter(poll=poll, user_id=request.user.pk).exists()
    )
    return render(
        request,
        "platform_app/poll_detail.html",
        {
            "poll": poll,
            "results": poll_results(poll),
            "answered": answered,
            "form": PollAnswerForm(poll=poll)
            if poll.is_open and request.user.is_authenticated and not answered
            else None,
            "may_close": poll.is_open and may_close_poll(request.user, poll),
        },
    )


@login_required
@require_POST
def poll_answer(request: HttpRequest, pk: int) -> HttpResponse:
    poll = get_poll_for_user(request.user, pk, action="view")
    form = PollAnswerForm(request.POST, poll=poll)
    if not form.is_valid():
        messages.error(request, _("Choose one of the options."))
        return redirect("platform_app:poll-detail", pk=poll.pk)
    user, data = signed_in_user(request), form.cleaned_data
    _report(
        request,
        lambda: services.poll_answer(
            poll=poll, user=user, option=data["option"], sector=data["sector"]
        ),
        _("Thank you, your answer has been recorded."),
    )
    return redirect("platform_app:poll-detail", pk=poll.pk)


@login_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    poll = get_poll_for_user(request.user, pk, action="close")
    _report(
        request,
        lambda: services.poll_close(poll=poll, actor=signed_in_user(request)),
        _("The poll is closed."),
    )
    return redirect("platform_app:poll-detail", pk=poll.pk)
