"""REST API of platform_app: districts and sectors (public, read-only), the registry, and
the collaborative platform (members, meetings, agreements, the work plan)."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.status import HTTP_409_CONFLICT

from platform_app.models import (
    Activity,
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Contact,
    District,
    Meeting,
    Member,
    Objective,
    Organization,
    OrganizationInvitation,
    Sector,
    User,
)
from platform_app.permissions import (
    MemberPermission,
    WorkAction,
    WorkWritePermission,
    may_change_activity,
    may_follow_up_agreement,
    may_report_activity,
    may_see_contact_data,
    require_work,
)
from platform_app.services.agreements import agreement_follow_up, agreement_record
from platform_app.services.meetings import (
    meeting_create,
    meeting_update,
    organization_attendance_set,
)
from platform_app.services.members import member_update
from platform_app.services.workplan import activity_report, activity_update
from santaanita.api_contract import CalendarDateField, CalendarDateTimeField
from santaanita.files import DOCUMENTS, UploadSerializerField
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

_M = TypeVar("_M", bound=models.Model)


def _patched(serializer: serializers.BaseSerializer[_M]) -> _M:
    """The row a PATCH changes. UpdateModelMixin.update builds the serializer on
    get_object(), so ``instance`` is always set; the stubs cannot know and type it optional."""
    return cast(_M, serializer.instance)


class SectorSerializer(serializers.ModelSerializer[Sector]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )

    class Meta:
        model = Sector
        fields = ("id", "district", "number", "name", "area_m2", "boundary")


class SectorSummarySerializer(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ("number", "name")


class DistrictSerializer(serializers.ModelSerializer[District]):
    sectors = SectorSummarySerializer(many=True, read_only=True)

    class Meta:
        model = District
        fields: tuple[str, ...] = (
            "ubigeo",
            "name",
            "slug",
            "centre_lat",
            "centre_lon",
            "area_m2",
            "sectors",
        )


class DistrictDetailSerializer(DistrictSerializer):
    class Meta(DistrictSerializer.Meta):
        fields = (*DistrictSerializer.Meta.fields, "boundary")


class DistrictViewSet(viewsets.ReadOnlyModelViewSet[District]):
    """The 43 districts of Lima; the detail carries the boundary as GeoJSON."""

    lookup_field = "ubigeo"
    filterset_fields = ("ubigeo", "slug")
    search_fields = ("name",)
    ordering_fields = ("name", "ubigeo")

    def get_queryset(self) -> QuerySet[District]:
        districts = District.objects.order_by("ubigeo")
        if self.action == "retrieve":
            return districts.prefetch_related("sectors")
        # The list shows no boundary: the districts' and sectors' polygons are not read.
        return districts.defer("boundary").prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.defer("boundary"))
        )

    def get_serializer_class(self) -> type[DistrictSerializer]:
        return DistrictDetailSerializer if self.action == "retrieve" else DistrictSerializer


class SectorViewSet(viewsets.ReadOnlyModelViewSet[Sector]):
    serializer_class = SectorSerializer
    filterset_fields = ("district__ubigeo", "number")
    ordering_fields = ("number",)

    def get_queryset(self) -> QuerySet[Sector]:
        return Sector.objects.select_related("district").order_by("district__ubigeo", "number")


# --- Organization registry --------------------------------------------------------------


class OrganizationPublicSerializer(serializers.ModelSerializer[Organization]):
    """What anyone may read: no contacts, no consents, no internal fields."""

    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )

    class Meta:
        model = Organization
        fields: tuple[str, ...] = (
            "registration_code",
            "name",
            "typology",
            "district",
            "sector",
            "year_founded",
            "members_count",
            "age_groups",
            "activities",
            "social_links",
            "latitude",
            "longitude",
        )


class ContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ("name", "phone", "email", "is_primary")


class OrganizationStaffSerializer(OrganizationPublicSerializer):
    """The full record, contacts included, for the district's registry staff."""

    contacts = ContactSerializer(many=True, read_only=True)
    # None for a record that came through the public form or an import.
    entered_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True
    )

    class Meta(OrganizationPublicSerializer.Meta):
        fields = (
            *OrganizationPublicSerializer.Meta.fields,
            "status",
            "channel",
            "address",
            "newly_constituted",
            "legal_status",
            "ruc",
            "directory_consent",
            "messages_consent",
            "entered_by",
            "email_confirmed_at",
            "version",
            "created_at",
            "updated_at",
            "contacts",
        )


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """Organizations of the registry. Anonymous users and residents read verified records
    that agreed to the directory, with public fields only; coordinators and desk staff read
    their district's full records, contacts included. Writes go through the forms."""

    lookup_field = "registration_code"
    filterset_fields = ("typology", "status", "channel", "district__ubigeo", "sector__number")
    search_fields = ("name", "normalized_name")
    ordering_fields = ("name", "created_at")

    def _is_staff(self) -> bool:
        return may_see_contact_data(self.request.user)

    def get_queryset(self) -> QuerySet[Organization]:
        queryset = Organization.objects.select_related("district", "sector", "entered_by")
        if self._is_staff():
            user = signed_in_user(self.request)  # can() holds only for a signed-in user
            # Staff see full records of their own district only (superusers: all).
            if not user.is_superuser:
                queryset = queryset.filter(district=user.district_id)
            queryset = queryset.prefetch_related("contacts")
        else:
            queryset = queryset.public()
        return queryset.order_by("name", "pk")

    def get_serializer_class(self) -> type[OrganizationPublicSerializer]:
        return OrganizationStaffSerializer if self._is_staff() else OrganizationPublicSerializer


