"""Teams: registration with a proposal for a space of their sector, confirmation by the
committee, withdrawal, and workshop attendance."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from festival.models import (
    Edition,
    Proposal,
    Stage,
    Team,
    WorkshopAttendance,
    WorkshopSession,
)
from festival.permissions import (
    may_change_proposal,
    may_manage_edition,
    may_override_proposal_sector,
    may_record_attendance,
    may_register_team,
    may_withdraw_team,
)
from festival.services.boards import FESTIVAL_PAGES, board_invalidate_on_commit
from platform_app.messaging import services as messaging
from platform_app.models import Organization, Sector, User
from platform_app.services.ledger import delivery_schedule
from platform_app.services.registry import DuplicateOrganizationError, organization_register
from santaanita.page_cache import changes_pages

if TYPE_CHECKING:
    from mapping.models import PublicSpace

logger = logging.getLogger(__name__)

# --- Registration ------------------------------------------------------------------------


def _space_sector_error(public_space: PublicSpace, sector: Sector) -> ValidationError:
    space_sector = public_space.sector.name if public_space.sector else _("no sector")
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
    *,
    edition: Edition,
    sector: Sector,
    public_space: PublicSpace,
    actor: User,
    override_reason: str,
) -> bool:
    """Validate the proposed space; True when a coordinator's override was used."""
    if public_space.district_id != edition.district_id:
        raise ValidationError(
            {"public_space": _("The public space must be in the festival's district.")}
        )
    if public_space.sector_id == sector.pk:
        return False
    # Outside the sector: only someone allowed to override, and only with a reason.
    if not may_override_proposal_sector(actor, edition):
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
    public_space: PublicSpace,
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
    is_coordinator = may_manage_edition(actor, edition)
    if not is_coordinator and not may_register_team(actor, edition):
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
    *, proposal: Proposal, actor: User, public_space: PublicSpace, sector_override_reason: str = ""
) -> Proposal:
    """Change a proposal's public space (the same sector rule and override apply)."""
    team = proposal.team
    if not may_change_proposal(actor, proposal):
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


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def team_confirm(*, team: Team, actor: User, stage: Stage, slot: int) -> Team:
    """Confirm a team and give it a stage and a slot in that stage's running order."""
    if not may_manage_edition(actor, team.edition):
        raise PermissionDenied
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
    board_invalidate_on_commit(stage.pk)
    _team_confirmed_notify(team=team)
    return team


@transaction.atomic
@changes_pages(FESTIVAL_PAGES)
def team_withdraw(*, team: Team, actor: User) -> Team:
    if not may_withdraw_team(actor, team):
        raise PermissionDenied
    if team.stage is not None and team.stage.is_locked:
        raise ValidationError(_("The stage is locked: the team can no longer withdraw."))
    old_stage = team.stage_id
    team.status = Team.Status.WITHDRAWN
    team.stage = None
    team.slot = None
    team.save(update_fields=["status", "stage", "slot"])
    if old_stage:
        board_invalidate_on_commit(old_stage)
    return team


# --- Workshop ----------------------------------------------------------------------------


@changes_pages(FESTIVAL_PAGES)
def workshop_attendance_record(
    *, session: WorkshopSession, team: Team, actor: User, attendees: int = 1
) -> WorkshopAttendance:
    """Record a team's presence at a session; recording it twice keeps one row."""
    if not may_record_attendance(actor, session.edition):
        raise PermissionDenied
    if team.edition_id != session.edition_id:
        raise ValidationError(_("The team belongs to another edition."))
    attendance, _created = WorkshopAttendance.objects.get_or_create(
        session=session, team=team, defaults={"recorded_by": actor, "attendees": attendees}
    )
    return attendance


def _team_confirmed_notify(*, team: Team) -> None:
    """Tell the team's representative its stage and slot (once per stage and slot)."""
    user = team.representative
    reach = messaging.reach_of_user(user) if user is not None else None
    if user is None or reach is None:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"team": team, "stage": team.stage, "edition": team.edition}
        delivery_schedule(
            recipient=reach.address,
            channel=reach.channel,
            link=reverse("festival:home"),
            kind="festival.team_confirmed",
            object_key=f"team:{team.pk}:{team.stage_id}:{team.slot}",
            subject=_("%(team)s dances at %(stage)s") % {"team": team.name, "stage": team.stage},
            body=render_to_string("festival/email/team_confirmed.txt", context),
            language=user.language or settings.LANGUAGE_CODE,
            district=team.edition.district,
        )
