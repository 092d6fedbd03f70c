from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_app.decisions import admin as decisions_admin  # noqa: F401 (votes and polls)
from platform_app.messaging import admin as messaging_admin  # noqa: F401  (registers)
from platform_app.models import (
    Activity,
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Attendance,
    Call,
    Campaign,
    CodeGate,
    CodeRequest,
    Contact,
    DataRequest,
    Delivery,
    District,
    GuideRole,
    Invitation,
    Meeting,
    MeetingFile,
    Member,
    Objective,
    Organization,
    OrganizationEvent,
    OrganizationInvitation,
    PlatformSettings,
    RegistrationCode,
    RegistryImport,
    RoleGuideVersion,
    RoleHolder,
    Sector,
    User,
)
from platform_app.services.meetings import meeting_create, meeting_update
from platform_app.services.places import DISTRICT_PAGES, district_desk_set
from santaanita.admin_base import ChangesPagesAdmin, ReadOnlyAdmin
from santaanita.files import original_name_of
from santaanita.users import signed_in_user


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ("email",)
    list_display = (
        "email",
        "phone",
        "first_name",
        "last_name",
        "district",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_active", "groups", "district")
    search_fields = ("email", "phone", "first_name", "last_name")
    list_select_related = ("district",)
    fieldsets = (
        (None, {"fields": ("email", "phone", "phone_verified", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language", "district")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class SectorInline(admin.TabularInline[Sector, District]):
    model = Sector
    extra = 0
    fields = ("number", "name", "area_m2")
    readonly_fields = ("area_m2",)


@admin.register(District)
class DistrictAdmin(ChangesPagesAdmin[District]):
    page_families = (DISTRICT_PAGES,)
    list_display = ("name", "ubigeo", "slug", "area_m2")
    search_fields = ("name", "ubigeo")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (SectorInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "ubigeo", "centre_lat", "centre_lon", "boundary")}),
        (_("Registration desk"), {"fields": ("desk_address", "desk_hours", "desk_phone")}),
    )

    def save_model(
        self, request: HttpRequest, obj: District, form: forms.ModelForm[District], change: bool
    ) -> None:
        # The desk's contact goes through its service (the phone stored as +51…).
        super().save_model(request, obj, form, change)
        district_desk_set(
            district=obj,
            actor=signed_in_user(request),
            address=form.cleaned_data["desk_address"],
            hours=form.cleaned_data["desk_hours"],
            phone=form.cleaned_data["desk_phone"],
        )


@admin.register(Sector)
class SectorAdmin(ChangesPagesAdmin[Sector]):
    page_families = (DISTRICT_PAGES,)
    list_display = ("name", "number", "district", "area_m2")
    list_filter = ("district",)
    list_select_related = ("district",)
    search_fields = ("name", "district__name")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = (
        "kind",
        "channel",
        "recipient",
        "status",
        "scheduled_for",
        "sent_at",
        "attempts",
    )
    list_filter = ("status", "channel", "kind")
    search_fields = ("recipient", "object_key", "subject")
    date_hierarchy = "scheduled_for"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    # deliveries are written by services only
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# --- Organization registry --------------------------------------------------------------


class ContactInline(admin.TabularInline[Contact, Organization]):
    model = Contact
    extra = 0
    fields = ("name", "phone", "email", "is_primary", "anonymized_at")


class OrganizationEventInline(admin.TabularInline[OrganizationEvent, Organization]):
    model = OrganizationEvent
    extra = 0
    fields = ("created_at", "action", "actor", "from_status", "to_status", "reason", "changes")
    readonly_fields = fields
    can_delete = False

    # history is written by services only
    def has_add_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ("name", "district", "desk_starts", "desk_ends", "online_starts", "online_ends")
    list_filter = ("district",)


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnlyAdmin[RegistryImport]):
    """Imports are written by their service and runner only; the rows waiting in them are
    personal data and stay out of the admin."""

    list_display = ("source", "district", "actor", "dry_run", "status", "done", "total")
    list_filter = ("status", "dry_run")
    exclude = ("rows",)


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin[Contact]):
    """Contacts change with their organization (``organization_update``: history, version)
    and are erased through data-subject requests; the admin only shows them."""

    list_display = ("name", "organization", "phone", "email", "is_primary")
    list_select_related = ("organization",)
    search_fields = ("name", "email", "phone", "organization__name")


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(admin.ModelAdmin[OrganizationEvent]):
    list_display = ("organization", "action", "actor", "created_at")
    list_filter = ("action",)
    list_select_related = ("organization", "actor")
    readonly_fields = [f.name for f in OrganizationEvent._meta.fields]

    # history is written by services only
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: OrganizationEvent | None = None
    ) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin[Organization]):
    """Read-only, superusers included: a change saved here would bypass
    ``organization_update`` (no history line, no row lock, no version bump, no return to
    review) and could overwrite a desk or representative save landing in between; a deletion
    would take the history with it. Staff change records from the desk and the verification
    pages, representatives from their organization's page."""

    list_display = (
        "registration_code",
        "name",
        "typology",
        "sector",
        "status",
        "channel",
        "typed_from_paper",
        "created_at",
    )
    list_filter = (
        "status",
        "typology",
        "channel",
        "typed_from_paper",
        "newly_constituted",
        "district",
        "sector",
    )
    list_select_related = ("sector",)
    search_fields = ("name", "normalized_name", "registration_code")
    readonly_fields = (
        "registration_code",
        "normalized_name",
        "entered_by",
        "version",
        "created_at",
    )
    raw_id_fields = ("merged_into", "representatives")
    inlines = (ContactInline, OrganizationEventInline)