# --- Collaborative platform -------------------------------------------------------------
# Members of the district's platform read; coordinators write; a follow-up may be posted by
# the agreement's responsible members (checked per object) or a coordinator. Rows come from
# visible_to(user), so another district's records answer 404.


class MemberSerializer(serializers.ModelSerializer[Member]):
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Member
        fields = ("id", "name", "sector", "organization", "age_group", "status", "joined_on")
        read_only_fields = ("id", "name", "joined_on")


class MemberViewSet(viewsets.ModelViewSet[Member]):
    """Members of the platform. Coordinators change a member's sector, group or status."""

    serializer_class = MemberSerializer
    permission_classes = (MemberPermission,)
    http_method_names = ("get", "patch", "head", "options")
    filterset_fields = ("sector", "status", "age_group")

    def get_queryset(self) -> QuerySet[Member]:
        return Member.objects.visible_to(self.request.user).select_related("user").order_by("pk")

    def perform_update(self, serializer: serializers.BaseSerializer[Member]) -> None:
        # The service writes; the serializer only validated (and answers with the result).
        fields = dict(serializer.validated_data)
        status = fields.pop("status", None)
        serializer.instance = member_update(
            member=self.get_object(),
            fields=fields,
            status=status,
            actor=signed_in_user(self.request),  # MemberPermission: signed in
        )


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    class Meta:
        model = AgendaItem
        fields = ("id", "order", "title", "description", "minutes", "carried_agreement")


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    agenda = serializers.ListField(
        child=serializers.CharField(max_length=255), write_only=True, required=False
    )
    starts_at = CalendarDateTimeField()
    ends_at = CalendarDateTimeField()

    class Meta:
        model = Meeting
        fields = (
            "id",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "latitude",
            "longitude",
            "place_url",
            "video_url",
            "status",
            "sequence",
            "agenda_items",
            "agenda",
        )
        # The page of a public space is set by choosing the space on the meeting form.
        read_only_fields = ("id", "place_url", "status", "sequence")
        # An ordinary meeting carries open agreements over and needs a place; an
        # extraordinary one does neither: the client says which it means.
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"kind": {"required": True}}


class MeetingListSerializer(MeetingSerializer):
    """A meeting in a list, without its agenda: open agreements are carried onto the next
    ordinary meeting's agenda, so one agenda can hold hundreds of items, and a page of
    meetings with theirs grows with every agreement nobody closes. The detail has it."""

    agenda_items = None  # type: ignore[assignment]  # DRF's way to drop a declared field

    class Meta(MeetingSerializer.Meta):
        fields = tuple(f for f in MeetingSerializer.Meta.fields if f != "agenda_items")  # type: ignore[assignment]


