"""Writes of the festival: one function per action, keyword-only, in one transaction.

Views, the API, the admin actions and the demo all call these, so every rule (registration
period, sector of the proposed space, conflicts of interest, the stage lock, the audit of
score changes) is enforced in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from festival.models import (
    Edition,
    Judge,
    JudgeConflict,
    Proposal,
    ScoreChange,
    ScoreSheet,
    Stage,
    StageReopening,
    Team,
    WorkshopAttendance,
    WorkshopSession,
)
from festival.results import edition_results, outstanding_of_stage, stage_missing_sheets
from platform_app.models import Organization, Sector, User
from platform_app.permissions import Role, can
from platform_app.services import (
    DuplicateOrganizationError,
    delivery_schedule,
    organization_register,
    user_grant_role,
)
from santaanita.page_cache import bump, changes_pages

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

# The page family (santaanita/page_cache.py) of the festival's public pages. Score sheets do
# not move it: scores show publicly only once their stage locks, and locking moves it.
FESTIVAL_PAGES = "pages:festival"


# A tablet whose clock runs ahead would otherwise win every later comparison: client
# timestamps are capped at the server's clock plus this tolerance.
CLIENT_CLOCK_TOLERANCE = timedelta(minutes=2)


# --- Live board cache ----------------------------------------------------------------------


def board_cache_key(stage_id: int, language: str) -> str:
    return f"festival:board:{stage_id}:{language}"


def board_invalidate(stage_id: int) -> None:
    """Drop a stage's cached board in every language; the next poll renders it again."""
    cache.delete_many([board_cache_key(stage_id, code) for code, _name in settings.LANGUAGES])
    bump(FESTIVAL_PAGES)  # the board's page holds the board too


def _invalidate_on_commit(stage_id: int) -> None:
    transaction.on_commit(lambda: board_invalidate(stage_id))


# --- Registration ------------------------------------------------------------------------


def _space_sector_error(public_space: Any, sector: Sector) -> ValidationError:
    space_sector = public_space.sector.name if public_space.sector_id else _("no sector")
    return ValidationError(
        {
            "public_space": _(
                "“%(space)s” lies in %(space_sector)s, outside the team's sector "
                "(%(sector)s). Choose a public space of your own sector; only a coordinator "
                "can accept a space outside it, giving a reason."
            )
            % {"space": public_space.name, "space_sector": space_sector, "sector": sector.name}
        }
    )


