"""REST API of the mapping app: spaces (GeoJSON), surveys and photos."""

from __future__ import annotations

import functools
import json
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import get_script_prefix, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from mapping.exports import export_queryset, space_properties
from mapping.models import (
    ConditionBand,
    EquipmentItem,
    NeedItem,
    Observation,
    PublicSpace,
    QualityItem,
    Survey,
    SurveyPhoto,
    layer_version,
)
from mapping.services import SurveyData, survey_photo_add, survey_review, survey_submit

# A map window never needs more; the clusters of a whole Lima view stay below it.
MAP_MAX_FEATURES = 10_000
LAYER_CACHE_SECONDS = 300

MAP_PARAMETERS = [
    OpenApiParameter("bbox", str, description="west,south,east,north in degrees (WGS84)"),
    OpenApiParameter("district", str, description="UBIGEO of the district"),
    OpenApiParameter("sector", int, description="sector number"),
    OpenApiParameter("category", str, enum=PublicSpace.Category.values),
    OpenApiParameter("condition", str, enum=ConditionBand.values),
    OpenApiParameter("has_organization", bool),
    OpenApiParameter(
        "geometry", str, enum=["full", "centroid"], description="centroid: points only"
    ),
]


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise ValidationError({"bbox": "west,south,east,north"}) from exc
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError({"bbox": "west,south,east,north in degrees"})
    return west, south, east, north


# Plain strings, computed once: the map endpoint is hot, and enum lookups per row and
# per request showed up in its profile.
CATEGORIES = frozenset(PublicSpace.Category.values)
BANDS = frozenset(ConditionBand.values)
_BAND_BY_SCORE = {score: ConditionBand.for_score(score).value for score in range(101)}
_UNKNOWN = ConditionBand.UNKNOWN.value


def _band(score: int | None) -> str:
    return _UNKNOWN if score is None else _BAND_BY_SCORE[score]


@functools.cache
def _space_url_prefix(script_prefix: str) -> str:
    return reverse("mapping:space-detail", args=["0"])[: -len("0/")]


def _map_features(queryset: QuerySet[PublicSpace], *, centroid: bool) -> list[dict[str, Any]]:
    """Light features for the map, from one query (values(), no model instances)."""
    space_url = _space_url_prefix(get_script_prefix())
    rows = queryset.values_list(
        "id",
        "name",
        "category",
        "condition_score",
        "centroid_lon",
        "centroid_lat",
        *(() if centroid else ("geometry",)),
    )[:MAP_MAX_FEATURES]
    features = []
    for row in rows:
        pk, name, category, score, lon, lat = row[:6]
        geometry = {"type": "Point", "coordinates": [lon, lat]} if centroid else row[6]
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": geometry,
                "properties": {
                    "name": name,
                    "category": category,
                    "condition_score": score,
                    "condition": _band(score),
                    "url": f"{space_url}{pk}/",
                },
            }
        )
    return features


class GeoJSONRenderer(JSONRenderer):
    """Lets clients ask for ``Accept: application/geo+json`` (RFC 7946's media type)."""

    media_type = "application/geo+json"
    format = "geojson"


def _geojson_response(payload: dict[str, Any] | bytes) -> HttpResponse:
    body = (
        payload
        if isinstance(payload, bytes)
        else json.dumps(payload, separators=(",", ":")).encode()
    )
    return HttpResponse(body, content_type="application/geo+json")


