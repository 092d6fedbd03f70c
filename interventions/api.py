"""REST API of interventions.

Public: companies (no contact person), interventions, kits with their funding, guides
(without the reminder email) and the results. Coordinators of the district: pledges,
fundraising events with their invitations, and deliveries (deliveries name the person who
received).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from interventions import dashboard
from interventions.models import (
    Allocation,
    Company,
    FundraisingEvent,
    Intervention,
    Invitation,
    Kit,
    KitDelivery,
    KitItem,
    MaintenanceGuide,
    MaintenanceTask,
    Pledge,
)
from platform_app.models import District
from santaanita.files import IMAGES, UploadSerializerField
from santaanita.pagination import ContractPagination

if TYPE_CHECKING:
    from festival.models import Team
    from platform_app.models import Organization


class CompanySerializer(serializers.ModelSerializer[Company]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )
    pledged_pen = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    pledged_usd = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Company
        # Public fields only: the contact person's name, email and phone never leave here.
        fields = (
            "id",
            "district",
            "name",
            "ruc",
            "activity",
            "website",
            "logo",
            "pledged_pen",
            "pledged_usd",
        )


class CompanyViewSet(viewsets.ReadOnlyModelViewSet[Company]):
    serializer_class = CompanySerializer
    filterset_fields = ("district__ubigeo", "activity")
    search_fields = ("name",)

    def get_queryset(self) -> QuerySet[Company]:
        return Company.objects.select_related("district").with_totals().order_by("name")


class PledgeSerializer(serializers.ModelSerializer[Pledge]):
    company: serializers.StringRelatedField[Company] = serializers.StringRelatedField()
    allocated_pen = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Pledge
        fields = (
            "id",
            "company",
            "event",
            "kind",
            "currency",
            "amount",
            "exchange_rate",
            "rate_date",
            "description",
            "quantity",
            "unit",
            "estimated_value_pen",
            "value_pen",
            "value_usd",
            "allocated_pen",
            "state",
            "created_at",
        )


class PledgeViewSet(viewsets.ReadOnlyModelViewSet[Pledge]):
    """Pledges of the coordinator's district (an empty list for everyone else)."""

    serializer_class = PledgeSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_fields = ("state", "kind", "company")

    def get_queryset(self) -> QuerySet[Pledge]:
        return (
            Pledge.objects.visible_to(self.request.user)
            .with_allocated()
            .select_related("company")
            .order_by("-created_at")
        )


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    company = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = Invitation
        fields = ("company_id", "company", "status", "attended")


class FundraisingEventSerializer(serializers.ModelSerializer[FundraisingEvent]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )
    invitations = InvitationSerializer(many=True, read_only=True)

    class Meta:
        model = FundraisingEvent
        fields = ("id", "district", "name", "date", "place", "description", "invitations")


class FundraisingEventViewSet(viewsets.ReadOnlyModelViewSet[FundraisingEvent]):
    """Fundraising events of the coordinator's district, with who was invited and who came
    (an empty list for everyone else, like pledges)."""

    serializer_class = FundraisingEventSerializer
    permission_classes = (permissions.IsAuthenticated,)

    def get_queryset(self) -> QuerySet[FundraisingEvent]:
        return (
            FundraisingEvent.objects.visible_to(self.request.user)
            .select_related("district")
            .prefetch_related(
                Prefetch(
                    "invitations",
                    queryset=Invitation.objects.select_related("company").order_by("company__name"),
                )
            )
            .order_by("-date", "pk")
        )


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    company = serializers.CharField(source="pledge.company.name", read_only=True)
    company_id = serializers.IntegerField(source="pledge.company_id", read_only=True)
    kind = serializers.CharField(source="pledge.kind", read_only=True)

    class Meta:
        model = Allocation
        fields = ("company_id", "company", "kind", "amount_pen")


class KitItemSerializer(serializers.ModelSerializer[KitItem]):
    funded_pen = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    missing_pen = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = KitItem
        fields = (
            "id",
            "name",
            "category",
            "unit",
            "quantity",
            "unit_cost_pen",
            "delivered",
            "funded_pen",
            "missing_pen",
            "allocations",
        )


class KitSerializer(serializers.ModelSerializer[Kit]):
    items = serializers.SerializerMethodField()

    class Meta:
        model = Kit
        fields = ("id", "intervention", "template", "items")

    def get_items(self, kit: Kit) -> Any:
        return KitItemSerializer(kit.prefetched_items, many=True).data  # type: ignore[attr-defined]


class KitViewSet(viewsets.ReadOnlyModelViewSet[Kit]):
    serializer_class = KitSerializer
    filterset_fields = ("intervention",)

    def get_queryset(self) -> QuerySet[Kit]:
        items = KitItem.objects.with_funding().prefetch_related(
            Prefetch("allocations", queryset=Allocation.objects.select_related("pledge__company"))
        )
        return (
            Kit.objects.exclude(intervention__status=Intervention.Status.CANCELLED)
            .prefetch_related(Prefetch("items", queryset=items, to_attr="prefetched_items"))
            .order_by("pk")
        )


