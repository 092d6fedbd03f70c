"""interventions' models, one module per area; import them from here."""

from interventions.models.funding import (
    Company,
    CompanyRepresentative,
    FundraisingEvent,
    Invitation,
    Pledge,
    PledgeChange,
    PledgeDocument,
)
from interventions.models.impact import ImpactPlan, ReferenceValue
from interventions.models.kits import ItemCategory, KitTemplate, KitTemplateItem
from interventions.models.perception import (
    SCALE_LABELS,
    Dimension,
    PerceptionResponse,
    Question,
    QuestionnaireVersion,
    Scale,
    SectorPopulation,
    Wave,
)

__all__ = [
    "Company",
    "CompanyRepresentative",
    "FundraisingEvent",
    "Invitation",
    "ItemCategory",
    "KitTemplate",
    "KitTemplateItem",
    "Pledge",
    "PledgeChange",
    "PledgeDocument",
]

from interventions.models.work import (
    Activity,
    ActivityPhoto,
    Allocation,
    BudgetLine,
    FundingSource,
    Intervention,
    InterventionPhoto,
    Kit,
    KitDelivery,
    KitItem,
    MaintenanceGuide,
    MaintenanceTask,
    Milestone,
    Phase,
    PlanPhase,
    add_months,
)

__all__ += [
    "Activity",
    "ActivityPhoto",
    "Allocation",
    "BudgetLine",
    "FundingSource",
    "Intervention",
    "InterventionPhoto",
    "Kit",
    "KitDelivery",
    "KitItem",
    "MaintenanceGuide",
    "MaintenanceTask",
    "Milestone",
    "Phase",
    "PlanPhase",
    "add_months",
]

__all__ += [
    "SCALE_LABELS",
    "Dimension",
    "ImpactPlan",
    "PerceptionResponse",
    "Question",
    "QuestionnaireVersion",
    "ReferenceValue",
    "Scale",
    "SectorPopulation",
    "Wave",
]
