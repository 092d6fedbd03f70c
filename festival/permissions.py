"""Who may do what in the festival: every rule of the app, asked by the views, the API, the
admin and the services alike.

The rule, the same in every app: the predicates here (``may_<verb>_<noun>``) are the only
code that names a festival permission (the querysets scope rows with ``manages`` on their
own); the ``get_<noun>_for_user`` and ``require_<noun>`` helpers fetch what a page or an API
action addresses and answer 404 when the user may not know it exists, 403 when they see it
but the action is not theirs. A service that acts for a person takes that person (``actor``;
``score_submit`` keeps ``user``, as the judge's tablet and every test name it) and asks the
same predicate before writing, so an API write, an admin action or a task that calls the
service cannot skip the check.

Editions, stages and teams are public. Coordinators (``festival.change_team``) run their
district's edition; a stage's chair may close it; judges score their own sheets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeGuard

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from festival.models import Edition, Judge, Proposal, ScoreSheet, Stage, Team
from platform_app.models import District
from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import User

EditionAction = Literal["view", "manage", "register", "record_attendance", "mark_outstanding"]
StageAction = Literal["view", "lock", "reopen"]
TeamAction = Literal["certificate", "manage"]


def manages(user: User | AnonymousUser, perm: str) -> TypeGuard[User]:
    """An active signed-in user holding ``perm`` in some district (so a User, which the type
    checker learns); the district is for the caller to scope."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(perm))


# --- Editions ----------------------------------------------------------------------------


def may_manage_edition(user: User | AnonymousUser, edition: Edition) -> bool:
    """Coordinators of the edition's district confirm and withdraw teams, appoint the
    committee and see the provisional results."""
    return can(user, "festival.change_team", edition.district)


def may_register_team(user: User | AnonymousUser, edition: Edition) -> bool:
    """Representatives register their organization's team in the district's edition."""
    return can(user, "festival.add_team", edition.district)


def may_override_proposal_sector(user: User | AnonymousUser, edition: Edition) -> bool:
    """Only a coordinator accepts a proposed space outside the team's sector (with a reason)."""
    return can(user, "festival.override_proposal_sector", edition.district)


def may_record_attendance(user: User | AnonymousUser, edition: Edition) -> bool:
    """The desk (and coordinators) record who came to the edition's workshop."""
    return can(user, "festival.add_workshopattendance", edition.district)


def may_mark_outstanding(user: User | AnonymousUser, edition: Edition) -> bool:
    """The committee's recognitions (outstanding teams, the large-scale winner) are set by
    the district's coordinators."""
    return can(user, "festival.mark_outstanding", edition.district)


def may_appoint_judge(user: User | AnonymousUser, edition: Edition) -> bool:
    return can(user, "festival.add_judge", edition.district)