class InterventionSerializer(serializers.ModelSerializer[Intervention]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )
    public_space_name = serializers.CharField(source="public_space.name", read_only=True)
    # An intervention is led by a festival team or by an organization, or by neither yet.
    lead_team: serializers.StringRelatedField[Team] = serializers.StringRelatedField(
        allow_null=True
    )
    lead_organization: serializers.StringRelatedField[Organization] = (
        serializers.StringRelatedField(allow_null=True)
    )

    class Meta:
        model = Intervention
        fields = (
            "id",
            "district",
            "public_space",
            "public_space_name",
            "title",
            "description",
            "status",
            "progress",
            "large_scale",
            "starts_on",
            "lead_team",
            "lead_organization",
            "survey_before",
            "survey_after",
            "condition_change",
        )


class InterventionViewSet(viewsets.ReadOnlyModelViewSet[Intervention]):
    serializer_class = InterventionSerializer
    filterset_fields = ("district__ubigeo", "status", "large_scale")

    def get_queryset(self) -> QuerySet[Intervention]:
        return (
            Intervention.objects.public()
            .select_related(
                "district",
                "public_space",
                "lead_team",
                "lead_organization",
                "survey_before",
                "survey_after",
            )
            .order_by("pk")
        )


def _delivery_file_url(which: str) -> Any:
    def url(delivery: KitDelivery) -> str:
        intervention_pk = delivery.item.kit.intervention_id
        return reverse("interventions:delivery-file", args=(intervention_pk, delivery.pk, which))

    return url


class KitDeliverySerializer(serializers.ModelSerializer[KitDelivery]):
    # Links to the view that checks who asks: a signature is never a public URL.
    signature = UploadSerializerField(
        accept=IMAGES, read_only=True, download_url=_delivery_file_url("firma")
    )
    signed_form = UploadSerializerField(
        accept=IMAGES, read_only=True, download_url=_delivery_file_url("formulario")
    )

    class Meta:
        model = KitDelivery
        fields = ("id", "item", "date", "quantity", "received_by", "signature", "signed_form")


class KitDeliveryViewSet(viewsets.ReadOnlyModelViewSet[KitDelivery]):
    serializer_class = KitDeliverySerializer
    permission_classes = (permissions.IsAuthenticated,)

    def get_queryset(self) -> QuerySet[KitDelivery]:
        interventions = Intervention.objects.manageable_by(self.request.user)
        return (
            KitDelivery.objects.filter(item__kit__intervention__in=interventions)
            .select_related("item__kit")
            .order_by("-date", "pk")
        )


class MaintenanceTaskSerializer(serializers.ModelSerializer[MaintenanceTask]):
    class Meta:
        model = MaintenanceTask
        fields = ("title", "description", "first_on", "every_months", "active")


class MaintenanceGuideSerializer(serializers.ModelSerializer[MaintenanceGuide]):
    # None until the coordinator names who cares for the space.
    responsible_organization: serializers.StringRelatedField[Organization] = (
        serializers.StringRelatedField(allow_null=True)
    )
    tasks = MaintenanceTaskSerializer(many=True, read_only=True)

    class Meta:
        model = MaintenanceGuide
        # Not the reminder email: it is a person's address.
        fields = (
            "id",
            "intervention",
            "responsible_organization",
            "introduction",
            "installed",
            "care",
            "rules",
            "tasks",
            "updated_at",
        )


class MaintenanceGuideViewSet(viewsets.ReadOnlyModelViewSet[MaintenanceGuide]):
    serializer_class = MaintenanceGuideSerializer

    def get_queryset(self) -> QuerySet[MaintenanceGuide]:
        return (
            MaintenanceGuide.objects.exclude(intervention__status=Intervention.Status.CANCELLED)
            .select_related("responsible_organization")
            .prefetch_related("tasks")
            .order_by("pk")
        )


def _figures_payload(district: District, figures: dashboard.DistrictFigures) -> dict[str, Any]:
    return {
        "district": district.ubigeo,
        "name": district.name,
        "targets": [
            {
                "key": t.key,
                "label": str(t.label),
                "value": str(t.value) if t.measurable else None,
                "goal": str(t.goal),
                "unit": t.unit,
                "progress": t.progress if t.measurable else None,
                "definition": str(t.definition),
                "in_progress": str(t.in_progress),
            }
            for t in figures.targets()
        ],
        "funding_pen": {k: str(v) for k, v in figures.funding.items()},
    }


def _cached_payloads(districts: list[District]) -> list[dict[str, Any]]:
    """The figures of a page of districts, the same for everyone: kept per language under
    the versions of what they count (``dashboard.results_version``), so a write shows at
    once and a hit makes no query and formats nothing."""
    ids = ",".join(str(d.pk) for d in districts)
    digest = hashlib.blake2b(ids.encode(), digest_size=8).hexdigest()
    key = f"results:api:{get_language()}:{digest}:{dashboard.results_version()}"
    payloads: list[dict[str, Any]] | None = cache.get(key)
    if payloads is None:
        figures = dashboard.figures_by_district([d.pk for d in districts])
        payloads = [_figures_payload(d, figures[d.pk]) for d in districts]
        cache.set(key, payloads, dashboard.CACHE_SECONDS)
    return payloads


class TargetSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    # The stubs see Field.label (a field's own label) here; DRF's metaclass takes declared
    # fields out of the class body, so at run time this is only the "label" field.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField(allow_null=True)
    goal = serializers.CharField()
    unit = serializers.CharField()
    progress = serializers.IntegerField(allow_null=True)
    definition = serializers.CharField()
    in_progress = serializers.CharField()


class ResultsSerializer(serializers.Serializer[Any]):
    district = serializers.CharField()
    name = serializers.CharField()
    targets = TargetSerializer(many=True)
    funding_pen = serializers.DictField(child=serializers.CharField())


class ResultsViewSet(viewsets.GenericViewSet[District]):
    """The dashboard's figures per district (public, no personal data)."""

    lookup_field = "ubigeo"
    serializer_class = ResultsSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[District]:
        # The figures name each district; its boundary (a large polygon) is not read.
        return District.objects.only("pk", "ubigeo", "name").order_by("ubigeo")

    @extend_schema(operation_id="results_list", responses=ResultsSerializer(many=True))
    def list(self, request: Request) -> Response:
        # Paginated like every list: the figures are computed for one page of districts.
        districts = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response(_cached_payloads(districts))

    @extend_schema(
        operation_id="results_retrieve",
        parameters=[OpenApiParameter("ubigeo", str, OpenApiParameter.PATH)],
        responses=ResultsSerializer,
    )
    def retrieve(self, request: Request, ubigeo: str | None = None) -> Response:
        district = get_object_or_404(District, ubigeo=ubigeo)
        figures = dashboard.figures_by_district([district.pk])[district.pk]
        return Response(_figures_payload(district, figures))


# --- Open data of the perception survey: anonymized and suppressed as the CSV exports
# (interventions.perception.exports), never a person's data, never a cell under five.

PERCEPTION_FIXED = (
    "wave",
    "wave_kind",
    "questionnaire_version",
    "channel",
    "collected_month",
    "sector",
    "age_band",
    "sex",
    "public_space",
    "cohesion_score",
    "cohesive",
)
DISTRICT_PARAMETER = OpenApiParameter(
    "district", str, description="UBIGEO of the district (default: the platform's district)"
)


def _open_data_district(request: Request) -> District:
    from django.conf import settings

    ubigeo = request.query_params.get("district") or settings.DEFAULT_DISTRICT_UBIGEO
    return get_object_or_404(District, ubigeo=ubigeo)


class PerceptionAnswerSerializer(serializers.Serializer[Any]):
    wave = serializers.CharField()
    wave_kind = serializers.CharField()
    questionnaire_version = serializers.IntegerField()
    channel = serializers.CharField()
    collected_month = serializers.CharField()
    sector = serializers.IntegerField(allow_null=True)
    age_band = serializers.CharField()
    sex = serializers.CharField()
    public_space = serializers.IntegerField(allow_null=True)
    cohesion_score = serializers.CharField()
    cohesive = serializers.BooleanField()
    answers = serializers.DictField(child=serializers.IntegerField(allow_null=True))


class PerceptionAnswerViewSet(viewsets.ViewSet):
    """Anonymized answers of the perception survey (paginated): the rows of the open-data
    CSV, with each answer under its question code (see the data dictionary)."""

    serializer_class = PerceptionAnswerSerializer
    pagination_class = ContractPagination

    @extend_schema(
        operation_id="perception_answers_list",
        parameters=[DISTRICT_PARAMETER],
        responses=PerceptionAnswerSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        from interventions.perception.exports import kept_rows

        rows = [
            {
                **{key: row[key] for key in PERCEPTION_FIXED},
                "answers": {k: v for k, v in row.items() if k not in PERCEPTION_FIXED},
            }
            for row in kept_rows(_open_data_district(request), "respuestas")
        ]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(page)


class CohesionSerializer(serializers.Serializer[Any]):
    wave = serializers.CharField()
    wave_kind = serializers.CharField()
    area = serializers.CharField()
    percent = serializers.CharField(allow_null=True)
    ci_low = serializers.CharField(allow_null=True)
    ci_high = serializers.CharField(allow_null=True)
    answers = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class CohesionViewSet(viewsets.ViewSet):
    """The social-cohesion index per wave, for the district and each sector (paginated);
    a cell under five answers is empty with a note."""

    serializer_class = CohesionSerializer
    pagination_class = ContractPagination

    @extend_schema(
        operation_id="cohesion_list",
        parameters=[DISTRICT_PARAMETER],
        responses=CohesionSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        from interventions.perception.exports import kept_rows

        paginator = self.pagination_class()
        rows: list[dict[str, Any]] = kept_rows(_open_data_district(request), "cohesion")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(page)
