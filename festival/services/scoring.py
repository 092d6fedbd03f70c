"""Score sheets: one per judge and team, sent from tablets (offline ones late, within the
clock tolerance), audited, refused once the stage is locked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from festival.models import (
    Judge,
    ScoreChange,
    ScoreSheet,
    Stage,
    Team,
)
from festival.permissions import may_score
from platform_app.models import User

# A tablet whose clock runs ahead would otherwise win every later comparison: client
# timestamps are capped at the server's clock plus this tolerance.
CLIENT_CLOCK_TOLERANCE = timedelta(minutes=2)


# --- Scoring -----------------------------------------------------------------------------


class ScoreRefused(Exception):
    """A score that may not be recorded; ``code`` says why, ``message`` is for the judge."""

    # The HTTP status of each refusal, the same for the judge screen's JSON and the API:
    # a locked stage is a conflict with the state of the stage, the rest are refusals of
    # this judge (or of a sheet that is not there).
    HTTP_STATUS: ClassVar[dict[str, int]] = {
        "locked": 409,
        "conflict": 403,
        "forbidden": 403,
        "not_found": 404,
    }

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return self.HTTP_STATUS.get(self.code, 400)


@dataclass(frozen=True)
class ScoreOutcome:
    sheet: ScoreSheet
    # created / updated / duplicate (this change was already applied) / stale (the sheet
    # already holds newer values from another tablet: nothing overwritten).
    result: str


def _clean_values(criteria: list[Any], values: Mapping[str, Any]) -> dict[str, int]:
    by_id = {str(c.pk): c for c in criteria}
    clean: dict[str, int] = {}
    for key, raw in values.items():
        criterion = by_id.get(str(key))
        if criterion is None:
            raise ScoreRefused("invalid", _("Unknown criterion."))
        if raw is None or raw == "":
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ScoreRefused("invalid", _("Scores are whole numbers.")) from None
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise ScoreRefused(
                "invalid",
                _("%(criterion)s is scored from %(low)s to %(high)s.")
                % {
                    "criterion": criterion.name,
                    "low": criterion.scale_min,
                    "high": criterion.scale_max,
                },
            )
        clean[str(criterion.pk)] = value
    return clean


def score_submit(
    *,
    user: User,
    team_id: int,
    values: Mapping[str, Any],
    client_updated_at: datetime,
    idempotency_key: str,
    comment: str = "",
    submit: bool = False,
) -> ScoreOutcome:
    """Record one judge's scores for one team: upsert of the single (judge, team) sheet.

    ``user`` is the judge who acts (the ``actor`` of other services; the tablet's client and
    the tests name it so): only a judge of the team's stage writes, as
    ``festival.permissions.may_score`` and the judge's assignment say.

    - **Newest wins, by the tablet's clock.** The same judge may score from two tablets, and
      a queued change may arrive after a newer one; the sheet keeps the values with the latest
      ``client_updated_at``. An older change is answered "stale" and overwrites nothing.
    - **Idempotent.** Each change carries a key made on the tablet; a resend of a change
      already applied (the same key) is answered "duplicate" and writes nothing.
    - **The lock.** The stage row is locked (``select_for_update``) for the whole write, and
      ``stage_lock`` takes the same row lock, so a score is either written before the lock or
      refused after it: none slips in between the check and the write. This serializes the
      writes of one stage only (a few milliseconds each); other stages do not wait.
    - **Two judges at once** write different rows; the stage lock orders them and both
      commit. **Two tablets of the same judge at once**: the second waits for the first's
      commit, then reads its sheet and compares timestamps. The unique constraint on
      (judge, team) is the backstop: were a sheet created concurrently anyway, the loser's
      IntegrityError is caught and it updates the winner's row instead.
    - **Conflicts.** A judge never scores a team of their own organization or a declared
      conflict, nor a team outside their assigned stage.
    """
    now = timezone.now()
    client_updated_at = min(client_updated_at, now + CLIENT_CLOCK_TOLERANCE)
    idempotency_key = (idempotency_key or "")[:64]
    if not idempotency_key:
        raise ScoreRefused("invalid", _("A change key is required."))
    with transaction.atomic():
        team = Team.objects.select_related("edition").filter(pk=team_id).first()
        # competes implies a stage; the stage_id test says so to the type checker.
        if team is None or not team.competes or team.stage_id is None:
            raise ScoreRefused("not_found", _("This performance is not in a running order."))
        stage = Stage.objects.select_for_update(of=("self",)).order_by().get(pk=team.stage_id)
        if stage.is_locked:
            raise ScoreRefused(
                "locked",
                _("Scoring is closed at %(stage)s: scores can no longer be changed.")
                % {"stage": stage.name},
            )
        judge = Judge.objects.filter(edition_id=team.edition_id, user=user).first()
        if judge is None or not may_score(user):
            raise ScoreRefused("forbidden", _("You are not a judge of this festival."))
        if judge.stage_id != stage.pk:
            raise ScoreRefused("forbidden", _("You are not a judge of this stage."))
        if not Team.objects.offered_to(judge).filter(pk=team.pk).exists():
            raise ScoreRefused(
                "conflict",
                _(
                    "You cannot score %(team)s: it is a team of your organization or you "
                    "declared a conflict of interest."
                )
                % {"team": team.name},
            )
        criteria = list(team.edition.criteria.order_by("order", "pk"))
        clean = _clean_values(criteria, values)
        if submit and len(clean) < len(criteria):
            raise ScoreRefused("incomplete", _("Score every criterion before submitting."))
        comment = comment.strip()

        # of=self and no ordering: the default ordering joins the nullable stage, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        sheet = (
            ScoreSheet.objects.select_for_update(of=("self",))
            .order_by()
            .filter(judge=judge, team=team)
            .first()
        )
        if sheet is None:
            try:
                # A savepoint, so that losing the race leaves the outer transaction usable.
                with transaction.atomic():
                    sheet = ScoreSheet.objects.create(
                        judge=judge,
                        team=team,
                        values=clean,
                        comment=comment,
                        submitted_at=now if submit else None,
                        client_updated_at=client_updated_at,
                        idempotency_key=idempotency_key,
                    )
            except IntegrityError:
                sheet = (
                    ScoreSheet.objects.select_for_update(of=("self",))
                    .order_by()
                    .get(judge=judge, team=team)
                )
            else:
                score_audit(sheet, user, {}, "", client_updated_at, idempotency_key, submit)
                return ScoreOutcome(sheet, "created")

        if sheet.idempotency_key == idempotency_key:
            return ScoreOutcome(sheet, "duplicate")
        if client_updated_at <= sheet.client_updated_at:
            # Not newer: either a resend of an older change (already in the history) or a
            # change overtaken by a newer one from another tablet. Nothing is written.
            resent = sheet.changes.filter(idempotency_key=idempotency_key).exists()
            return ScoreOutcome(sheet, "duplicate" if resent else "stale")
        old_values, old_comment = dict(sheet.values), sheet.comment
        sheet.values = clean
        sheet.comment = comment
        sheet.client_updated_at = client_updated_at
        sheet.idempotency_key = idempotency_key
        if submit and sheet.submitted_at is None:
            sheet.submitted_at = now
        sheet.save()
        score_audit(
            sheet, user, old_values, old_comment, client_updated_at, idempotency_key, submit
        )
        # The live board is left alone: it shows no score of an unlocked stage, and after the
        # lock no score changes. Judges' writes never re-render the board that thousands of
        # phones are polling; the lock does (stage_lock).
        return ScoreOutcome(sheet, "updated")


def score_audit(
    sheet: ScoreSheet,
    user: User,
    old_values: dict[str, int],
    old_comment: str,
    client_updated_at: datetime,
    idempotency_key: str,
    submit: bool,
) -> None:
    ScoreChange.objects.create(
        sheet=sheet,
        changed_by=user,
        client_updated_at=client_updated_at,
        idempotency_key=idempotency_key,
        old_values=old_values,
        new_values=sheet.values,
        old_comment=old_comment,
        new_comment=sheet.comment,
        submitted=submit,
    )