class MeetingViewSet(viewsets.ModelViewSet[Meeting]):
    """Meetings: coordinators schedule (the convocation goes out) and move them."""

    serializer_class = MeetingSerializer
    permission_classes = (WorkWritePermission,)
    write_actions: ClassVar[dict[str, WorkAction]] = {
        "POST": "plan_meetings",
        "PATCH": "change_meetings",
    }
    http_method_names = ("get", "post", "patch", "head", "options")
    filterset_fields = ("kind", "status")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Meeting]]:
        return MeetingListSerializer if self.action == "list" else MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        meetings = Meeting.objects.visible_to(self.request.user)
        if self.action == "list":  # the list's rows carry no agenda
            return meetings
        return meetings.prefetch_related("agenda_items")

    def perform_create(self, serializer: serializers.BaseSerializer[Meeting]) -> None:
        data = dict(serializer.validated_data)
        # WorkWritePermission asked the same; this also hands over the district.
        district = require_work(self.request.user, "plan_meetings")
        try:
            serializer.instance = meeting_create(
                district=district,
                created_by=signed_in_user(self.request),
                **data,
            )
        except DjangoValidationError as exc:
            raise DRFValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc

    def perform_update(self, serializer: serializers.BaseSerializer[Meeting]) -> None:
        changes = {k: v for k, v in serializer.validated_data.items() if k != "agenda"}
        try:
            serializer.instance = meeting_update(
                meeting=_patched(serializer), actor=signed_in_user(self.request), changes=changes
            )
        except DjangoValidationError as exc:
            raise DRFValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc


class AgreementSerializer(serializers.ModelSerializer[Agreement]):
    meeting = serializers.IntegerField(source="agenda_item.meeting_id", read_only=True)
    due_date = CalendarDateField()

    class Meta:
        model = Agreement
        fields = (
            "id",
            "agenda_item",
            "meeting",
            "description",
            "responsible",
            "responsible_organizations",
            "axis",
            "due_date",
            "status",
            "progress",
            "created_at",
            "closed_at",
        )
        read_only_fields = ("id", "status", "progress", "created_at", "closed_at")

    def validate_agenda_item(self, item: AgendaItem) -> AgendaItem:
        user = self.context["request"].user
        if not Meeting.objects.visible_to(user).filter(pk=item.meeting_id).exists():
            raise serializers.ValidationError("Unknown agenda item.")
        return item


class AgreementViewSet(viewsets.ModelViewSet[Agreement]):
    """Agreements: coordinators record them on an agenda item; status changes by follow-ups."""

    serializer_class = AgreementSerializer
    permission_classes = (WorkWritePermission,)
    write_actions: ClassVar[dict[str, WorkAction]] = {"POST": "record_agreements"}
    http_method_names = ("get", "post", "head", "options")
    filterset_fields = ("status", "axis", "agenda_item__meeting", "responsible")

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.visible_to(self.request.user).for_list().order_by("due_date", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer[Agreement]) -> None:
        data = serializer.validated_data
        district = data["agenda_item"].meeting.district
        members = [m for m in data.get("responsible", []) if m.district_id == district.pk]
        serializer.instance = agreement_record(
            agenda_item=data["agenda_item"],
            description=data["description"],
            responsible=members,
            organizations=list(data.get("responsible_organizations", [])),
            due_date=data["due_date"],
            axis=data.get("axis", "platform"),
            user=signed_in_user(self.request),
        )


