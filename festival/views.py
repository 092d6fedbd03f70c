"""Pages of the festival. Thin: parse, check access, call one service, render or redirect."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, TypedDict

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from festival.forms import (
    AttendanceForm,
    ConflictForm,
    JudgeAppointForm,
    TeamConfirmForm,
    TeamRegistrationForm,
    WinnerForm,
)
from festival.models import Criterion, ScoreSheet, Stage, Team
from festival.permissions import (
    get_stage_for_user,
    get_team_for_user,
    may_manage_edition,
    may_override_proposal_sector,
    may_register_team,
    require_edition,
    require_judgeship,
)
from festival.results import edition_results, stage_missing_sheets
from festival.services import boards as boards_services
from festival.services import judges as judges_services
from festival.services import scoring as scoring_services
from festival.services import stages as stages_services
from festival.services import teams as teams_services
from santaanita.assets import service_worker_response, static_digest
from santaanita.forms import apply_errors
from santaanita.once import single_submission
from santaanita.page_cache import kept_page
from santaanita.users import signed_in_user

# Scores and the lock drop the cached board at once (boards_services.board_invalidate). Without
# Redis each server process has its own cache and a purge reaches only one of them, so the
# entry also expires after a few seconds: staleness stays bounded at that in every mode.
BOARD_CACHE_SECONDS = 10
# The festival's home shows whether registration is open, which changes with the clock.
KEEP_BY_CLOCK_SECONDS = 60

# The static files the judge screen's service worker keeps offline: the screen's own and
# what base.html loads on every page. The worker's ASSETS are rendered from this one list
# and its version digests it, so a file added here is cached and versioned.
JUDGE_WORKER_STATIC = (
    "js/offline-queue.js",
    "festival/judge.js",
    "festival/festival.css",
    "css/site.css",
    "css/print.css",
    "js/forms.js",
    "vendor/htmx/htmx.min.js",
)


# --- Public ------------------------------------------------------------------------------


# Kept for anonymous visitors until a festival write; a minute at most, since the
# registration period opens and closes with the clock.
@kept_page(generation=boards_services.FESTIVAL_PAGES, seconds=KEEP_BY_CLOCK_SECONDS)
def festival_home(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user)
    stages = edition.stages.select_related("sector", "location").with_team_count()
    my_teams = (
        Team.objects.filter(edition=edition, representative=request.user).select_related(
            "proposal__public_space"
        )
        if request.user.is_authenticated
        else Team.objects.none()
    )
    return render(
        request,
        "festival/festival_home.html",
        {
            "edition": edition,
            "stages": stages,
            "sessions": edition.workshop_sessions.all(),
            "criteria": edition.criteria.all(),
            "my_teams": my_teams,
            "registration_open": edition.is_registration_open(),
            "may_register": may_register_team(request.user, edition),
        },
    )


def _board_html(request: HttpRequest, stage: Stage) -> str:
    """The board fragment, rendered once per stage and language and then served from the
    cache; boards_services.board_invalidate drops it when the stage locks or its running order or
    recognitions change.
    Thousands of phones polling it cost one cache read each, not a query."""
    key = boards_services.board_cache_key(stage.pk, get_language())
    html: str | None = cache.get(key)
    if html is None:
        teams = list(
            Team.objects.in_running_order().filter(stage=stage).select_related("organization")
        )
        results = (
            edition_results(stage.edition, locked_only=True).stage(stage.pk)
            if stage.is_locked
            else []
        )
        outstanding = {t.pk for t in teams if t.is_outstanding}
        html = render_to_string(
            "festival/_board.html",
            {
                "stage": stage,
                "teams": teams,
                "results": results,
                "outstanding": outstanding,
                "normalized": stage.edition.normalization_enabled,
                "rendered_at": timezone.now(),
            },
        )
        cache.set(key, html, BOARD_CACHE_SECONDS)
    return html


# Kept as long as the board inside it (scores come in between the writes that move the
# festival's pages).
@kept_page(generation=boards_services.FESTIVAL_PAGES, seconds=BOARD_CACHE_SECONDS)
def stage_board(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_stage_for_user(request.user, pk, action="view")
    return render(
        request, "festival/stage_board.html", {"stage": stage, "board": _board_html(request, stage)}
    )


def stage_board_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    html = cache.get(boards_services.board_cache_key(pk, get_language()))
    if html is None:
        html = _board_html(request, get_stage_for_user(request.user, pk, action="view"))
    # The same board for everyone (no token, nothing personal): shared caches may keep it
    # for the poll interval, and a phone that polls an unchanged board gets a 304.
    etag = f'"{hashlib.blake2b(html.encode(), digest_size=8).hexdigest()}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(html)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=2"
    return response


# Kept for anonymous visitors (who see locked stages only) until a stage locks or reopens
# or a team changes.
@kept_page(generation=boards_services.FESTIVAL_PAGES)
def results(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user)
    manager = may_manage_edition(request.user, edition)
    computed = edition_results(edition, locked_only=not manager)
    stages = list(edition.stages.select_related("sector"))
    return render(
        request,
        "festival/results.html",
        {
            "edition": edition,
            "manager": manager,
            "overall": computed.overall,
            "stage_results": [(s, computed.stage(s.pk)) for s in stages],
            "normalized": edition.normalization_enabled,
        },
    )


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable certificate for the team's representative or a coordinator."""
    team = get_team_for_user(request.user, pk, action="certificate")
    if not team.competes:
        raise Http404(_("Only teams that took part receive a certificate."))
    return render(request, "festival/certificate.html", {"team": team})


