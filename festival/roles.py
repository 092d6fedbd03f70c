"""What the roles may do in the "Zapatea Santa Anita" festival."""

from __future__ import annotations

from enum import StrEnum

from festival.models import (
    Criterion,
    Edition,
    Judge,
    JudgeConflict,
    Proposal,
    Stage,
    Team,
    WorkshopAttendance,
    WorkshopSession,
)
from platform_app.permissions import VIEW_ADD_CHANGE, Role, RolePermissions, model_permissions


class FestivalPermission(StrEnum):
    VIEW_SCORESHEET = "festival.view_scoresheet"
    ADD_SCORESHEET = "festival.add_scoresheet"
    CHANGE_SCORESHEET = "festival.change_scoresheet"
    VIEW_SCORECHANGE = "festival.view_scorechange"
    LOCK_STAGE = "festival.lock_stage"
    OVERRIDE_PROPOSAL_SECTOR = "festival.override_proposal_sector"
    MARK_OUTSTANDING = "festival.mark_outstanding"
    VIEW_WORKSHOPATTENDANCE = "festival.view_workshopattendance"
    ADD_WORKSHOPATTENDANCE = "festival.add_workshopattendance"
    VIEW_CRITERION = "festival.view_criterion"
    ADD_TEAM = "festival.add_team"
    CHANGE_TEAM = "festival.change_team"
    ADD_PROPOSAL = "festival.add_proposal"


P = FestivalPermission

ROLE_PERMISSIONS: RolePermissions = {
    Role.COORDINATOR: [
        # Coordinators run the edition, confirm teams and lock stages.
        *model_permissions(
            VIEW_ADD_CHANGE,
            Edition,
            Stage,
            Team,
            Proposal,
            WorkshopSession,
            WorkshopAttendance,
            Judge,
            JudgeConflict,
            Criterion,
        ),
        P.VIEW_SCORESHEET,
        P.VIEW_SCORECHANGE,
        P.LOCK_STAGE,
        P.OVERRIDE_PROPOSAL_SECTOR,
        P.MARK_OUTSTANDING,
    ],
    # The desk records workshop attendance.
    Role.DESK: [P.ADD_WORKSHOPATTENDANCE, P.VIEW_WORKSHOPATTENDANCE],
    # Judges write their own score sheets (checked per object).
    Role.JUDGE: [P.VIEW_CRITERION, P.ADD_SCORESHEET, P.CHANGE_SCORESHEET],
    # Representatives register their organization's team.
    Role.REPRESENTATIVE: [P.ADD_TEAM, P.ADD_PROPOSAL],
}