class FollowUpSerializer(serializers.ModelSerializer[AgreementFollowUp]):
    evidence_file = UploadSerializerField(
        accept=DOCUMENTS,
        required=False,
        download_url=lambda followup: reverse(
            "platform_app:followup-evidence", args=(followup.agreement_id, followup.pk)
        ),
    )
    # Blank on the entry that recorded the agreement: there was no status before it.
    old_status = serializers.ChoiceField(
        choices=Agreement.Status.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = AgreementFollowUp
        fields = (
            "id",
            "agreement",
            "comment",
            "evidence_url",
            "evidence_file",
            "old_status",
            "new_status",
            "progress",
            "created_at",
        )
        read_only_fields = ("id", "old_status", "created_at")


class FollowUpViewSet(viewsets.ModelViewSet[AgreementFollowUp]):
    """The history of agreements; responsible members (and coordinators) post new entries."""

    serializer_class = FollowUpSerializer
    # Whether the user is responsible for the agreement is asked per agreement on create.
    permission_classes = (WorkWritePermission,)
    write_actions: ClassVar[dict[str, WorkAction]] = {"POST": "follow_up_agreements"}
    http_method_names = ("get", "post", "head", "options")
    filterset_fields = ("agreement",)

    def get_queryset(self) -> QuerySet[AgreementFollowUp]:
        visible = Agreement.objects.visible_to(self.request.user)
        return AgreementFollowUp.objects.filter(agreement__in=visible).order_by("pk")

    def perform_create(self, serializer: serializers.BaseSerializer[AgreementFollowUp]) -> None:
        data = serializer.validated_data
        agreement = data["agreement"]
        user = signed_in_user(self.request)
        if not Agreement.objects.visible_to(user).filter(pk=agreement.pk).exists():
            raise DRFValidationError({"agreement": "Unknown agreement."})
        if not may_follow_up_agreement(user, agreement):
            raise PermissionDenied("Only the agreement's responsible members post follow-ups.")
        try:
            serializer.instance = agreement_follow_up(
                agreement=agreement,
                user=user,
                new_status=data["new_status"],
                progress=data.get("progress"),
                comment=data.get("comment", ""),
                evidence_url=data.get("evidence_url", ""),
                evidence_file=data.get("evidence_file"),
            )
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.messages) from exc


class OrganizationInvitationSerializer(serializers.ModelSerializer[OrganizationInvitation]):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    typology = serializers.CharField(source="organization.typology", read_only=True)

    class Meta:
        model = OrganizationInvitation
        fields = ("id", "meeting", "organization", "organization_name", "typology", "present")
        read_only_fields = ("id", "meeting", "organization", "organization_name", "typology")


class OrganizationInvitationViewSet(viewsets.ModelViewSet[OrganizationInvitation]):
    """Organizations invited to meetings (coordinators): list, and tick attendance with PATCH.

    Invitations themselves are sent from the meeting's page (they email the organizations);
    the API records who came.
    """

    serializer_class = OrganizationInvitationSerializer
    permission_classes = (WorkWritePermission,)
    write_actions: ClassVar[dict[str, WorkAction]] = {"PATCH": "take_organization_attendance"}
    http_method_names = ("get", "patch", "head", "options")
    filterset_fields = ("meeting", "present", "organization__typology")

    def get_queryset(self) -> QuerySet[OrganizationInvitation]:
        return (
            OrganizationInvitation.objects.visible_to(self.request.user)
            .select_related("organization")
            .order_by("meeting_id", "organization__name")
        )

    def perform_update(
        self, serializer: serializers.BaseSerializer[OrganizationInvitation]
    ) -> None:
        invitation = _patched(serializer)
        serializer.instance = organization_attendance_set(
            meeting=invitation.meeting,
            organization=invitation.organization,
            present=serializer.validated_data.get("present", invitation.present),
            actor=signed_in_user(self.request),
        )


