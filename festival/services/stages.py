"""Stages: locking and reopening the scores, and the committee's awards (outstanding teams,
the large-scale winner)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from festival.models import (
    Edition,
    Stage,
    StageReopening,
    Team,
)
from festival.permissions import may_lock_stage, may_mark_outstanding, may_reopen_stage
from festival.results import edition_results, outstanding_of_stage, stage_missing_sheets
from festival.services.boards import FESTIVAL_PAGES, board_invalidate_on_commit
from platform_app.models import User
from santaanita.page_cache import changes_pages

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def stage_lock(*, stage: Stage, actor: User, missing_sheets_accepted: bool = False) -> Stage:
    """Close a stage's scoring. Takes the row lock ``score_submit`` takes (see there).

    The lock publishes the stage's results as final, so while teams or judges still miss
    submitted sheets it is refused unless the chair says they accept closing anyway
    (``missing_sheets_accepted``): a slip of the finger must not end a stage at half time.
    Counted under the row lock, so a sheet submitted meanwhile is seen or refused."""
    if not may_lock_stage(actor, stage):
        raise PermissionDenied
    stage = Stage.objects.select_for_update(of=("self",)).order_by().get(pk=stage.pk)
    if stage.locked_at is None and not missing_sheets_accepted:
        missing = stage_missing_sheets(stage.pk)
        if missing.any:
            raise ValidationError(
                _(
                    "Sheets are missing: %(teams)s of %(teams_total)s teams have no score and "
                    "%(judges)s of %(judges_total)s judges have not submitted every sheet. "
                    "Confirm that the stage closes with missing sheets."
                )
                % {
                    "teams": missing.teams_unscored,
                    "teams_total": missing.teams_total,
                    "judges": missing.judges_behind,
                    "judges_total": missing.judges_total,
                },
                code="missing_sheets",
            )
    if stage.locked_at is None:
        stage.locked_at = timezone.now()
        stage.locked_by = actor
        stage.save(update_fields=["locked_at", "locked_by"])
        logger.info("Stage %s locked by %s", stage.pk, actor.pk)
    board_invalidate_on_commit(stage.pk)
    return stage


@changes_pages(FESTIVAL_PAGES)
def stage_reopen(*, stage: Stage, actor: User, reason: str) -> Stage:
    """Reopen a locked stage's scoring (a chair who locked too early, a judge whose sheet
    was not submitted). Coordinators only, with a reason kept in StageReopening. Refused
    once the committee recognized teams of the stage: that recognition rests on the locked
    results."""
    if not may_reopen_stage(actor, stage):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the stage is reopened.")})
    with transaction.atomic():
        locked = Stage.objects.select_for_update(of=("self",)).order_by().get(pk=stage.pk)
        if locked.locked_at is None:  # not locked (Stage.is_locked), as in stage_lock
            return locked
        recognized = Team.objects.filter(stage=locked).filter(
            Q(is_outstanding=True) | Q(is_large_scale_winner=True)
        )
        if recognized.exists():
            raise ValidationError(
                _(
                    "Teams of this stage were already recognized from its results; "
                    "the stage stays locked."
                )
            )
        StageReopening.objects.create(
            stage=locked,
            reopened_by=actor,
            reason=reason,
            locked_at=locked.locked_at,
            locked_by=locked.locked_by,
        )
        locked.locked_at = None
        locked.locked_by = None
        locked.save(update_fields=["locked_at", "locked_by"])
        logger.info("Stage %s reopened by %s", locked.pk, actor.pk)
        board_invalidate_on_commit(locked.pk)
    return locked


# --- Results -----------------------------------------------------------------------------


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def outstanding_mark(*, edition: Edition, actor: User) -> list[Team]:
    """Mark the top N teams of every locked stage as outstanding (by the edition's ranking:
    normalized when enabled, raw otherwise). Unlocked stages are left as they are."""
    if not may_mark_outstanding(actor, edition):
        raise PermissionDenied
    results = edition_results(edition, locked_only=True)
    marked: list[int] = []
    for stage_id, stage_results in results.by_stage.items():
        top = outstanding_of_stage(
            stage_results,
            top=edition.outstanding_per_stage,
            normalized=edition.normalization_enabled,
        )
        Team.objects.filter(stage_id=stage_id).exclude(pk__in=top).update(is_outstanding=False)
        Team.objects.filter(pk__in=top).update(is_outstanding=True)
        marked.extend(top)
        board_invalidate_on_commit(stage_id)
    return list(Team.objects.filter(pk__in=marked).select_related("organization"))


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def large_scale_winner_set(*, team: Team, actor: User) -> Team:
    """The committee's one winner of the large-scale transformation, among outstanding
    teams. Clearing the previous winner first keeps the one-winner constraint satisfied."""
    if not may_mark_outstanding(actor, team.edition):
        raise PermissionDenied
    if not team.is_outstanding:
        raise ValidationError(_("Only an outstanding team can win the large-scale transformation."))
    Team.objects.filter(edition=team.edition, is_large_scale_winner=True).exclude(
        pk=team.pk
    ).update(is_large_scale_winner=False)
    team.is_large_scale_winner = True
    team.save(update_fields=["is_large_scale_winner"])
    return team