# --- Collaborative platform ------------------------------------------------------------


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin[PlatformSettings]):
    list_display = (
        "district",
        "quorum_percent",
        "quorum_min_sectors",
        "meeting_reminder_hours",
        "convocation_days",
        "agreement_reminder_days",
        "publish_agreements",
    )


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ("user", "district", "sector", "organization", "age_group", "status")
    list_filter = ("status", "sector", "age_group", "district")
    list_select_related = ("user", "district", "organization")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    raw_id_fields = ("user", "organization")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("email", "district", "sector", "created_at", "accepted_at")
    list_filter = ("district", "sector")
    search_fields = ("email",)
    readonly_fields = ("accepted_at", "member", "invited_by")

    # invitations send an email: use the members page
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class AgendaItemInline(admin.StackedInline[AgendaItem, Meeting]):
    model = AgendaItem
    extra = 0
    fields = ("order", "title", "description", "minutes", "carried_agreement")
    raw_id_fields = ("carried_agreement",)


class MeetingFileInline(admin.TabularInline[MeetingFile, Meeting]):
    model = MeetingFile
    extra = 0
    fields = ("title", "file", "size")
    readonly_fields = ("size",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ("title", "district", "kind", "starts_at", "status", "sequence")
    list_filter = ("kind", "status", "district")
    date_hierarchy = "starts_at"
    search_fields = ("title", "place")
    readonly_fields = ("uid", "sequence", "series", "created_by")
    inlines = (AgendaItemInline, MeetingFileInline)

    def save_model(
        self, request: HttpRequest, obj: Meeting, form: forms.ModelForm[Meeting], change: bool
    ) -> None:
        # Through the services, so a new meeting is convened and a moved one re-convened
        # (with its old reminders cancelled) exactly as from the platform pages.
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            obj.refresh_from_db()
            updated = meeting_update(meeting=obj, actor=signed_in_user(request), changes=changes)
            obj.__dict__.update(updated.__dict__)
        else:
            created = meeting_create(
                district=obj.district,
                kind=obj.kind,
                title=obj.title,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                place=obj.place,
                latitude=obj.latitude,
                longitude=obj.longitude,
                video_url=obj.video_url,
                created_by=signed_in_user(request),
            )
            obj.pk = created.pk
            obj.__dict__.update(created.__dict__)


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin[AgendaItem]):
    list_display = ("title", "meeting", "order")
    list_select_related = ("meeting",)
    search_fields = ("title", "minutes")
    raw_id_fields = ("meeting", "carried_agreement")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin[Attendance]):
    list_display = ("meeting", "member", "present")
    list_filter = ("present",)
    list_select_related = ("meeting", "member__user")
    raw_id_fields = ("meeting", "member")


@admin.register(MeetingFile)
class MeetingFileAdmin(admin.ModelAdmin[MeetingFile]):
    list_display = ("title", "meeting", "size", "created_at")
    list_select_related = ("meeting",)
    readonly_fields = ("size", "original_name", "uploaded_by")
    raw_id_fields = ("meeting",)

    def save_model(
        self,
        request: HttpRequest,
        obj: MeetingFile,
        form: forms.ModelForm[MeetingFile],
        change: bool,
    ) -> None:
        obj.size = obj.file.size
        if "file" in form.changed_data:
            obj.original_name = original_name_of(form.cleaned_data["file"])
        obj.uploaded_by = obj.uploaded_by or signed_in_user(request)
        super().save_model(request, obj, form, change)


class FollowUpInline(admin.TabularInline[AgreementFollowUp, Agreement]):
    model = AgreementFollowUp
    extra = 0
    fields = ("created_at", "author", "old_status", "new_status", "progress", "comment")
    readonly_fields = fields
    can_delete = False

    # history is written by follow-ups
    def has_add_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin[Agreement]):
    list_display = ("__str__", "district", "due_date", "status", "progress", "axis")
    list_filter = ("status", "axis", "district")
    search_fields = ("description",)
    date_hierarchy = "due_date"
    raw_id_fields = ("agenda_item",)
    filter_horizontal = ("responsible", "responsible_organizations")
    # Status and progress change through follow-ups, which keep the history.
    readonly_fields = ("status", "progress", "closed_at")
    inlines = (FollowUpInline,)