ACTIVITY_FIELDS = (
    "id", "objective", "title", "responsible", "starts_on", "due_on", "status", "progress",
    "weight", "version", "updated_at",
)  # fmt: skip
ACTIVITY_REPORTED = ("status", "progress")
ACTIVITY_PLANNED = ("title", "responsible", "starts_on", "due_on", "weight")


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    # The version the report or the change was made from: a stale one is refused with 409.
    version = serializers.IntegerField(min_value=0)
    # The same bounds as the work-plan forms.
    weight = serializers.IntegerField(min_value=1, max_value=100, required=False)
    starts_on = CalendarDateField()
    due_on = CalendarDateField()

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        read_only_fields = tuple(
            f
            for f in ACTIVITY_FIELDS
            if f not in (*ACTIVITY_REPORTED, *ACTIVITY_PLANNED, "version")
        )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "responsible" in fields:
            # Only members the caller may see can be named: no probing other districts' ids.
            # A many-to-many model field: ModelSerializer builds it as a ManyRelatedField.
            responsible = cast(serializers.ManyRelatedField, fields["responsible"])
            # Stub gap: RelatedField.queryset is declared as QuerySet | Manager, and mypy
            # applies Manager.__get__ (a descriptor) to this plain instance assignment.
            responsible.child_relation.queryset = Member.objects.visible_to(  # type: ignore[arg-type]
                request.user
            )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:  # a PATCH is partial, but a write needs its version
            raise serializers.ValidationError({"version": "Send the version you read."})
        if set(attrs) & set(ACTIVITY_REPORTED) and set(attrs) & set(ACTIVITY_PLANNED):
            # A report and a change of plan are two writes by possibly different people,
            # each bumping the version: one request does one of them.
            raise serializers.ValidationError(
                "Report status and progress, or change the plan, in separate requests."
            )
        return attrs


class ObjectiveSerializer(serializers.ModelSerializer[Objective]):
    progress = serializers.IntegerField(source="rolled_up_progress", read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = ("id", "axis", "order", "title", "description", "progress", "activities")


class ObjectiveViewSet(viewsets.ReadOnlyModelViewSet[Objective]):
    """The work plan: objectives with their activities and weighted progress."""

    serializer_class = ObjectiveSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_fields = ("axis",)

    def get_queryset(self) -> QuerySet[Objective]:
        activities = Activity.objects.prefetch_related("responsible")
        return Objective.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("activities", queryset=activities)
        )


@extend_schema_view(
    partial_update=extend_schema(
        responses={
            200: ActivitySerializer,
            409: OpenApiResponse(
                description="The activity changed since the version sent; "
                "the body carries the current values under 'current'."
            ),
        }
    )
)
class ActivityViewSet(viewsets.ModelViewSet[Activity]):
    """Work-plan activities. Responsible members (and coordinators) report status and
    progress with PATCH, sending the ``version`` they read; coordinators change the plan
    (title, responsible members, dates, weight) the same way, in a separate PATCH."""

    serializer_class = ActivitySerializer
    permission_classes = (permissions.IsAuthenticated,)
    http_method_names = ("get", "patch", "head", "options")
    filterset_fields = ("objective", "status")

    def get_queryset(self) -> QuerySet[Activity]:
        return (
            Activity.objects.visible_to(self.request.user)
            .prefetch_related("responsible")
            .order_by("objective", "starts_on", "pk")
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().update(request, *args, **kwargs)
        except StaleEdit as exc:
            return Response(
                {
                    "detail": "Someone reported on or changed this activity meanwhile.",
                    "current": ActivitySerializer(exc.current).data,
                },
                status=HTTP_409_CONFLICT,
            )

    def perform_update(self, serializer: serializers.BaseSerializer[Activity]) -> None:
        data = serializer.validated_data
        try:
            if set(data) & set(ACTIVITY_PLANNED):
                serializer.instance = self._plan(_patched(serializer), data)
            else:
                serializer.instance = self._report(_patched(serializer), data)
        except DjangoValidationError as exc:
            raise DRFValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc

    def _report(self, activity: Activity, data: dict[str, Any]) -> Activity:
        user = signed_in_user(self.request)  # permission_classes: IsAuthenticated
        if not may_report_activity(user, activity):
            raise PermissionDenied("Only the activity's responsible members report on it.")
        return activity_report(
            activity=activity,
            user=user,
            status=data.get("status", activity.status),
            progress=data.get("progress", activity.progress),
            version=data["version"],
        )

    def _plan(self, activity: Activity, data: dict[str, Any]) -> Activity:
        if not may_change_activity(self.request.user, activity):
            raise PermissionDenied("Only coordinators change the work plan.")
        return activity_update(
            activity=activity,
            actor=signed_in_user(self.request),
            version=data["version"],
            title=data.get("title", activity.title),
            starts_on=data.get("starts_on", activity.starts_on),
            due_on=data.get("due_on", activity.due_on),
            weight=data.get("weight", activity.weight),
            responsible=list(data.get("responsible", activity.responsible.all())),
        )
