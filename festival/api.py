"""REST API of the festival.

Editions, stages, teams, criteria and results of locked stages are public and carry no
personal data (no representative, no judge names). Score sheets: a judge reads and writes
only their own (the write goes through ``score_submit``, with the same rules as the tablet
screen); coordinators read every sheet of their district.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from festival.models import Criterion, Edition, ScoreSheet, Stage, Team
from festival.permissions import get_score_sheet_for_user, may_manage_edition
from festival.results import TeamResult, edition_results
from festival.services.scoring import ScoreRefused, score_submit
from platform_app.models import District
from santaanita.api_contract import CalendarDateTimeField, error_response
from santaanita.users import signed_in_user


class EditionSerializer(serializers.ModelSerializer[Edition]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )

    class Meta:
        model = Edition
        fields = (
            "id",
            "district",
            "name",
            "year",
            "rules_document",
            "registration_opens_at",
            "registration_closes_at",
            "starts_on",
            "ends_on",
            "workshop_attendance_required",
            "normalization_enabled",
            "outstanding_per_stage",
        )


class StageSerializer(serializers.ModelSerializer[Stage]):
    sector = serializers.IntegerField(source="sector.number", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True, default=None)
    is_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Stage
        fields = (
            "id",
            "edition",
            "name",
            "sector",
            "starts_at",
            "location",
            "location_name",
            "is_locked",
        )


class TeamSerializer(serializers.ModelSerializer[Team]):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    sector = serializers.IntegerField(source="sector.number", read_only=True)
    is_multigenerational = serializers.BooleanField(read_only=True)
    public_space = serializers.IntegerField(
        source="proposal.public_space_id", read_only=True, default=None
    )

    class Meta:
        model = Team
        fields = (
            "id",
            "edition",
            "name",
            "organization",
            "organization_name",
            "sector",
            "dance_style",
            "dancers_children",
            "dancers_youth",
            "dancers_adults",
            "dancers_seniors",
            "is_multigenerational",
            "status",
            "stage",
            "slot",
            "public_space",
            "is_outstanding",
            "is_large_scale_winner",
        )


class CriterionSerializer(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = (
            "id",
            "edition",
            "name",
            "description",
            "weight",
            "scale_min",
            "scale_max",
            "order",
            "is_organization",
        )


class ScoreSheetSerializer(serializers.ModelSerializer[ScoreSheet]):
    submit = serializers.BooleanField(write_only=True, default=False)
    idempotency_key = serializers.CharField(max_length=64)
    values = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    submitted = serializers.BooleanField(source="is_submitted", read_only=True)
    client_updated_at = CalendarDateTimeField()

    class Meta:
        model = ScoreSheet
        fields = (
            "id",
            "judge",
            "team",
            "values",
            "comment",
            "client_updated_at",
            "idempotency_key",
            "submit",
            "submitted",
            "updated_at",
        )
        read_only_fields = ("id", "judge", "updated_at")
        # The upsert decides between create and update: the (judge, team) unique check of
        # a ModelSerializer would refuse the second tablet's change instead.
        validators: list[Any] = []


class EditionViewSet(viewsets.ReadOnlyModelViewSet[Edition]):
    serializer_class = EditionSerializer
    filterset_fields = ("year",)

    def get_queryset(self) -> QuerySet[Edition]:
        return Edition.objects.select_related("district").order_by("-year")

    @extend_schema(responses={200: dict})
    @action(detail=True)
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Rankings per stage and overall. The public sees locked stages only;
        coordinators of the district also see provisional ones."""
        edition = self.get_object()
        manager = may_manage_edition(request.user, edition)
        computed = edition_results(edition, locked_only=not manager)

        def rows(results: list[TeamResult]) -> list[dict[str, object]]:
            return [
                {
                    "team": r.team_id,
                    "name": r.name,
                    "organization": r.organization,
                    "judges": r.judges,
                    "raw": r.raw,
                    "raw_rank": r.raw_rank,
                    "normalized": r.normalized,
                    "normalized_rank": r.normalized_rank,
                }
                for r in results
            ]

        return Response(
            {
                "edition": edition.pk,
                "normalization_enabled": edition.normalization_enabled,
                "overall": rows(computed.overall),
                "stages": {str(k): rows(v) for k, v in computed.by_stage.items()},
            }
        )


class StageViewSet(viewsets.ReadOnlyModelViewSet[Stage]):
    serializer_class = StageSerializer
    filterset_fields = ("edition",)

    def get_queryset(self) -> QuerySet[Stage]:
        return Stage.objects.select_related("sector", "location").order_by("starts_at")


class TeamViewSet(viewsets.ReadOnlyModelViewSet[Team]):
    serializer_class = TeamSerializer
    filterset_fields = ("edition", "stage", "status", "is_outstanding")
    search_fields = ("name", "organization__name")

    def get_queryset(self) -> QuerySet[Team]:
        return (
            Team.objects.public()
            .select_related("organization", "sector", "proposal")
            .order_by("edition", "stage", "slot", "name")
        )


class CriterionViewSet(viewsets.ReadOnlyModelViewSet[Criterion]):
    serializer_class = CriterionSerializer
    filterset_fields = ("edition",)

    def get_queryset(self) -> QuerySet[Criterion]:
        return Criterion.objects.order_by("edition", "order")


class ScoreSheetViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ScoreSheet],
):
    """A judge's own sheets. POST upserts the (judge, team) sheet: newest values by
    ``client_updated_at`` win and a resent ``idempotency_key`` changes nothing."""

    serializer_class = ScoreSheetSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_fields = ("team", "team__stage")

    def get_queryset(self) -> QuerySet[ScoreSheet]:
        return ScoreSheet.objects.visible_to(self.request.user).order_by("team", "judge")

    def get_object(self) -> ScoreSheet:
        # The festival's access helper answers for one sheet, as on the pages.
        pk = str(self.kwargs["pk"])
        if not pk.isdigit():
            raise Http404  # like every other resource's id that is no number
        sheet = get_score_sheet_for_user(self.request.user, int(pk))
        self.check_object_permissions(self.request, sheet)
        return sheet

    @extend_schema(
        responses={
            201: ScoreSheetSerializer,
            200: OpenApiResponse(
                ScoreSheetSerializer, description="The same values or key again: no change."
            ),
            404: error_response("The team is not in a running order."),
            409: error_response("The team's stage is locked: its scores are final."),
        }
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            # The judge is always the signed-in user: nobody writes another judge's sheet.
            outcome = score_submit(
                user=signed_in_user(request),
                team_id=data["team"].pk,
                values=data["values"],
                comment=data.get("comment", ""),
                client_updated_at=data["client_updated_at"],
                idempotency_key=data["idempotency_key"],
                submit=data["submit"],
            )
        except ScoreRefused as refused:
            return Response(
                {"code": refused.code, "detail": refused.message},
                status=refused.http_status,
            )
        code = status.HTTP_201_CREATED if outcome.result == "created" else status.HTTP_200_OK
        body = dict(self.get_serializer(outcome.sheet).data, result=outcome.result)
        return Response(body, status=code)