def _check_space(
    *, edition: Edition, sector: Sector, public_space: Any, actor: User, override_reason: str
) -> bool:
    """Validate the proposed space; True when a coordinator's override was used."""
    if public_space.district_id != edition.district_id:
        raise ValidationError(
            {"public_space": _("The public space must be in the festival's district.")}
        )
    if public_space.sector_id == sector.pk:
        return False
    # Outside the sector: only someone allowed to override, and only with a reason.
    if not can(actor, "festival.override_proposal_sector", edition.district):
        raise _space_sector_error(public_space, sector)
    if not override_reason.strip():
        raise ValidationError(
            {
                "sector_override_reason": _(
                    "Give the reason for accepting a public space outside the team's sector."
                )
            }
        )
    return True


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def team_register(
    *,
    edition: Edition,
    actor: User,
    sector: Sector,
    name: str,
    dance_style: str,
    public_space: Any,
    what: str,
    why: str,
    who: str,
    organization: Organization | None = None,
    new_organization_name: str = "",
    new_organization_typology: str = "",
    representative: User | None = None,
    dancers_children: int = 0,
    dancers_youth: int = 0,
    dancers_adults: int = 0,
    dancers_seniors: int = 0,
    staging_description: str = "",
    music: str = "",
    needs: str = "",
    materials: str = "",
    sector_override_reason: str = "",
    now: datetime | None = None,
) -> Team:
    """Register a team and its proposal; refuse after the registration period and refuse a
    space outside the team's sector unless a coordinator overrides it with a reason.

    An organization not yet in the registry is created in the same flow as "pending review",
    so the registry's desk reviews it like any other.
    """
    now = now or timezone.now()
    is_coordinator = can(actor, "festival.change_team", edition.district)
    if not is_coordinator and not can(actor, "festival.add_team", edition.district):
        raise PermissionDenied
    if not is_coordinator and not edition.is_registration_open(now):
        raise ValidationError(
            _("Registration is closed: it ran until %(end)s.")
            % {
                "end": date_format(
                    timezone.localtime(edition.registration_closes_at), "DATETIME_FORMAT"
                )
            }
        )
    if sector.district_id != edition.district_id:
        raise ValidationError({"sector": _("The sector must be in the festival's district.")})
    overridden = _check_space(
        edition=edition,
        sector=sector,
        public_space=public_space,
        actor=actor,
        override_reason=sector_override_reason,
    )
    if organization is None:
        if not new_organization_name.strip():
            raise ValidationError(
                {"organization": _("Choose an organization or register a new one.")}
            )
        # Through the registry's own write path: a pending record with its code and history,
        # reviewed by the desk like any other registration.
        try:
            organization = organization_register(
                district=edition.district,
                fields={
                    "name": new_organization_name.strip(),
                    "typology": new_organization_typology or Organization.Typology.CULTURAL,
                    "sector": sector,
                },
                contact=None,
                channel=Organization.Channel.ONLINE,
                submission_token=None,
                actor=actor,
            ).organization
        except DuplicateOrganizationError as duplicate:
            raise ValidationError(
                {
                    "new_organization_name": _(
                        "“%(name)s” is already in the registry: choose it from the list."
                    )
                    % {"name": duplicate.existing.name}
                }
            ) from None
    elif organization.district_id != edition.district_id:
        raise ValidationError({"organization": _("The organization must be in the district.")})
    if Team.objects.filter(edition=edition, organization=organization).exists():
        raise ValidationError(
            {"organization": _("This organization already has a team in this edition.")}
        )
    team = Team.objects.create(
        edition=edition,
        organization=organization,
        sector=sector,
        name=name,
        representative=representative or actor,
        dance_style=dance_style,
        dancers_children=dancers_children,
        dancers_youth=dancers_youth,
        dancers_adults=dancers_adults,
        dancers_seniors=dancers_seniors,
        staging_description=staging_description,
        music=music,
        needs=needs,
    )
    Proposal.objects.create(
        team=team,
        public_space=public_space,
        what=what,
        why=why,
        who=who,
        materials=materials,
        sector_override_reason=sector_override_reason.strip() if overridden else "",
        sector_overridden_by=actor if overridden else None,
    )
    logger.info("Team %s registered in edition %s by %s", team.pk, edition.pk, actor.pk)
    return team


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def proposal_set_space(
    *, proposal: Proposal, actor: User, public_space: Any, sector_override_reason: str = ""
) -> Proposal:
    """Change a proposal's public space (the same sector rule and override apply)."""
    team = proposal.team
    if not (
        team.representative_id == actor.pk
        or can(actor, "festival.change_proposal", team.edition.district)
    ):
        raise PermissionDenied
    overridden = _check_space(
        edition=team.edition,
        sector=team.sector,
        public_space=public_space,
        actor=actor,
        override_reason=sector_override_reason,
    )
    proposal.public_space = public_space
    proposal.sector_override_reason = sector_override_reason.strip() if overridden else ""
    proposal.sector_overridden_by = actor if overridden else None
    proposal.save()
    return proposal


def _require_manager(actor: User | AnonymousUser, edition: Edition) -> None:
    if not can(actor, "festival.change_team", edition.district):
        raise PermissionDenied


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def team_confirm(*, team: Team, actor: User, stage: Stage, slot: int) -> Team:
    """Confirm a team and give it a stage and a slot in that stage's running order."""
    _require_manager(actor, team.edition)
    if stage.edition_id != team.edition_id:
        raise ValidationError({"stage": _("The stage belongs to another edition.")})
    # Lock the stage row: two coordinators assigning the same slot at once queue here, and
    # the second one sees the slot taken (the unique constraint is the backstop).
    stage = Stage.objects.select_for_update(of=("self",)).order_by().get(pk=stage.pk)
    if stage.is_locked:
        raise ValidationError({"stage": _("The stage is locked: its running order is final.")})
    if slot < 1:
        raise ValidationError({"slot": _("Slots start at 1.")})
    taken = Team.objects.filter(stage=stage, slot=slot).exclude(pk=team.pk).first()
    if taken is not None:
        raise ValidationError(
            {
                "slot": _("Slot %(slot)s is already taken by %(team)s.")
                % {"slot": slot, "team": taken}
            }
        )
    if not team.meets_workshop_rule:
        raise ValidationError(
            _("%(team)s has not attended the workshop, which the rules require to compete.")
            % {"team": team}
        )
    team.status = Team.Status.CONFIRMED
    team.stage = stage
    team.slot = slot
    team.save(update_fields=["status", "stage", "slot"])
    _invalidate_on_commit(stage.pk)
    _team_confirmed_notify(team=team)
    return team


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def team_withdraw(*, team: Team, actor: User) -> Team:
    if not (
        team.representative_id == actor.pk
        or can(actor, "festival.change_team", team.edition.district)
    ):
        raise PermissionDenied
    if team.stage is not None and team.stage.is_locked:
        raise ValidationError(_("The stage is locked: the team can no longer withdraw."))
    old_stage = team.stage_id
    team.status = Team.Status.WITHDRAWN
    team.stage = None
    team.slot = None
    team.save(update_fields=["status", "stage", "slot"])
    if old_stage:
        _invalidate_on_commit(old_stage)
    return team


