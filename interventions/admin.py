"""Administration of interventions. Pledges, their history, allocations, deliveries and
fundraising events are read-only (ReadOnlyAdmin): only services write them."""

from __future__ import annotations

from django.contrib import admin

from interventions import models
from santaanita.admin_base import ReadOnlyAdmin


class InvitationInline(admin.TabularInline[models.Invitation, models.FundraisingEvent]):
    """Shown on the read-only event page; answers and attendance are recorded on the event's
    page (or in the invitation's own admin). Read-only with no code of its own: Django
    disables every inline edit when the parent may not be changed (ReadOnlyAdmin)."""

    model = models.Invitation
    extra = 0


class PledgeDocumentInline(admin.TabularInline[models.PledgeDocument, models.Pledge]):
    model = models.PledgeDocument
    extra = 0


class PledgeChangeInline(admin.TabularInline[models.PledgeChange, models.Pledge]):
    """Read-only on the read-only pledge page (the parent's ReadOnlyAdmin disables it)."""

    model = models.PledgeChange
    extra = 0


@admin.register(models.Company)
class CompanyAdmin(admin.ModelAdmin[models.Company]):
    list_display = ("name", "ruc", "activity", "district")
    list_filter = ("district", "activity")
    search_fields = ("name", "ruc")


@admin.register(models.FundraisingEvent)
class FundraisingEventAdmin(ReadOnlyAdmin[models.FundraisingEvent]):
    """Read-only, superusers included: a change saved here would bypass ``event_update`` (no
    version bump, so a coordinator's open edit form would silently undo it), and a deletion
    would take the invitations with it and unlink pledges without a line in their history.
    Coordinators create and correct events from the events pages."""

    list_display = ("name", "date", "district")
    inlines = (InvitationInline,)


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin[models.Invitation]):
    list_display = ("company", "event", "status", "attended")
    list_filter = ("status", "attended")


@admin.register(models.Pledge)
class PledgeAdmin(ReadOnlyAdmin[models.Pledge]):
    """Read-only, superusers included: a change saved here would bypass ``pledge_update``
    (no history line, no version bump, no allocated-value check) and a deletion would take
    the history with it. Coordinators change pledges from the pledge page."""

    list_display = ("company", "kind", "currency", "amount", "value_pen", "value_usd", "state")
    list_filter = ("state", "kind", "currency")
    search_fields = ("company__name",)
    inlines = (PledgeDocumentInline, PledgeChangeInline)


@admin.register(models.PledgeDocument)
class PledgeDocumentAdmin(admin.ModelAdmin[models.PledgeDocument]):
    list_display = ("pledge", "kind", "uploaded_at")


@admin.register(models.PledgeChange)
class PledgeChangeAdmin(ReadOnlyAdmin[models.PledgeChange]):
    """The history is the record of what happened: only the pledge services write a line
    and nobody changes or erases one."""

    list_display = ("pledge", "at", "by", "action")


class KitTemplateItemInline(admin.TabularInline[models.KitTemplateItem, models.KitTemplate]):
    model = models.KitTemplateItem
    extra = 1


@admin.register(models.KitTemplate)
class KitTemplateAdmin(admin.ModelAdmin[models.KitTemplate]):
    list_display = ("name", "district")
    inlines = (KitTemplateItemInline,)


@admin.register(models.KitTemplateItem)
class KitTemplateItemAdmin(admin.ModelAdmin[models.KitTemplateItem]):
    list_display = ("name", "template", "category", "unit", "quantity", "unit_cost_pen")


class PlanPhaseInline(admin.TabularInline[models.PlanPhase, models.Intervention]):
    model = models.PlanPhase
    extra = 0


class MilestoneInline(admin.TabularInline[models.Milestone, models.Intervention]):
    model = models.Milestone
    extra = 0


class BudgetLineInline(admin.TabularInline[models.BudgetLine, models.Intervention]):
    model = models.BudgetLine
    extra = 0


@admin.register(models.Intervention)
class InterventionAdmin(admin.ModelAdmin[models.Intervention]):
    list_display = ("title", "public_space", "district", "status", "progress", "large_scale")
    list_filter = ("district", "status", "large_scale")
    search_fields = ("title",)
    raw_id_fields = ("public_space", "proposal", "lead_team", "survey_before", "survey_after")
    inlines = (PlanPhaseInline, MilestoneInline, BudgetLineInline)


for model in (
    models.PlanPhase,
    models.Milestone,
    models.BudgetLine,
    models.ActivityPhoto,
    models.InterventionPhoto,
    models.MaintenanceTask,
):
    admin.site.register(model)


