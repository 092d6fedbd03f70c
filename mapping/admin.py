"""Administration of the mapping app. Reviews go through the service (admin action)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mapping.models import (
    Assignment,
    EquipmentItem,
    MunicipalArea,
    NeedItem,
    Observation,
    PublicSpace,
    QualityItem,
    Report,
    ReportPhoto,
    ReportSupporter,
    ReportUpdate,
    Survey,
    SurveyPhoto,
    SurveyReview,
)
from mapping.reports_services import report_acknowledge
from mapping.services import space_save, survey_review
from santaanita.admin_base import InlineFormSets, ReadOnlyAdmin
from santaanita.users import signed_in_user


@admin.register(PublicSpace)
class PublicSpaceAdmin(admin.ModelAdmin[PublicSpace]):
    list_display = ("name", "category", "district", "sector", "condition_score", "area_m2")
    list_filter = ("district", "category", "sector")
    search_fields = ("name", "address")
    autocomplete_fields = ("organizations",)
    readonly_fields = (
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "centroid_lon",
        "centroid_lat",
        "area_m2",
        "condition_score",
        "condition_updated_at",
        "latest_verified_survey",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublicSpace]:
        return super().get_queryset(request).select_related("district", "sector")

    def save_model(
        self,
        request: HttpRequest,
        obj: PublicSpace,
        form: forms.ModelForm[PublicSpace],
        change: bool,
    ) -> None:
        # The same service as the space's form: its permission, a unique slug, and the
        # caring organizations in the same transaction.
        space_save(
            space=obj,
            user=signed_in_user(request),
            organizations=form.cleaned_data.get("organizations"),
        )

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[PublicSpace],
        formsets: InlineFormSets,
        change: bool,
    ) -> None:
        # space_save has set the caring organizations: the form's own m2m save would only
        # write them a second time, outside the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class EquipmentInline(admin.TabularInline[EquipmentItem, Survey]):
    model = EquipmentItem
    extra = 0


class QualityInline(admin.TabularInline[QualityItem, Survey]):
    model = QualityItem
    extra = 0


class ObservationInline(admin.TabularInline[Observation, Survey]):
    model = Observation
    extra = 0


class NeedInline(admin.TabularInline[NeedItem, Survey]):
    model = NeedItem
    extra = 0


class PhotoInline(admin.TabularInline[SurveyPhoto, Survey]):
    model = SurveyPhoto
    extra = 0
    readonly_fields = ("image", "caption")

    def has_add_permission(self, request: HttpRequest, obj: Survey | None = None) -> bool:
        return False  # photos only arrive checked (survey page or API)


@admin.action(description=_("Approve the selected submitted surveys"))
def approve_surveys(
    modeladmin: admin.ModelAdmin[Survey], request: HttpRequest, queryset: QuerySet[Survey]
) -> None:
    for survey in queryset.select_related("space__district"):
        try:
            survey_review(survey=survey, reviewer=signed_in_user(request), approve=True)
        except (PermissionDenied, ValidationError) as exc:
            modeladmin.message_user(request, f"{survey}: {exc}", messages.WARNING)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = (
        "space",
        "surveyor",
        "status",
        "observed_at",
        "condition_score",
        "typed_from_paper",
    )
    list_filter = ("status", "typed_from_paper", "space__district")
    search_fields = ("space__name", "surveyor__email")
    # Status, score and review change only through survey_submit / survey_review.
    readonly_fields = (
        "status",
        "client_uuid",
        "typed_from_paper",
        "condition_score",
        "submitted_at",
        "reviewer",
        "reviewed_at",
        "review_comment",
    )
    raw_id_fields = ("space", "surveyor")
    inlines = (EquipmentInline, QualityInline, ObservationInline, NeedInline, PhotoInline)
    actions = (approve_surveys,)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin[Assignment]):
    list_display = ("space", "surveyor", "active", "due_date", "created_at")
    list_filter = ("active", "space__district")
    raw_id_fields = ("space", "surveyor", "assigned_by")


@admin.register(SurveyReview)
class SurveyReviewAdmin(ReadOnlyAdmin[SurveyReview]):
    """Each review decision is history: written only by ``survey_review``."""

    list_display = ("survey", "decision", "reviewer", "decided_at")
    list_filter = ("decision",)
    list_select_related = ("survey__space", "reviewer")


@admin.register(SurveyPhoto)
class SurveyPhotoAdmin(admin.ModelAdmin[SurveyPhoto]):
    list_display = ("survey", "caption", "created_at")
    readonly_fields = ("image",)
    raw_id_fields = ("survey",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


for model in (EquipmentItem, QualityItem, Observation, NeedItem):
    admin.site.register(model, admin.ModelAdmin)


# --- Problem reports: written only by mapping.reports_services; the admin reads, and its
# one action goes through the service. ------------------------------------------------------


@admin.action(description=_("Acknowledge the selected received reports"))
def acknowledge_reports(
    modeladmin: admin.ModelAdmin[Report], request: HttpRequest, queryset: QuerySet[Report]
) -> None:
    for report in queryset.select_related("district"):
        try:
            report_acknowledge(report=report, user=signed_in_user(request))
        except (PermissionDenied, ValidationError) as exc:
            modeladmin.message_user(request, f"{report}: {exc}", messages.WARNING)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin[Report]):
    list_display = ("pk", "category", "status", "space", "district", "hidden", "created_at")
    list_filter = ("status", "category", "hidden", "district")
    search_fields = ("description", "space__name")
    list_select_related = ("space", "district")
    actions = (acknowledge_reports,)


@admin.register(ReportSupporter)
class ReportSupporterAdmin(ReadOnlyAdmin[ReportSupporter]):
    list_display = ("report", "is_reporter", "email", "phone", "confirmed_fixed", "created_at")
    list_filter = ("is_reporter", "confirmed_fixed")
    search_fields = ("email", "phone")


@admin.register(ReportPhoto)
class ReportPhotoAdmin(ReadOnlyAdmin[ReportPhoto]):
    list_display = ("report", "hidden", "created_at")


@admin.register(ReportUpdate)
class ReportUpdateAdmin(ReadOnlyAdmin[ReportUpdate]):
    list_display = ("report", "status", "author", "hidden", "created_at")
    list_filter = ("status", "hidden")


@admin.register(MunicipalArea)
class MunicipalAreaAdmin(ReadOnlyAdmin[MunicipalArea]):
    list_display = ("district", "category", "name", "email")
    list_filter = ("district", "category")