class PublicSpaceViewSet(viewsets.ReadOnlyModelViewSet[PublicSpace]):
    """Public spaces as GeoJSON (RFC 7946). Public: no personal data.

    The list is a FeatureCollection of the spaces whose bounding box meets ``bbox`` (the
    map's visible window), in one query whatever their number. Without ``bbox`` and
    filters, a district's whole layer is served from the cache under a version that every
    saved change of the district's spaces moves on, so an edit is visible at once.
    """

    filter_backends: list[Any] = []
    pagination_class = None
    renderer_classes = (GeoJSONRenderer, JSONRenderer)
    # Public and the same for everyone (visible_to ignores the user): skipping the session
    # and token lookups keeps the busiest endpoint of the platform cheap.
    authentication_classes: tuple[Any, ...] = ()
    permission_classes = (AllowAny,)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # One representation only (GeoJSON, which is JSON): skip parsing the Accept header.
        renderer = GeoJSONRenderer()
        return renderer, renderer.media_type

    def get_queryset(self) -> QuerySet[PublicSpace]:
        # No ORDER BY: sorting by pk makes SQLite walk the table in rowid order instead of
        # the bounding-box index (a map draws features in any order).
        return PublicSpace.objects.visible_to(self.request.user).order_by()

    def _filtered(self, request: Request) -> QuerySet[PublicSpace]:
        qs = self.get_queryset()
        params = request.query_params
        if params.get("bbox"):
            qs = qs.in_bbox(*parse_bbox(params["bbox"]))
        if params.get("district"):
            qs = qs.filter(district__ubigeo=params["district"])
        if params.get("sector"):
            try:
                qs = qs.filter(sector__number=int(params["sector"]))
            except ValueError as exc:
                raise ValidationError({"sector": "number"}) from exc
        if params.get("category") in CATEGORIES:
            qs = qs.filter(category=params["category"])
        if params.get("condition") in BANDS:
            qs = qs.in_condition_band(params["condition"])
        if params.get("has_organization") in {"true", "false"}:
            qs = qs.with_organization(params["has_organization"] == "true")
        return qs

    @extend_schema(
        operation_id="spaces_list", parameters=MAP_PARAMETERS, responses={200: OpenApiTypes.OBJECT}
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        params = request.query_params
        centroid = params.get("geometry") == "centroid"
        filter_names = {"bbox", "sector", "category", "condition", "has_organization"}
        if params.get("district") and not filter_names & {k for k, v in params.items() if v}:
            return self._district_layer(params["district"], centroid=centroid)
        features = _map_features(self._filtered(request), centroid=centroid)
        return _geojson_response({"type": "FeatureCollection", "features": features})

    def _district_layer(self, ubigeo: str, *, centroid: bool) -> HttpResponse:
        # The key carries the district's layer version, bumped after every committed save
        # of one of its spaces (PublicSpace.save), so a cache hit needs no query at all.
        key = f"mapping:layer:{ubigeo}:{int(centroid)}:{layer_version(ubigeo)}"
        body = cache.get(key)
        if body is None:
            spaces = PublicSpace.objects.filter(district__ubigeo=ubigeo).order_by("pk")
            features = _map_features(spaces, centroid=centroid)
            body = json.dumps(
                {"type": "FeatureCollection", "features": features}, separators=(",", ":")
            ).encode()
            cache.set(key, body, LAYER_CACHE_SECONDS)
        return _geojson_response(body)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        space = export_queryset(self.get_queryset()).filter(pk=kwargs["pk"]).first()
        if space is None:
            raise Http404
        return _geojson_response(
            {
                "type": "Feature",
                "id": space.pk,
                "geometry": space.geometry,
                "properties": space_properties(space),
            }
        )


class EquipmentSerializer(serializers.ModelSerializer[EquipmentItem]):
    class Meta:
        model = EquipmentItem
        fields = ("feature", "count", "condition")


class QualitySerializer(serializers.ModelSerializer[QualityItem]):
    class Meta:
        model = QualityItem
        fields = ("item", "rating")


class ObservationSerializer(serializers.ModelSerializer[Observation]):
    class Meta:
        model = Observation
        fields = ("zone", "observed_at", "age_group", "sex", "activity", "count")
        read_only_fields = ("observed_at",)


class NeedSerializer(serializers.ModelSerializer[NeedItem]):
    class Meta:
        model = NeedItem
        fields = ("description", "priority")


class SurveySerializer(serializers.ModelSerializer[Survey]):
    """A survey without its author's identity (``is_mine`` tells the caller)."""

    space = serializers.PrimaryKeyRelatedField(queryset=PublicSpace.objects.all())
    equipment = EquipmentSerializer(many=True, required=False)
    quality_items = QualitySerializer(many=True, required=False)
    observations = ObservationSerializer(many=True, required=False)
    needs = NeedSerializer(many=True, required=False)
    final = serializers.BooleanField(write_only=True, default=True)
    is_mine = serializers.SerializerMethodField()
    client_uuid = serializers.UUIDField(validators=[])

    class Meta:
        model = Survey
        fields = (
            "id",
            "space",
            "client_uuid",
            "status",
            "observed_at",
            "notes",
            "condition_score",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "equipment",
            "quality_items",
            "observations",
            "needs",
            "final",
            "is_mine",
        )
        read_only_fields = (
            "status",
            "condition_score",
            "submitted_at",
            "reviewed_at",
            "review_comment",
        )

    def get_is_mine(self, survey: Survey) -> bool:
        request = self.context.get("request")
        return bool(request and survey.surveyor_id == request.user.pk)

    def to_survey_data(self) -> SurveyData:
        data = self.validated_data
        observations = data.get("observations", [])
        return SurveyData(
            observed_at=data["observed_at"],
            notes=data.get("notes", ""),
            equipment={
                e["feature"]: (e["count"], e["condition"]) for e in data.get("equipment", [])
            },
            quality={q["item"]: q["rating"] for q in data.get("quality_items", [])},
            zone=observations[0]["zone"] if observations else "",
            observations={
                (o["age_group"], o["sex"], o["activity"]): o["count"] for o in observations
            },
            needs=[(n["description"], n["priority"]) for n in data.get("needs", [])],
        )


class ReviewSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["approve", "return"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SurveyViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Survey],
):
    """Surveys: the public sees verified ones; a surveyor also their own; reviewers all of
    their district. POST is idempotent on ``client_uuid`` (201 first time, 200 on resend)."""

    serializer_class = SurveySerializer
    filterset_fields = ("space", "status")
    ordering_fields = ("observed_at",)

    def get_queryset(self) -> QuerySet[Survey]:
        return (
            Survey.objects.visible_to(self.request.user)
            .prefetch_related("equipment", "quality_items", "observations", "needs")
            .order_by("-observed_at", "-pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey, created = survey_submit(
            space=serializer.validated_data["space"],
            surveyor=request.user,
            client_uuid=serializer.validated_data["client_uuid"],
            data=serializer.to_survey_data(),
            final=serializer.validated_data["final"],
        )
        survey = self.get_queryset().get(pk=survey.pk)
        return Response(
            self.get_serializer(survey).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=ReviewSerializer, responses={200: SurveySerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        survey = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            survey = survey_review(
                survey=survey,
                reviewer=request.user,
                approve=serializer.validated_data["decision"] == "approve",
                comment=serializer.validated_data["comment"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)


class SurveyPhotoSerializer(serializers.ModelSerializer[SurveyPhoto]):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    image = serializers.FileField()

    class Meta:
        model = SurveyPhoto
        fields = ("id", "survey", "image", "caption", "created_at")
        read_only_fields = ("created_at",)


class SurveyPhotoViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SurveyPhoto],
):
    """Photos of the surveys the caller may see; uploads are re-encoded without EXIF."""

    serializer_class = SurveyPhotoSerializer
    parser_classes = (MultiPartParser, FormParser)
    filterset_fields = ("survey",)

    def get_queryset(self) -> QuerySet[SurveyPhoto]:
        visible = Survey.objects.visible_to(self.request.user)
        return SurveyPhoto.objects.filter(survey__in=visible).order_by("pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = serializer.validated_data["survey"]
        if not Survey.objects.visible_to(request.user).filter(pk=survey.pk).exists():
            raise ValidationError({"survey": "not found"})
        try:
            photo = survey_photo_add(
                survey=survey,
                user=request.user,
                upload=serializer.validated_data["image"],
                caption=serializer.validated_data.get("caption", ""),
            )
        except DjangoValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)
