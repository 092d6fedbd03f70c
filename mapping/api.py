"""REST API of the mapping app: spaces (GeoJSON), surveys and photos."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
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
from mapping.querysets import PublicSpaceQuerySet, bbox_lookups
from mapping.services import SurveyData, survey_photo_add, survey_review, survey_submit
from santaanita.api_contract import CalendarDateTimeField
from santaanita.files import IMAGES, UploadSerializerField
from santaanita.users import signed_in_user

# A map window never needs more; the clusters of a whole Lima view stay below it.
MAP_MAX_FEATURES = 10_000
LAYER_CACHE_SECONDS = 300

MAP_PARAMETERS = [
    OpenApiParameter(
        "bbox",
        str,
        description="west,south,east,north in degrees (WGS84). A request names a window "
        "or a district (or both): without either it is refused with 400. At most "
        f"{MAP_MAX_FEATURES} features are returned.",
        pattern=r"^-?[0-9]+(\.[0-9]+)?(,-?[0-9]+(\.[0-9]+)?){3}$",
    ),
    OpenApiParameter("district", str, description="UBIGEO of the district (see bbox)"),
    OpenApiParameter("sector", {"type": "integer", "minimum": 0, "maximum": 32_767}),
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


CATEGORIES = frozenset(PublicSpace.Category.values)
BANDS = frozenset(ConditionBand.values)
GEOMETRIES = frozenset({"full", "centroid"})
SECTOR_MAX = 32_767


def _choice(params: Any, name: str, allowed: frozenset[str] | set[str]) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in allowed:
        raise ValidationError(
            {name: _("One of: %(values)s.") % {"values": ", ".join(sorted(allowed))}}
        )
    return value


@dataclass(frozen=True)
class MapQuery:
    """What one map request asks for. ``None`` means "no such filter"."""

    bbox: tuple[float, float, float, float] | None = None
    district: str | None = None
    sector: int | None = None
    category: str | None = None
    condition: str | None = None
    has_organization: bool | None = None
    centroid: bool = False
    # The cached district layer is ordered (stable bytes); a window needs no order, and an
    # ORDER BY pk would make SQLite walk the table in rowid order instead of the index.
    ordered: bool = False

    @classmethod
    def from_params(cls, params: Any) -> MapQuery:
        """The query of a request's parameters; a malformed one is refused with 400 (an
        empty one is no filter: the map's form sends its unset fields empty)."""
        if not (params.get("bbox") or params.get("district")):
            # The whole of Lima at once is several megabytes the map never asks for: the
            # map sends its window, and a district's layer is cached.
            raise ValidationError({"bbox": _("Send a map window (bbox) or a district.")})
        sector = None
        if params.get("sector"):
            # Sector numbers are small integers: a larger one would overflow the database's.
            if not params["sector"].isdigit() or int(params["sector"]) > SECTOR_MAX:
                raise ValidationError({"sector": _("A sector number.")})
            sector = int(params["sector"])
        organization = _choice(params, "has_organization", {"true", "false"})
        return cls(
            bbox=parse_bbox(params["bbox"]) if params.get("bbox") else None,
            district=params.get("district") or None,
            sector=sector,
            category=_choice(params, "category", CATEGORIES),
            condition=_choice(params, "condition", BANDS),
            has_organization=None if organization is None else organization == "true",
            centroid=_choice(params, "geometry", GEOMETRIES) == "centroid",
        )

    def queryset(self, spaces: PublicSpaceQuerySet) -> QuerySet[PublicSpace, tuple[int, str]]:
        """The spaces asked for, through the queryset methods (the one definition)."""
        if self.bbox is not None:
            spaces = spaces.in_bbox(*self.bbox)
        if self.district is not None:
            spaces = spaces.filter(district__ubigeo=self.district)
        if self.sector is not None:
            spaces = spaces.filter(sector__number=self.sector)
        if self.category is not None:
            spaces = spaces.filter(category=self.category)
        if self.condition is not None:
            spaces = spaces.in_condition_band(self.condition)
        if self.has_organization is not None:
            spaces = spaces.with_organization(self.has_organization)
        spaces = spaces.order_by("pk") if self.ordered else spaces.order_by()
        fragment = "map_fragment_centroid" if self.centroid else "map_fragment_full"
        return spaces.values_list("pk", fragment)[:MAP_MAX_FEATURES]

    def bind(self) -> dict[str, Any]:
        """The request's values by slot: what changes between requests of one shape."""
        values: dict[str, Any] = dict(bbox_lookups(*self.bbox)) if self.bbox else {}
        for slot in ("district", "sector", "category"):
            if getattr(self, slot) is not None:
                values[slot] = getattr(self, slot)
        return values

    def shape(self) -> MapQuery:
        """This query with every bound value replaced by its sentinel (see ``_compiled``)."""
        return replace(
            self,
            bbox=_BBOX_SENTINELS if self.bbox is not None else None,
            **{
                slot: sentinel
                for slot, sentinel in _SLOT_SENTINELS.items()
                if getattr(self, slot) is not None
            },
        )