# --- Registration --------------------------------------------------------------------------


@login_required
@single_submission
def team_register(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user, action="register")
    may_override = may_override_proposal_sector(request.user, edition)
    form = TeamRegistrationForm(request.POST or None, edition=edition, may_override=may_override)
    if request.method == "POST" and form.is_valid():
        try:
            team = teams_services.team_register(
                edition=edition, actor=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Team %(team)s registered.") % {"team": team.name})
            return redirect("festival:home")
    return render(
        request,
        "festival/team_register.html",
        {"edition": edition, "form": form, "registration_open": edition.is_registration_open()},
    )


# --- Management ----------------------------------------------------------------------------


@login_required
def manage(request: HttpRequest, judge_form: JudgeAppointForm | None = None) -> HttpResponse:
    edition = require_edition(request.user, action="manage")
    teams = (
        Team.objects.filter(edition=edition)
        .with_workshop_attendance()
        .select_related(
            "edition", "organization", "sector", "stage", "proposal__public_space__sector"
        )
        .order_by("status", "stage__starts_at", "slot", "name")
    )
    return render(
        request,
        "festival/team_manage.html",
        {
            "edition": edition,
            "teams": teams,
            "stages": edition.stages.select_related("sector").with_team_count(),
            "confirm_form": TeamConfirmForm(edition=edition),
            "attendance_form": AttendanceForm(edition=edition),
            "winner_form": WinnerForm(edition=edition),
            "judges": edition.judges.select_related("user", "stage", "organization"),
            "judge_form": judge_form or JudgeAppointForm(edition=edition),
        },
    )


@login_required
@require_POST
def judge_appoint(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user, action="manage")
    form = JudgeAppointForm(request.POST, edition=edition)
    if form.is_valid():
        try:
            judge = judges_services.judge_appoint(
                edition=edition, actor=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(judge)s is on the committee; an email tells them.") % {"judge": judge}
            )
            return redirect(f"{reverse('festival:manage')}#committee")
    return manage(request, judge_form=form)


@login_required
@require_POST
def team_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, action="manage")
    form = TeamConfirmForm(request.POST, edition=team.edition)
    if form.is_valid():
        try:
            teams_services.team_confirm(
                team=team, actor=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(team)s confirmed.") % {"team": team.name})
    else:
        messages.error(request, _("Choose a stage and a slot."))
    return redirect("festival:manage")


@login_required
@require_POST
def team_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, action="manage")
    try:
        teams_services.team_withdraw(team=team, actor=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("festival:manage")


@login_required
@require_POST
def attendance_record(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user, action="record_attendance")
    form = AttendanceForm(request.POST, edition=edition)
    if form.is_valid():
        teams_services.workshop_attendance_record(
            actor=signed_in_user(request), **form.cleaned_data
        )
        messages.success(request, _("Attendance recorded."))
    return redirect(
        "festival:manage" if may_manage_edition(request.user, edition) else "festival:home"
    )


def _lock_return(request: HttpRequest) -> str:
    target = request.POST.get("next", request.GET.get("next", ""))
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("festival:results")
    return target


@login_required
@require_http_methods(["GET", "POST"])
def stage_lock(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask before locking: the page says which sheets are missing, and closing with missing
    sheets needs its own box ticked (the service refuses otherwise)."""
    stage = get_stage_for_user(request.user, pk, action="lock")
    error = ""
    if request.method == "POST":
        try:
            stages_services.stage_lock(
                stage=stage,
                actor=signed_in_user(request),
                missing_sheets_accepted=request.POST.get("missing_sheets_accepted") == "on",
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Scoring closed at %(stage)s.") % {"stage": stage.name})
            return redirect(_lock_return(request))
    return render(
        request,
        "festival/stage_lock.html",
        {
            "stage": stage,
            "missing": stage_missing_sheets(stage.pk),
            "error": error,
            "next": _lock_return(request),
        },
    )


@login_required
@require_POST
def stage_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_stage_for_user(request.user, pk, action="reopen")
    try:
        stages_services.stage_reopen(
            stage=stage, actor=signed_in_user(request), reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Scoring reopened at %(stage)s: judges can change their scores again.")
            % {"stage": stage.name},
        )
    return redirect("festival:manage")


@login_required
@require_POST
def outstanding_mark(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user, action="mark_outstanding")
    marked = stages_services.outstanding_mark(edition=edition, actor=signed_in_user(request))
    messages.success(request, _("%(n)s outstanding teams marked.") % {"n": len(marked)})
    return redirect("festival:manage")


@login_required
@require_POST
def winner_set(request: HttpRequest) -> HttpResponse:
    edition = require_edition(request.user, action="mark_outstanding")
    form = WinnerForm(request.POST, edition=edition)
    if form.is_valid():
        stages_services.large_scale_winner_set(
            team=form.cleaned_data["team"], actor=signed_in_user(request)
        )
        messages.success(request, _("Winner of the large-scale transformation saved."))
    return redirect("festival:manage")


# --- Judge tablet --------------------------------------------------------------------------


class _CriterionValue(TypedDict):
    criterion: Criterion
    value: int | None


class _Performance(TypedDict):
    team: Team
    sheet: ScoreSheet | None
    criteria: list[_CriterionValue]


@login_required
def judge_screen(request: HttpRequest) -> HttpResponse:
    judge = require_judgeship(request.user)
    criteria = list(judge.edition.criteria.order_by("order", "pk"))
    teams = list(Team.objects.offered_to(judge).select_related("organization"))
    sheets = {s.team_id: s for s in ScoreSheet.objects.filter(judge=judge)}
    performances: list[_Performance] = [
        {
            "team": team,
            "sheet": sheets.get(team.pk),
            "criteria": [
                {
                    "criterion": c,
                    "value": sheets[team.pk].value_of(c) if team.pk in sheets else None,
                }
                for c in criteria
            ],
        }
        for team in teams
    ]
    current = next((p for p in performances if not (p["sheet"] and p["sheet"].is_submitted)), None)
    # The stage's other teams, each with the reason it is not offered, so that a judge who
    # counts fewer teams than the running order knows why rather than suspecting a fault.
    offered = {team.pk for team in teams}
    not_offered = [
        (
            team,
            _("a team of your own organization")
            if judge.organization_id is not None and team.organization_id == judge.organization_id
            else _("you declared a conflict of interest"),
        )
        for team in Team.objects.in_running_order().filter(stage=judge.stage)
        if team.pk not in offered
    ]
    return render(
        request,
        "festival/judge_screen.html",
        {
            "judge": judge,
            "stage": judge.stage,
            "criteria": criteria,
            "performances": performances,
            "not_offered": not_offered,
            "current": current["team"].pk if current else (teams[0].pk if teams else None),
            "conflict_form": ConflictForm(teams=Team.objects.offered_to(judge)),
        },
    )


def _parse_submission(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            raise scoring_services.ScoreRefused("invalid", _("Malformed request.")) from None
        if not isinstance(data, dict) or not isinstance(data.get("values", {}), dict):
            raise scoring_services.ScoreRefused("invalid", _("Malformed request."))
        values = data.get("values", {})
    else:
        data = request.POST.dict()
        values = {k.removeprefix("c-"): v for k, v in request.POST.items() if k.startswith("c-")}
    at: datetime | None = parse_datetime(str(data.get("client_updated_at") or ""))
    if at is None or timezone.is_naive(at):
        at = timezone.now()
    try:
        team_id = int(data.get("team", ""))
    except (TypeError, ValueError):
        raise scoring_services.ScoreRefused("invalid", _("Malformed request.")) from None
    return {
        "team_id": team_id,
        "values": values,
        "comment": str(data.get("comment") or ""),
        "client_updated_at": at,
        "idempotency_key": str(data.get("idempotency_key") or f"form-{timezone.now().timestamp()}"),
        "submit": data.get("submit") in (True, "true", "1", "on"),
    }


@login_required
@require_POST
def judge_submit(request: HttpRequest) -> HttpResponse:
    """Autosave and submit from the judge screen: JSON from judge.js (its offline queue
    resends here), or a plain form post when scripts are off."""
    wants_json = request.content_type == "application/json"
    try:
        outcome = scoring_services.score_submit(
            user=signed_in_user(request), **_parse_submission(request)
        )
    except scoring_services.ScoreRefused as refused:
        if wants_json:
            return JsonResponse(
                {"code": refused.code, "message": refused.message},
                status=refused.http_status,
            )
        messages.error(request, refused.message)
        return redirect("festival:judge")
    sheet = outcome.sheet
    if wants_json:
        return JsonResponse(
            {
                "result": outcome.result,
                "team": sheet.team_id,
                "values": sheet.values,
                "comment": sheet.comment,
                "submitted": sheet.is_submitted,
                "client_updated_at": sheet.client_updated_at.isoformat(),
            }
        )
    messages.success(request, _("Scores saved."))
    return redirect("festival:judge")


def judge_welcome(request: HttpRequest, token: str) -> HttpResponse:
    """A judge appointed without an account chooses a password from the emailed link, and
    lands on the scoring screen signed in."""
    user = judges_services.judge_welcome_user(token)
    if user is None:
        messages.info(request, _("This link was already used or has expired. Sign in."))
        return redirect("account_login")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        judges_services.judge_welcome_accept(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return redirect("festival:judge")
    return render(request, "festival/judge_welcome.html", {"form": form, "person": user})


@login_required
@require_POST
def judge_conflict(request: HttpRequest) -> HttpResponse:
    judge = require_judgeship(request.user)
    form = ConflictForm(request.POST, teams=Team.objects.offered_to(judge))
    if form.is_valid():
        try:
            judges_services.judge_conflict_declare(
                judge=judge, actor=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Conflict of interest declared."))
    return redirect("festival:judge")


def judge_service_worker(request: HttpRequest) -> HttpResponse:
    """The judge screen's service worker, served under /festival/jurado/ so that its scope
    covers the screen (a worker's scope cannot reach above the path it is served from)."""
    return service_worker_response(
        "components/offline-sw.js",
        {
            "cache_prefix": "festival-judge",
            "version": static_digest(*JUDGE_WORKER_STATIC),
            "list_url": reverse("festival:judge"),
            "precache": JUDGE_WORKER_STATIC,
        },
    )
