from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from festival.models import (
    Criterion,
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
from festival.services.boards import FESTIVAL_PAGES
from festival.services.judges import judge_appoint
from festival.services.stages import stage_lock
from festival.services.teams import team_withdraw
from santaanita.admin_base import ChangesPagesAdmin, ReadOnlyAdmin
from santaanita.users import signed_in_user


class StageInline(admin.TabularInline[Stage, Edition]):
    model = Stage
    extra = 0
    fields = ("name", "sector", "starts_at", "location", "locked_at")
    readonly_fields = ("locked_at",)
    raw_id_fields = ("location",)


class CriterionInline(admin.TabularInline[Criterion, Edition]):
    model = Criterion
    extra = 0


@admin.register(Edition)
class EditionAdmin(ChangesPagesAdmin[Edition]):
    page_families = (FESTIVAL_PAGES,)
    list_display = ("name", "year", "district", "registration_closes_at", "normalization_enabled")
    list_filter = ("district", "year")
    inlines = (StageInline, CriterionInline)


@admin.register(Stage)
class StageAdmin(ChangesPagesAdmin[Stage]):
    page_families = (FESTIVAL_PAGES,)
    list_display = ("name", "edition", "sector", "starts_at", "location", "locked_at")
    list_filter = ("edition", "sector")
    list_select_related = ("edition", "sector", "location")
    raw_id_fields = ("location",)
    readonly_fields = ("locked_at", "locked_by")
    actions = ("lock",)

    @admin.action(description=_("Lock the selected stages"))
    def lock(self, request: HttpRequest, queryset: QuerySet[Stage]) -> None:
        # The same service as the screens: same permission, same row lock, same cache purge.
        for stage in queryset:
            try:
                stage_lock(stage=stage, actor=signed_in_user(request))
            except PermissionDenied:
                self.message_user(request, _("You may not lock %s.") % stage, messages.ERROR)


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin[Team]):
    """Teams are registered, confirmed and withdrawn by the services (the stage lock, the
    workshop rule, the board's cache, the confirmation email): here they are read, and
    withdrawn through ``team_withdraw``."""

    list_display = ("name", "organization", "sector", "status", "stage", "slot", "is_outstanding")
    list_filter = ("edition", "status", "stage", "sector", "is_outstanding")
    list_select_related = ("organization", "sector", "stage")
    search_fields = ("name", "organization__name")
    actions = ("withdraw",)

    @admin.action(description=_("Withdraw the selected teams"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        for team in queryset.select_related("stage", "edition__district"):
            try:
                team_withdraw(team=team, actor=signed_in_user(request))
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{team}: {_refusal(exc)}", messages.ERROR)


def _refusal(exc: PermissionDenied | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(_("You may not do this."))


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin[Proposal]):
    list_display = ("team", "public_space", "sector_overridden_by")
    list_select_related = ("team", "public_space", "sector_overridden_by")
    raw_id_fields = ("team", "public_space", "sector_overridden_by")
    search_fields = ("team__name", "public_space__name")


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(ChangesPagesAdmin[WorkshopSession]):
    page_families = (FESTIVAL_PAGES,)
    list_display = ("title", "edition", "starts_at", "place")
    list_filter = ("edition",)


@admin.register(WorkshopAttendance)
class WorkshopAttendanceAdmin(ReadOnlyAdmin[WorkshopAttendance]):
    list_display = ("team", "session", "attendees", "recorded_by", "recorded_at")
    list_filter = ("session",)
    list_select_related = ("team", "session", "recorded_by")
    raw_id_fields = ("team", "recorded_by")


@admin.register(Judge)
class JudgeAdmin(ReadOnlyAdmin[Judge]):
    """Judges are appointed by ``judge_appoint`` (the role, the welcome email, one chair per
    stage): here they are read, and made chair through the same service."""

    list_display = ("user", "edition", "organization", "company", "stage", "is_chair")
    list_filter = ("edition", "stage", "is_chair")
    list_select_related = ("user", "edition", "organization", "stage")
    actions = ("make_chair",)

    @admin.action(description=_("Make the selected judges chairs of their stage"))
    def make_chair(self, request: HttpRequest, queryset: QuerySet[Judge]) -> None:
        for judge in queryset.select_related("user", "edition__district", "stage"):
            try:
                judge_appoint(
                    edition=judge.edition,
                    email=judge.user.email,
                    actor=signed_in_user(request),
                    stage=judge.stage,
                    is_chair=True,
                    organization=judge.organization,
                    company=judge.company,
                )
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{judge}: {_refusal(exc)}", messages.ERROR)


@admin.register(JudgeConflict)
class JudgeConflictAdmin(ReadOnlyAdmin[JudgeConflict]):
    list_display = ("judge", "team", "reason", "declared_at")
    list_select_related = ("judge__user", "team")
    raw_id_fields = ("judge", "team")


@admin.register(Criterion)
class CriterionAdmin(ChangesPagesAdmin[Criterion]):
    page_families = (FESTIVAL_PAGES,)
    list_display = (
        "name",
        "edition",
        "weight",
        "scale_min",
        "scale_max",
        "order",
        "is_organization",
    )
    list_filter = ("edition",)


class ScoreChangeInline(admin.TabularInline[ScoreChange, ScoreSheet]):
    model = ScoreChange
    extra = 0
    can_delete = False
    readonly_fields = (
        "changed_by",
        "changed_at",
        "client_updated_at",
        "old_values",
        "new_values",
        "old_comment",
        "new_comment",
        "submitted",
    )
    exclude = ("idempotency_key",)

    def has_add_permission(self, request: HttpRequest, obj: ScoreSheet | None = None) -> bool:
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyAdmin[ScoreSheet]):
    """Read-only: sheets are written by judges through score_submit only, which keeps the
    audit history; an edit here would bypass the lock and the history."""

    list_display = ("team", "judge", "submitted_at", "client_updated_at", "updated_at")
    list_filter = ("team__stage",)
    list_select_related = ("team", "judge__user")
    readonly_fields = [f.name for f in ScoreSheet._meta.fields]
    inlines = (ScoreChangeInline,)


@admin.register(ScoreChange)
class ScoreChangeAdmin(ReadOnlyAdmin[ScoreChange]):
    list_display = ("sheet", "changed_by", "changed_at", "client_updated_at", "submitted")
    list_select_related = ("sheet__team", "sheet__judge__user", "changed_by")
    readonly_fields = [f.name for f in ScoreChange._meta.fields]


@admin.register(StageReopening)
class StageReopeningAdmin(ReadOnlyAdmin[StageReopening]):
    list_display = ("stage", "reopened_by", "reopened_at", "reason")
    list_select_related = ("stage", "reopened_by")
    readonly_fields = [f.name for f in StageReopening._meta.fields]