# Stand-ins for the request's values while compiling: distinct from each other and from
# every constant the queries contain (the band limits 40 and 70; the row limit is inlined).
# They must stay within the columns' ranges: an out-of-range integer lookup compiles to
# "matches nothing" on PostgreSQL (Sector.number is a small integer).
_BBOX_SENTINELS = (1001.0, 1002.0, 1003.0, 1004.0)
_SLOT_SENTINELS: dict[str, Any] = {
    "district": "\x00district",
    "sector": 32_011,
    "category": "\x00category",
}


Binding = tuple[str | None, Any, Any]


@functools.lru_cache(maxsize=256)
def _compiled(alias: str, shape: MapQuery) -> tuple[str, tuple[Binding, ...]]:
    """The SQL of a query shape, compiled once by the ORM from ``MapQuery.queryset``.

    Building and compiling a queryset costs more than running the map's window query
    itself (~0.3 ms against ~0.15 ms on SQLite), so each shape (which filters, which band,
    which geometry) is compiled once with sentinel values and then run with the request's
    values bound in their place. Returns the SQL and, per parameter, the slot whose value
    goes there (None for a constant of the query), the compiled value, and the type the
    backend wrapped it in, if any (psycopg's ``Int2`` for a small integer column), which
    the request's value gets too.
    """
    queryset = shape.queryset(PublicSpace.objects.using(alias).all())
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    sentinels = shape.bind()
    # Strings apart from numbers; numbers by value (Int2(32011) == 32011).
    slots = {(isinstance(v, str), v): slot for slot, v in sentinels.items()}
    bound: list[Binding] = []
    for param in params:
        slot = slots.get((isinstance(param, str), param))
        wrapped = slot is not None and type(param) is not type(sentinels[slot])
        bound.append((slot, param, type(param) if wrapped else None))
    if {slot for slot, _p, _t in bound if slot} != set(sentinels):
        # A lookup turned a value into something else: binding it by sentinel would be
        # wrong, so fail loudly (the map tests cover every filter on both backends).
        raise RuntimeError(f"cannot bind the map query {shape}: {sql} {params}")
    return sql, tuple(bound)


@functools.cache
def _space_url_prefix(script_prefix: str) -> str:
    # Per script prefix (reverse() prepends it), JSON-escaped once: reverse() costs more
    # than concatenating a whole window's features.
    return json.dumps(reverse("mapping:space-detail", args=["0"])[: -len("0/")])[1:-1]