@admin.register(AgreementFollowUp)
class AgreementFollowUpAdmin(admin.ModelAdmin[AgreementFollowUp]):
    list_display = ("agreement", "author", "new_status", "progress", "created_at")
    list_filter = ("new_status",)
    readonly_fields = ("agreement", "author", "old_status", "created_at")

    # a follow-up updates its agreement: use the page
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class GuideRoleInline(admin.StackedInline[GuideRole, RoleGuideVersion]):
    model = GuideRole
    extra = 0


@admin.register(RoleGuideVersion)
class RoleGuideVersionAdmin(admin.ModelAdmin[RoleGuideVersion]):
    list_display = ("__str__", "district", "status", "approved_in", "created_at")
    list_filter = ("status", "district")
    raw_id_fields = ("approved_in",)
    inlines = (GuideRoleInline,)


class RoleHolderInline(admin.TabularInline[RoleHolder, GuideRole]):
    model = RoleHolder
    extra = 0
    raw_id_fields = ("member",)


@admin.register(GuideRole)
class GuideRoleAdmin(admin.ModelAdmin[GuideRole]):
    list_display = ("name", "guide", "order")
    list_select_related = ("guide",)
    inlines = (RoleHolderInline,)


@admin.register(RoleHolder)
class RoleHolderAdmin(admin.ModelAdmin[RoleHolder]):
    list_display = ("member", "role", "since")
    raw_id_fields = ("member", "role")


class ActivityInline(admin.StackedInline[Activity, Objective]):
    model = Activity
    extra = 0
    filter_horizontal = ("responsible",)


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdmin[Objective]):
    """Read-only, superusers included, with its activities (Django shows the inlines of a
    record that cannot be changed read-only too): a save here would bypass
    ``objective_update``/``activity_update`` (row lock, version) and could overwrite a
    change made meanwhile from the work-plan pages, where coordinators edit the plan."""

    list_display = ("title", "district", "axis", "order")
    list_filter = ("axis", "district")
    inlines = (ActivityInline,)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin[Activity]):
    """Read-only, superusers included: a save here would bypass ``activity_update`` and
    ``activity_report`` (row lock, version, who reported) and could overwrite a report or a
    change of plan landing in between. Use the work-plan pages."""

    list_display = ("title", "objective", "status", "progress", "weight", "due_on")
    list_filter = ("status",)
    list_select_related = ("objective",)
    filter_horizontal = ("responsible",)


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin[DataRequest]):
    list_display = ("kind", "email", "status", "due_on", "answered_at")
    list_filter = ("kind", "status", "district")
    search_fields = ("email", "name")
    readonly_fields = ("confirmed_at", "answered_by", "answered_at", "created_at")


@admin.register(OrganizationInvitation)
class OrganizationInvitationAdmin(admin.ModelAdmin[OrganizationInvitation]):
    list_display = ("organization", "meeting", "present", "invited_at")
    list_filter = ("present", "organization__typology")
    list_select_related = ("organization", "meeting")
    search_fields = ("organization__name", "meeting__title")
    raw_id_fields = ("meeting", "organization")
    readonly_fields = ("invited_by",)

    # invitations send emails: use the meeting's page
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin[Call]):
    """Calls are kept as the desk made them (``call_record``): the latest is the answer."""

    list_display = ("invitation", "outcome", "called_by", "called_at")
    list_filter = ("outcome",)


@admin.register(CodeRequest)
class CodeRequestAdmin(ReadOnlyAdmin[CodeRequest]):
    """The codes sent by SMS, counted against the limits: written only when one is sent."""

    list_display = ("phone", "purpose", "ip", "created_at")
    list_filter = ("purpose",)


@admin.register(CodeGate)
class CodeGateAdmin(ReadOnlyAdmin[CodeGate]):
    """The rows locked while code requests are counted; nothing to edit."""

    list_display = ("key",)


@admin.register(RegistrationCode)
class RegistrationCodeAdmin(ReadOnlyAdmin[RegistrationCode]):
    """A registration's code sent to its mobile; the code itself is stored only hashed and
    stays out of the admin."""

    list_display = ("organization", "phone", "expires_at", "attempts", "confirmed_at")
    exclude = ("code_hash",)


# News (platform_app/outreach): registered here so the admin autodiscovery finds it.
from platform_app.outreach import admin as outreach_admin  # noqa: E402, F401