class ActivityPhotoInline(admin.TabularInline[models.ActivityPhoto, models.Activity]):
    model = models.ActivityPhoto
    extra = 0


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin[models.Activity]):
    list_display = ("intervention", "kind", "date", "who")
    list_filter = ("kind",)
    inlines = (ActivityPhotoInline,)


class KitItemInline(admin.TabularInline[models.KitItem, models.Kit]):
    model = models.KitItem
    extra = 0
    readonly_fields = ("delivered",)


@admin.register(models.Kit)
class KitAdmin(admin.ModelAdmin[models.Kit]):
    list_display = ("intervention", "template", "created_at")
    inlines = (KitItemInline,)


@admin.register(models.KitItem)
class KitItemAdmin(admin.ModelAdmin[models.KitItem]):
    list_display = ("name", "kit", "quantity", "unit", "unit_cost_pen", "delivered")
    readonly_fields = ("delivered",)


@admin.register(models.Allocation)
class AllocationAdmin(ReadOnlyAdmin[models.Allocation]):
    """Read-only, deletion included: allocations are made by ``pledge_allocate``, which
    locks the pledge, moves its state and writes its history; deleting one here would
    leave the pledge "fully used" with nothing allocated and no line saying why."""

    list_display = ("pledge", "item", "amount_pen", "created_at")


@admin.register(models.KitDelivery)
class KitDeliveryAdmin(ReadOnlyAdmin[models.KitDelivery]):
    """Read-only, deletion included: deliveries are recorded by ``kit_deliver``, which keeps
    the item's delivered count; deleting one here would leave that count wrong."""

    list_display = ("item", "date", "quantity", "received_by")


class MaintenanceTaskInline(admin.TabularInline[models.MaintenanceTask, models.MaintenanceGuide]):
    model = models.MaintenanceTask
    extra = 0


@admin.register(models.MaintenanceGuide)
class MaintenanceGuideAdmin(admin.ModelAdmin[models.MaintenanceGuide]):
    list_display = ("intervention", "responsible_organization", "updated_at")
    inlines = (MaintenanceTaskInline,)


# --- Impact measurement: every write goes through interventions.perception.services
# (versions never edited, answers idempotent and scored, figures' cache refreshed), so these
# admins only read.


@admin.register(models.ImpactPlan)
class ImpactPlanAdmin(ReadOnlyAdmin[models.ImpactPlan]):
    list_display = ("district", "first_year", "results_year")


@admin.register(models.ReferenceValue)
class ReferenceValueAdmin(ReadOnlyAdmin[models.ReferenceValue]):
    list_display = ("district", "key", "value", "unit", "observed_on", "source")
    list_filter = ("district", "key")


class QuestionInline(admin.TabularInline[models.Question, models.QuestionnaireVersion]):
    model = models.Question
    extra = 0
    fields = ("position", "code", "dimension", "scale", "in_index", "text")


@admin.register(models.QuestionnaireVersion)
class QuestionnaireVersionAdmin(ReadOnlyAdmin[models.QuestionnaireVersion]):
    list_display = ("district", "number", "title", "created_at")
    list_filter = ("district",)
    inlines = (QuestionInline,)


@admin.register(models.Question)
class QuestionAdmin(ReadOnlyAdmin[models.Question]):
    list_display = ("version", "position", "code", "dimension", "in_index")
    list_filter = ("version__district", "dimension", "in_index")


@admin.register(models.SectorPopulation)
class SectorPopulationAdmin(ReadOnlyAdmin[models.SectorPopulation]):
    list_display = ("sector", "population", "year", "source")


@admin.register(models.Wave)
class WaveAdmin(ReadOnlyAdmin[models.Wave]):
    list_display = ("name", "district", "kind", "starts_on", "ends_on", "is_open")
    list_filter = ("district", "kind", "is_open")


@admin.register(models.PerceptionResponse)
class PerceptionResponseAdmin(ReadOnlyAdmin[models.PerceptionResponse]):
    list_display = ("wave", "channel", "sector", "cohesion_score", "duplicate_suspected")
    list_filter = ("wave", "channel", "duplicate_suspected")
    list_select_related = ("wave", "sector__district")


@admin.register(models.CompanyRepresentative)
class CompanyRepresentativeAdmin(ReadOnlyAdmin[models.CompanyRepresentative]):
    """Read-only: representatives are named from the fundraising event's page (the service
    ties the row to an account and grants the role)."""

    list_display = ("email", "company", "user", "created_at")
    list_filter = ("company__district",)
    search_fields = ("email", "company__name")