def map_feature_collection(query: MapQuery) -> bytes:
    """The GeoJSON FeatureCollection of ``query``, in one query whatever the rows.

    Each space's feature is stored pre-serialized (``PublicSpace.map_fragment_*``), so a
    window is one bound SQL statement and a string concatenation.
    """
    alias = PublicSpace.objects.db
    sql, bound = _compiled(alias, query.shape())
    values = query.bind()
    params = [
        constant if slot is None else wrap(values[slot]) if wrap else values[slot]
        for slot, constant, wrap in bound
    ]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(not fragment for _pk, fragment in rows):
        rows = _with_missing_fragments(rows, centroid=query.centroid)
    url = _space_url_prefix(get_script_prefix())
    features = ",".join(
        [f'{{"type":"Feature","id":{pk},{fragment}"url":"{url}{pk}/"}}}}' for pk, fragment in rows]
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()


def _with_missing_fragments(
    rows: list[tuple[int, str]], *, centroid: bool
) -> list[tuple[int, str]]:
    # Rows written around save() (bulk_create, update()) carry no fragment: build theirs
    # in memory from the row, so the map stays right while costing one query more.
    missing = {pk for pk, fragment in rows if not fragment}
    built = {}
    for space in PublicSpace.objects.filter(pk__in=missing):
        space.refresh_map_fragments()
        built[space.pk] = space.map_fragment_centroid if centroid else space.map_fragment_full
    return [(pk, fragment or built[pk]) for pk, fragment in rows]


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

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The map's GET list is the platform's busiest request: public, read-only and the
        # same for everyone. It is answered here, before DRF wraps the request and runs its
        # authentication, permission, negotiation and rendering steps, which together cost
        # about as much as the window query itself. Everything else (HEAD, OPTIONS, the
        # detail, the schema) goes through DRF as usual.
        if request.method == "GET" and getattr(self, "action_map", {}).get("get") == "list":
            try:
                return self._map_response(request.GET)
            except ValidationError as exc:
                return HttpResponse(
                    json.dumps(exc.detail), status=400, content_type="application/json"
                )
        return super().dispatch(request, *args, **kwargs)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # One representation only (GeoJSON, which is JSON): skip parsing the Accept header.
        renderer = GeoJSONRenderer()
        return renderer, renderer.media_type

    def get_queryset(self) -> QuerySet[PublicSpace]:
        return PublicSpace.objects.visible_to(self.request.user).order_by("pk")

    # djangorestframework-stubs declare Response, but DRF takes any HttpResponse from a
    # handler (finalize_response checks for HttpResponseBase): the GeoJSON is written here,
    # not rendered by DRF.
    @extend_schema(
        operation_id="spaces_list", parameters=MAP_PARAMETERS, responses={200: OpenApiTypes.OBJECT}
    )
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        return self._map_response(request.query_params)

    def _map_response(self, params: Any) -> HttpResponse:
        # Every space is public (visible_to ignores the user), so the map query needs no
        # scoping by user; see map_feature_collection for why it skips the queryset.
        query = MapQuery.from_params(params)
        if query.district and query == MapQuery(district=query.district, centroid=query.centroid):
            return self._district_layer(query.district, centroid=query.centroid)
        return _geojson_response(map_feature_collection(query))

    def _district_layer(self, ubigeo: str, *, centroid: bool) -> HttpResponse:
        # The key carries the district's layer version, bumped after every committed save
        # of one of its spaces (PublicSpace.save), so a cache hit needs no query at all.
        key = f"mapping:layer:{ubigeo}:{int(centroid)}:{layer_version(ubigeo)}"
        body = cache.get(key)
        if body is None:
            query = MapQuery(district=ubigeo, centroid=centroid, ordered=True)
            body = map_feature_collection(query)
            cache.set(key, body, LAYER_CACHE_SECONDS)
        return _geojson_response(body)

    # As for list: an HttpResponse, which DRF accepts and its stubs do not declare.
    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def retrieve(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if not kwargs["pk"].isdigit():
            raise Http404  # like every other resource's id that is no number
        space = export_queryset(self.get_queryset()).filter(pk=int(kwargs["pk"])).first()
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
    observed_at = CalendarDateTimeField()

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

    def validate_observations(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # One count per cell of a zone: a repeated cell is a client error, and keeping
        # either row (or adding them up) would change the counts without saying so.
        cells = [(o.get("zone", ""), o["age_group"], o["sex"], o["activity"]) for o in rows]
        if len(set(cells)) != len(cells):
            raise ValidationError(
                _("Each zone, age group, sex and activity level may appear only once.")
            )
        return rows

    def to_survey_data(self) -> SurveyData:
        data = self.validated_data
        return SurveyData(
            observed_at=data["observed_at"],
            notes=data.get("notes", ""),
            equipment={
                e["feature"]: (e["count"], e["condition"]) for e in data.get("equipment", [])
            },
            quality={q["item"]: q["rating"] for q in data.get("quality_items", [])},
            # Each row keeps its own zone: a survey may count several zones of a park.
            observations={
                (o.get("zone", ""), o["age_group"], o["sex"], o["activity"]): o["count"]
                for o in data.get("observations", [])
            },
            needs=[(n["description"], n["priority"]) for n in data.get("needs", [])],
        )


class SurveyListSerializer(serializers.ModelSerializer[Survey]):
    """A survey in a list: what it is and how it scored, without its counts and inventory.

    A page of full surveys builds some 1,600 nested rows (about 20 per survey: equipment,
    quality, SOPARC cells, needs); a list is for choosing which survey to open, and the
    detail (``/api/surveys/{id}/``) has the rest.
    """

    is_mine = serializers.SerializerMethodField()
    observed_at = CalendarDateTimeField()

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
            "is_mine",
        )
        read_only_fields = fields

    def get_is_mine(self, survey: Survey) -> bool:
        request = self.context.get("request")
        return bool(request and survey.surveyor_id == request.user.pk)


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

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Survey]]:
        if self.action == "list":
            return SurveyListSerializer
        return SurveySerializer

    def get_queryset(self) -> QuerySet[Survey]:
        surveys = Survey.objects.visible_to(self.request.user).order_by("-observed_at", "-pk")
        if self.action == "list":  # the list's rows carry none of the nested parts
            return surveys
        return surveys.prefetch_related("equipment", "quality_items", "observations", "needs")

    @extend_schema(
        responses={
            201: SurveySerializer,
            200: OpenApiResponse(
                SurveySerializer, description="Sent before with this client_uuid: no change."
            ),
        }
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # What get_serializer builds, named so that to_survey_data is known to exist.
        serializer = SurveySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        survey, created = survey_submit(
            space=serializer.validated_data["space"],
            surveyor=signed_in_user(request),
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
                reviewer=signed_in_user(request),
                approve=serializer.validated_data["decision"] == "approve",
                comment=serializer.validated_data["comment"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)


class SurveyPhotoSerializer(serializers.ModelSerializer[SurveyPhoto]):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    image = UploadSerializerField(accept=IMAGES, download_url=lambda photo: photo.get_image_url())

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
                user=signed_in_user(request),
                upload=serializer.validated_data["image"],
                caption=serializer.validated_data.get("caption", ""),
            )
        except DjangoValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)
