"""What the roles may do with companies, pledges, kits, interventions and the impact
measurement."""

from __future__ import annotations

from enum import StrEnum

from interventions.models import (
    Activity,
    ActivityPhoto,
    Allocation,
    BudgetLine,
    Company,
    FundraisingEvent,
    ImpactPlan,
    Intervention,
    InterventionPhoto,
    Invitation,
    Kit,
    KitDelivery,
    KitItem,
    KitTemplate,
    KitTemplateItem,
    MaintenanceGuide,
    MaintenanceTask,
    Milestone,
    PlanPhase,
    Pledge,
    PledgeDocument,
    QuestionnaireVersion,
    ReferenceValue,
    SectorPopulation,
    Wave,
)
from platform_app.permissions import VIEW_ADD_CHANGE, Role, RolePermissions, model_permissions


class InterventionsPermission(StrEnum):
    VIEW_PLEDGE = "interventions.view_pledge"
    ACT_FOR_COMPANY = "interventions.act_for_company"
    VIEW_PLEDGECHANGE = "interventions.view_pledgechange"
    CHANGE_WAVE = "interventions.change_wave"
    VIEW_PERCEPTIONRESPONSE = "interventions.view_perceptionresponse"
    COLLECT_PERCEPTIONRESPONSE = "interventions.collect_perceptionresponse"


P = InterventionsPermission

ROLE_PERMISSIONS: RolePermissions = {
    Role.COORDINATOR: [
        # Coordinators run companies, pledges, kits and guides.
        *model_permissions(
            VIEW_ADD_CHANGE,
            Company,
            FundraisingEvent,
            Invitation,
            Pledge,
            PledgeDocument,
            KitTemplate,
            KitTemplateItem,
            Intervention,
            PlanPhase,
            Milestone,
            Activity,
            ActivityPhoto,
            InterventionPhoto,
            BudgetLine,
            Kit,
            KitItem,
            Allocation,
            KitDelivery,
            MaintenanceGuide,
            MaintenanceTask,
        ),
        P.VIEW_PLEDGECHANGE,
        # impact measurement: coordinators keep the baseline figures, the programme's
        # years, the questionnaire, the waves and the sector populations, and collect.
        *model_permissions(
            VIEW_ADD_CHANGE,
            ImpactPlan,
            ReferenceValue,
            QuestionnaireVersion,
            Wave,
            SectorPopulation,
        ),
        P.VIEW_PERCEPTIONRESPONSE,
        P.COLLECT_PERCEPTIONRESPONSE,
    ],
    # Volunteers collect perception answers on phones or a kiosk.
    Role.SURVEYOR: [P.COLLECT_PERCEPTIONRESPONSE],
    # Companies: which company's pledges and invitations a representative sees is a row per
    # company (CompanyRepresentative), not a permission over the district.
    Role.COMPANY: [P.ACT_FOR_COMPANY],
}