def _edition_shown_to(user: User | AnonymousUser) -> Edition:
    """The edition of the user's district (staff) or of the district the site presents."""
    district_id = user.district_id if user.is_authenticated else None
    if district_id is None:
        district_id = (
            District.objects.filter(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
            .values_list("pk", flat=True)
            .first()
        )
    # No district at all: no edition either (the query would match none).
    edition = (
        Edition.objects.filter(district_id=district_id).current()
        if district_id is not None
        else None
    )
    if edition is None:
        raise Http404(_("There is no festival edition yet."))
    return edition


_EDITION_RULES = {
    "manage": may_manage_edition,
    "register": may_register_team,
    "record_attendance": may_record_attendance,
    "mark_outstanding": may_mark_outstanding,
}


def require_edition(user: User | AnonymousUser, *, action: EditionAction = "view") -> Edition:
    """The edition the festival's pages act on (there is one per district and year, so the
    pages address none by id): 404 when there is none, 403 when ``action`` is not the
    user's in its district."""
    edition = _edition_shown_to(user)
    if action != "view" and not _EDITION_RULES[action](user, edition):
        raise PermissionDenied
    return edition


# --- Stages ------------------------------------------------------------------------------


def may_lock_stage(user: User | AnonymousUser, stage: Stage) -> bool:
    """Coordinators of the district, or the stage's chair."""
    if can(user, "festival.lock_stage", stage.edition.district):
        return True
    return bool(
        user.is_authenticated
        and Judge.objects.filter(stage=stage, user=user, is_chair=True).exists()
    )


def may_reopen_stage(user: User | AnonymousUser, stage: Stage) -> bool:
    """Reopening undoes a chair's lock: the district's coordinators only."""
    return can(user, "festival.change_stage", stage.edition.district)


def get_stage_for_user(user: User | AnonymousUser, pk: int, *, action: StageAction) -> Stage:
    """The stage ``pk`` for ``action``. Stages are public, so an unknown one is a 404 and a
    known one the user may not lock a 403. Reopening is done from the manager's page of the
    user's own edition: a manager finds only that edition's stages (404 for others), anyone
    else is refused before the stage is looked up."""
    if action == "reopen":
        edition = require_edition(user, action="manage")
        return get_object_or_404(edition.stages.select_related("edition__district"), pk=pk)
    if action == "lock":
        stage = get_object_or_404(Stage.objects.select_related("edition__district"), pk=pk)
        if not may_lock_stage(user, stage):
            raise PermissionDenied
        return stage
    return get_object_or_404(
        Stage.objects.visible_to(user).select_related("edition", "sector", "location"), pk=pk
    )


# --- Teams and proposals -----------------------------------------------------------------


def _represents(user: User | AnonymousUser, team: Team) -> bool:
    return user.is_authenticated and team.representative_id == user.pk


def may_withdraw_team(user: User | AnonymousUser, team: Team) -> bool:
    """The team's representative, or a coordinator of its district."""
    return _represents(user, team) or may_manage_edition(user, team.edition)


def may_see_certificate(user: User | AnonymousUser, team: Team) -> bool:
    """A certificate names the team and its organization: for its representative and the
    district's coordinators."""
    return _represents(user, team) or may_manage_edition(user, team.edition)


def may_change_proposal(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """The team's representative, or a coordinator of its district."""
    team = proposal.team
    return _represents(user, team) or can(user, "festival.change_proposal", team.edition.district)


def get_team_for_user(user: User | AnonymousUser, pk: int, *, action: TeamAction) -> Team:
    """The team ``pk`` for ``action``.

    - ``certificate``: a 404 for anyone but its representative and the district's
      coordinators (the certificate is theirs; nobody else learns it exists);
    - ``manage`` (confirm, withdraw from the manager's page): 403 for anyone who does not
      manage the user's edition, 404 for a team of another edition.
    """
    if action == "manage":
        edition = require_edition(user, action="manage")
        return get_object_or_404(
            Team.objects.filter(edition=edition).select_related("edition__district"), pk=pk
        )
    team = get_object_or_404(
        Team.objects.select_related("edition__district", "organization", "stage__sector"), pk=pk
    )
    if not may_see_certificate(user, team):
        raise Http404
    return team


# --- Judges ------------------------------------------------------------------------------


def may_score(user: User | AnonymousUser) -> bool:
    """Holds the judge's role. Which teams a judge scores is decided per sheet, by their
    assignment (``Team.objects.offered_to``)."""
    return can(user, "festival.add_scoresheet")


def may_declare_conflict(user: User | AnonymousUser, judge: Judge) -> bool:
    """The judge themselves, or a coordinator of the district on their behalf."""
    return (user.is_authenticated and judge.user_id == user.pk) or can(
        user, "festival.change_judge", judge.edition.district
    )


def require_judgeship(user: User | AnonymousUser) -> Judge:
    """The signed-in judge's assignment in the latest edition; 403 for anyone else."""
    if not may_score(user):
        raise PermissionDenied
    judge = (
        Judge.objects.of_user(user)
        .select_related("edition", "stage__sector", "stage__location")
        .order_by("-edition__year")
        .first()
    )
    if judge is None or judge.stage is None:
        raise PermissionDenied(_("You are not assigned to a stage."))
    return judge


def get_score_sheet_for_user(user: User | AnonymousUser, pk: int) -> ScoreSheet:
    """A score sheet for its own judge and the district's coordinators; 404 for anyone
    else (a sheet names its judge, and judges do not read each other's scores)."""
    return get_object_or_404(ScoreSheet.objects.visible_to(user), pk=pk)