# --- Workshop ----------------------------------------------------------------------------


@changes_pages(FESTIVAL_PAGES)
def workshop_attendance_record(
    *, session: WorkshopSession, team: Team, actor: User, attendees: int = 1
) -> WorkshopAttendance:
    """Record a team's presence at a session; recording it twice keeps one row."""
    if not can(actor, "festival.add_workshopattendance", session.edition.district):
        raise PermissionDenied
    if team.edition_id != session.edition_id:
        raise ValidationError(_("The team belongs to another edition."))
    attendance, _created = WorkshopAttendance.objects.get_or_create(
        session=session, team=team, defaults={"recorded_by": actor, "attendees": attendees}
    )
    return attendance


# --- Judges ------------------------------------------------------------------------------


def judge_appoint(
    *,
    edition: Edition,
    email: str,
    actor: User,
    stage: Stage | None = None,
    is_chair: bool = False,
    organization: Organization | None = None,
    company: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Judge:
    """Appoint (or re-assign) a person to the edition's committee.

    A person without an account gets one without a password, and the email carries a signed
    link to choose it (``judge_welcome_accept``). The person gets the judge role and one
    email per assignment (the ledger key carries the stage, so re-saving the same
    assignment never sends twice). A stage has one chair: naming a new one takes the chair
    from the previous.
    """
    if not can(actor, "festival.add_judge", edition.district):
        raise PermissionDenied
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise ValidationError({"email": _("This account is disabled.")})
    if stage is not None and stage.edition_id != edition.pk:
        raise ValidationError({"stage": _("The stage belongs to another edition.")})
    if is_chair and stage is None:
        raise ValidationError({"is_chair": _("A chair presides over a stage: choose one.")})
    with transaction.atomic():
        # The edition row serializes appointments, so two coordinators naming chairs of the
        # same stage at once leave one.
        Edition.objects.select_for_update().get(pk=edition.pk)
        if user is None:
            # Judges come from businesses and organizations and often have no account: one
            # is made without a password; the email lets the person choose it.
            user = User.objects.create_user(
                email=email,
                password=None,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                district=edition.district,
            )
            EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
        judge, _created = Judge.objects.update_or_create(
            edition=edition,
            user=user,
            defaults={
                "stage": stage,
                "is_chair": is_chair,
                "organization": organization,
                "company": company.strip(),
            },
        )
        if is_chair:
            Judge.objects.filter(stage=stage, is_chair=True).exclude(pk=judge.pk).update(
                is_chair=False
            )
        user_grant_role(user=user, role=Role.JUDGE, district=user.district or edition.district)
        _judge_notify(judge=judge)
    return judge


def _judge_notify(*, judge: Judge) -> None:
    user = judge.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "judge": judge,
            "edition": judge.edition,
            "stage": judge.stage,
            "link": settings.SITE_URL + reverse("festival:judge"),
            "welcome_link": (
                ""
                if user.has_usable_password()
                else settings.SITE_URL
                + reverse("festival:judge-welcome", args=[judge_welcome_token(user)])
            ),
        }
        delivery_schedule(
            recipient=user.email,
            kind="festival.judge_appointed",
            object_key=f"judge:{judge.pk}:{judge.stage_id or 0}:{int(judge.is_chair)}",
            subject=_("You are a judge of %(edition)s") % {"edition": judge.edition.name},
            body=render_to_string("festival/email/judge_appointed.txt", context),
            language=user.language or settings.LANGUAGE_CODE,
            district=judge.edition.district,
        )


JUDGE_WELCOME_SALT = "festival.judge-welcome"
JUDGE_WELCOME_MAX_AGE = 60 * 60 * 24 * 30  # a month: appointments come weeks ahead


def judge_welcome_token(user: User) -> str:
    return signing.dumps(user.pk, salt=JUDGE_WELCOME_SALT)


def judge_welcome_user(token: str) -> User | None:
    """The account a welcome link is for, while it still has no password; None otherwise
    (a bad or expired link, or a password already chosen: the link works once)."""
    try:
        pk = signing.loads(token, salt=JUDGE_WELCOME_SALT, max_age=JUDGE_WELCOME_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    return user


def judge_welcome_accept(*, user: User, password: str) -> User:
    """The person chose a password from the link sent to their address, which proves it."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    return user


def _team_confirmed_notify(*, team: Team) -> None:
    """Tell the team's representative its stage and slot (once per stage and slot)."""
    user = team.representative
    if user is None or not user.email:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"team": team, "stage": team.stage, "edition": team.edition}
        delivery_schedule(
            recipient=user.email,
            kind="festival.team_confirmed",
            object_key=f"team:{team.pk}:{team.stage_id}:{team.slot}",
            subject=_("%(team)s dances at %(stage)s") % {"team": team.name, "stage": team.stage},
            body=render_to_string("festival/email/team_confirmed.txt", context),
            language=user.language or settings.LANGUAGE_CODE,
            district=team.edition.district,
        )


def judge_conflict_declare(*, judge: Judge, team: Team, reason: str, actor: User) -> JudgeConflict:
    """A judge (or a coordinator for them) declares a conflict of interest with a team."""
    if not (
        judge.user_id == actor.pk or can(actor, "festival.change_judge", judge.edition.district)
    ):
        raise PermissionDenied
    if team.edition_id != judge.edition_id:
        raise ValidationError(_("The team belongs to another edition."))
    if ScoreSheet.objects.filter(judge=judge, team=team).exists():
        raise ValidationError(
            _("This judge has already scored the team; ask a coordinator to review the sheet.")
        )
    conflict, _created = JudgeConflict.objects.get_or_create(
        judge=judge, team=team, defaults={"reason": reason}
    )
    return conflict


# --- Scoring -----------------------------------------------------------------------------


class ScoreRefused(Exception):
    """A score that may not be recorded; ``code`` says why, ``message`` is for the judge."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
        if judge is None or not user.has_perm("festival.add_scoresheet"):
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
                _audit(sheet, user, {}, "", client_updated_at, idempotency_key, submit)
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
        _audit(sheet, user, old_values, old_comment, client_updated_at, idempotency_key, submit)
        # The live board is left alone: it shows no score of an unlocked stage, and after the
        # lock no score changes. Judges' writes never re-render the board that thousands of
        # phones are polling; the lock does (stage_lock).
        return ScoreOutcome(sheet, "updated")


def _audit(
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


def may_lock_stage(user: User | AnonymousUser, stage: Stage) -> bool:
    """Coordinators of the district, or the stage's chair."""
    if can(user, "festival.lock_stage", stage.edition.district):
        return True
    return bool(
        user.is_authenticated
        and Judge.objects.filter(stage=stage, user=user, is_chair=True).exists()
    )


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
    _invalidate_on_commit(stage.pk)
    return stage


@changes_pages(FESTIVAL_PAGES)
def stage_reopen(*, stage: Stage, actor: User, reason: str) -> Stage:
    """Reopen a locked stage's scoring (a chair who locked too early, a judge whose sheet
    was not submitted). Coordinators only, with a reason kept in StageReopening. Refused
    once the committee recognized teams of the stage: that recognition rests on the locked
    results."""
    if not can(actor, "festival.change_stage", stage.edition.district):
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
        _invalidate_on_commit(locked.pk)
    return locked


# --- Results -----------------------------------------------------------------------------


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def outstanding_mark(*, edition: Edition, actor: User) -> list[Team]:
    """Mark the top N teams of every locked stage as outstanding (by the edition's ranking:
    normalized when enabled, raw otherwise). Unlocked stages are left as they are."""
    if not can(actor, "festival.mark_outstanding", edition.district):
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
        _invalidate_on_commit(stage_id)
    return list(Team.objects.filter(pk__in=marked).select_related("organization"))


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def large_scale_winner_set(*, team: Team, actor: User) -> Team:
    """The committee's one winner of the large-scale transformation, among outstanding
    teams. Clearing the previous winner first keeps the one-winner constraint satisfied."""
    if not can(actor, "festival.mark_outstanding", team.edition.district):
        raise PermissionDenied
    if not team.is_outstanding:
        raise ValidationError(_("Only an outstanding team can win the large-scale transformation."))
    Team.objects.filter(edition=team.edition, is_large_scale_winner=True).exclude(
        pk=team.pk
    ).update(is_large_scale_winner=False)
    team.is_large_scale_winner = True
    team.save(update_fields=["is_large_scale_winner"])
    return team
