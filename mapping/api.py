"""REST API of the mapping app: spaces (GeoJSON), surveys and photos."""

from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import get_script_prefix, reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
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
    ALL_DISTRICTS,
    MAX_SPAN_DEGREES,
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
from mapping.querysets import PublicSpaceQuerySet
from mapping.services import SurveyData, survey_photo_add, survey_review, survey_submit
from santaanita.api_contract import ERROR_DESCRIPTIONS, CalendarDateTimeField
from santaanita.compression import encoded_response, encoded_variants
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


Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapQuery:
    """What one map request asks for. ``None`` means "no such filter"."""

    bbox: Bbox | None = None
    district: str | None = None
    sector: int | None = None
    category: str | None = None
    condition: str | None = None
    has_organization: bool | None = None
    centroid: bool = False

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
        """The same selection through the queryset methods, the domain's one definition of
        each filter: the tests hold ``MAP_SQL`` to it, filter by filter."""
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
        return spaces.order_by("pk").values_list("pk", "name")[:MAP_MAX_FEATURES]

    def filters_key(self) -> str:
        """The filters apart from the window, as a cache key part."""
        return (
            f"{self.district or ''}:{'' if self.sector is None else self.sector}:"
            f"{self.category or ''}:{self.condition or ''}:"
            f"{'' if self.has_organization is None else int(self.has_organization)}:"
            f"{int(self.centroid)}"
        )


# Whole Peru (and more): the window of a district's layer, which has no bbox of its own.
WORLD: Bbox = (-180.0, -90.0, 180.0, 90.0)

# The map query, written once with every filter as an explicit parameter: a NULL
# parameter is "no such filter". The window's conditions are the ones of
# ``bbox_lookups`` (a range on the leading column of publicspace_bbox_idx, bounded on
# both sides by MAX_SPAN_DEGREES); the rest are checked on the rows the index finds. The
# condition bands are ``PublicSpaceQuerySet.in_condition_band``'s limits.
MAP_SQL = """
SELECT s.id, s.name, s.category, s.condition_score, s.centroid_lon, s.centroid_lat,
       s.geometry, s.min_lon, s.min_lat, s.max_lon, s.max_lat
FROM mapping_publicspace s
WHERE s.min_lon >= %(west_reach)s AND s.min_lon <= %(east)s AND s.max_lon >= %(west)s
  AND s.min_lat <= %(north)s AND s.max_lat >= %(south)s
  AND (%(district)s IS NULL OR s.district_id IN (
      SELECT d.id FROM platform_app_district d WHERE d.ubigeo = %(district)s))
  AND (%(sector)s IS NULL OR s.sector_id IN (
      SELECT t.id FROM platform_app_sector t WHERE t.number = %(sector)s))
  AND (%(category)s IS NULL OR s.category = %(category)s)
  AND (%(score_from)s IS NULL OR s.condition_score >= %(score_from)s)
  AND (%(score_below)s IS NULL OR s.condition_score < %(score_below)s)
  AND (%(unscored)s IS NULL OR s.condition_score IS NULL)
  AND (%(has_organization)s IS NULL OR %(has_organization)s = EXISTS (
      SELECT 1 FROM mapping_publicspace_organizations o WHERE o.publicspace_id = s.id))
LIMIT %(limit)s
"""

# Score limits of each band as (from, below, unscored): see ConditionBand.for_score.
BAND_SCORES: dict[str, tuple[int | None, int | None, bool | None]] = {
    ConditionBand.GOOD: (70, None, None),
    ConditionBand.FAIR: (40, 70, None),
    ConditionBand.BAD: (None, 40, None),
    ConditionBand.UNKNOWN: (None, None, True),
}


# One space as the map shows it: pk, bounding box (west, south, east, north) and its
# serialized feature minus what depends on the request (the URL's script prefix). A plain
# tuple: the cached cells are read back on nearly every map request, and a tuple is the
# cheapest thing to unpickle.
MapRow = tuple[int, float, float, float, float, str]


def _meeting(rows: Iterable[MapRow], window: Bbox) -> list[MapRow]:
    """The rows whose bounding box meets ``window`` (``bbox_lookups``'s test)."""
    west, south, east, north = window
    return [
        row
        for row in rows
        if row[1] <= east and row[3] >= west and row[2] <= north and row[4] >= south
    ]


def map_rows(query: MapQuery, window: Bbox, *, limit: int | None = None) -> list[MapRow]:
    """The spaces of ``query``'s filters whose bounding box meets ``window``: one query."""
    score_from, score_below, unscored = BAND_SCORES.get(query.condition or "", (None,) * 3)
    west, south, east, north = window
    params = {
        "west_reach": west - MAX_SPAN_DEGREES,
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        "district": query.district,
        "sector": query.sector,
        "category": query.category,
        "score_from": score_from,
        "score_below": score_below,
        "unscored": unscored,
        "has_organization": query.has_organization,
        # No limit is still a number: SQLite has no LIMIT NULL.
        "limit": MAP_FULL_LIMIT if limit is None else limit,
    }
    with connections[PublicSpace.objects.db].cursor() as cursor:
        cursor.execute(MAP_SQL, params)
        rows = cursor.fetchall()
    return [
        (
            pk,
            min_lon,
            min_lat,
            max_lon,
            max_lat,
            _fragment(
                name=name,
                category=category,
                score=score,
                geometry=(
                    {"type": "Point", "coordinates": [lon, lat]}
                    if query.centroid
                    # A JSON column reads as its text on both backends.
                    else json.loads(geometry)
                    if isinstance(geometry, str)
                    else geometry
                ),
            ),
        )
        for pk, name, category, score, lon, lat, geometry, min_lon, min_lat, max_lon, max_lat in (
            rows
        )
    ]


def _fragment(*, name: str, category: str, score: int | None, geometry: Any) -> str:
    """The middle of a space's GeoJSON Feature: ``"geometry":{…},"properties":{…,`` (the
    response appends the space's URL, which depends on the script prefix)."""
    properties = json.dumps(
        {
            "name": name,
            "category": category,
            "condition_score": score,
            "condition": ConditionBand.for_score(score).value,
        },
        separators=(",", ":"),
    )[:-1]  # open: the response appends "url"
    return f'"geometry":{json.dumps(geometry, separators=(",", ":"))},"properties":{properties},'


# The grid the map windows are cut into for the cache: a window is the union of the cells
# it meets, each cached once for every window that meets it, and each answer keeps only
# the spaces that meet the window itself (so the answer is the window's, not the cells').
# A cell is as wide as the widest space; an average map window meets four to six.
CELL_DEGREES = MAX_SPAN_DEGREES
# A wider window (all of Lima at once) is one uncached query rather than many cells.
MAX_CELLS = 36
# A cell query has no row limit; this bounds it all the same.
MAP_FULL_LIMIT = 1_000_000


def _cells(window: Bbox) -> list[tuple[int, int]]:
    west, south, east, north = window
    columns = range(math.floor(west / CELL_DEGREES), math.floor(east / CELL_DEGREES) + 1)
    rows = range(math.floor(south / CELL_DEGREES), math.floor(north / CELL_DEGREES) + 1)
    if len(columns) * len(rows) > MAX_CELLS:
        return []
    return [(x, y) for x in columns for y in rows]


# A cell's edges are products of floats: each cell is widened by this (about 0.1 mm) so
# that a space on a grid line is in the cells on both sides of it, whatever the rounding.
# A space a cell holds beyond its edge costs nothing: every answer keeps only the spaces
# that meet its own window.
CELL_MARGIN = 1e-9


def _cell_window(x: int, y: int) -> Bbox:
    return (
        x * CELL_DEGREES - CELL_MARGIN,
        y * CELL_DEGREES - CELL_MARGIN,
        (x + 1) * CELL_DEGREES + CELL_MARGIN,
        (y + 1) * CELL_DEGREES + CELL_MARGIN,
    )


def window_rows(query: MapQuery, window: Bbox) -> list[MapRow]:
    """The rows of a map window, from the cached cells it meets (one query for the cells
    missing from the cache, none when all are there)."""
    cells = _cells(window)
    if not cells:
        return map_rows(query, window, limit=MAP_MAX_FEATURES)
    # The map version moves on with every saved change of a space, so a cached cell is
    # never older than the last save (see mapping.models.layer_version).
    prefix = f"mapping:cell:{layer_version(ALL_DISTRICTS)}:{query.filters_key()}"
    keys = {cell: f"{prefix}:{cell[0]}:{cell[1]}" for cell in cells}
    found: dict[str, list[MapRow]] = cache.get_many(keys.values())
    missing = [cell for cell in cells if keys[cell] not in found]
    if missing:
        # One query for the rectangle of the missing cells, shared out among them.
        first = _cell_window(min(x for x, _y in missing), min(y for _x, y in missing))
        last = _cell_window(max(x for x, _y in missing), max(y for _x, y in missing))
        fetched = map_rows(query, (first[0], first[1], last[2], last[3]))
        filled = {keys[cell]: _meeting(fetched, _cell_window(*cell)) for cell in missing}
        cache.set_many(filled, LAYER_CACHE_SECONDS)
        found.update(filled)
    rows = {row[0]: row for key in keys.values() for row in _meeting(found[key], window)}
    return [rows[pk] for pk in sorted(rows)[:MAP_MAX_FEATURES]]


@functools.cache
def _space_url_prefix(script_prefix: str) -> str:
    # Per script prefix (reverse() prepends it), JSON-escaped once: reverse() costs more
    # than concatenating a whole window's features.
    return json.dumps(reverse("mapping:space-detail", args=["0"])[: -len("0/")])[1:-1]


def feature_collection(rows: list[MapRow]) -> bytes:
    """The GeoJSON FeatureCollection of ``rows``, written from their serialized features."""
    url = _space_url_prefix(get_script_prefix())
    features = ",".join(
        [
            f'{{"type":"Feature","id":{pk},{fragment}"url":"{url}{pk}/"}}}}'
            for pk, *_bbox, fragment in rows
        ]
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()


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


@require_safe
def space_map(request: HttpRequest) -> HttpResponse:
    """Public spaces as GeoJSON (RFC 7946), ``GET /api/spaces/``. Public: no personal data.

    A FeatureCollection of the spaces whose bounding box meets ``bbox`` (the map's visible
    window), served from cached grid cells (see ``window_rows``). Without ``bbox`` and
    filters, a district's whole layer is served from the cache under a version that every
    saved change of the district's spaces moves on, so an edit is visible at once.

    A plain Django view rather than a DRF action: it is the busiest read of the platform and
    the same for everyone, so there is no account to look up, no representation to
    negotiate and nothing to parse, and DRF's request cycle for none of it would cost a
    quarter of each cached answer. Its schema is ``MAP_OPERATION`` (``document_space_map``).
    """
    try:
        query = MapQuery.from_params(request.GET)
    except ValidationError as exc:
        # The same body as the API's other 400s (santaanita.api_contract).
        return JsonResponse(exc.detail, status=400)
    if query.bbox is None:
        if query == MapQuery(district=query.district, centroid=query.centroid):
            return _district_layer(request, query)
        return _geojson_response(feature_collection(_district_rows(query)))
    return _geojson_response(feature_collection(window_rows(query, query.bbox)))


def _district_layer(request: HttpRequest, query: MapQuery) -> HttpResponse:
    # The district's layer version, bumped after every committed save of one of its
    # spaces (PublicSpace.save), names the body: a hit is one small cache read (the
    # version), no query, and bytes this process already holds, compressed already.
    ubigeo = query.district or ""
    version = layer_version(ubigeo)
    etag = f'"{version}-{int(query.centroid)}"'
    if "HTTP_IF_NONE_MATCH" in request.META:
        unchanged = get_conditional_response(request, etag=etag)
        if unchanged is not None:
            return unchanged
    # The bucket bounds how long a process keeps a body by the cache's own timeout, which
    # is all that catches a bulk update that bypasses save().
    bucket = int(time.time() // LAYER_CACHE_SECONDS)
    variants = _layer_variants(ubigeo, query.centroid, version, bucket)
    return encoded_response(request, variants, "application/geo+json", etag=etag)


_SCHEMA_TYPES: dict[object, str] = {str: "string", bool: "boolean", int: "integer"}


def _parameter(parameter: OpenApiParameter) -> dict[str, object]:
    """An OpenApiParameter of a query as the schema writes it."""
    kind = parameter.type
    schema: dict[str, object] = (
        dict(kind) if isinstance(kind, dict) else {"type": _SCHEMA_TYPES[kind]}
    )
    if parameter.enum:
        schema["enum"] = sorted(parameter.enum)
    if parameter.pattern:
        schema["pattern"] = parameter.pattern
    written: dict[str, object] = {"in": "query", "name": parameter.name, "schema": schema}
    if parameter.description:
        written["description"] = parameter.description
    return written


def _map_operation() -> dict[str, object]:
    geojson = {"type": "object", "additionalProperties": {}}
    invalid = {"$ref": "#/components/schemas/ValidationError"}
    return {
        "operationId": "spaces_list",
        "description": space_map.__doc__ or "",
        "parameters": [_parameter(p) for p in sorted(MAP_PARAMETERS, key=lambda p: p.name)],
        "tags": ["api"],
        "security": [{}],
        "responses": {
            "200": {"content": {"application/geo+json": {"schema": geojson}}, "description": ""},
            "304": {"description": "The district's layer has not changed since its ETag."},
            "400": {
                "description": ERROR_DESCRIPTIONS["400"],
                "content": {"application/json": {"schema": invalid}},
            },
        },
    }


def document_space_map(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook (SPECTACULAR_SETTINGS): writes the map view's
    operation into the schema beside the spaces resource DRF documents itself."""
    result["paths"].setdefault("/api/spaces/", {})["get"] = _map_operation()
    paths = dict(sorted(result["paths"].items()))
    result["paths"] = paths
    return result


class PublicSpaceViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[PublicSpace]):
    """One public space as a GeoJSON Feature (the list is ``space_map``)."""

    renderer_classes = (GeoJSONRenderer, JSONRenderer)
    authentication_classes: tuple[Any, ...] = ()
    permission_classes = (AllowAny,)
    http_method_names = ("get", "head", "options")

    def get_queryset(self) -> QuerySet[PublicSpace]:
        return PublicSpace.objects.visible_to(self.request.user).order_by("pk")

    # djangorestframework-stubs declare Response, but DRF takes any HttpResponse from a
    # handler (finalize_response checks for HttpResponseBase): the GeoJSON is written here.
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


@functools.lru_cache(maxsize=128)
def _layer_variants(ubigeo: str, centroid: bool, version: str, bucket: int) -> dict[str, bytes]:
    """A district's whole layer, each encoding once, kept per process for a version (and at
    most one cache timeout), shared by the workers through the cache."""
    key = f"mapping:layer-encoded:{ubigeo}:{int(centroid)}:{version}"
    variants: dict[str, bytes] | None = cache.get(key)
    if variants is None:
        rows = _district_rows(MapQuery(district=ubigeo, centroid=centroid))
        variants = encoded_variants(feature_collection(rows))
        cache.set(key, variants, LAYER_CACHE_SECONDS)
    return variants


def _district_rows(query: MapQuery) -> list[MapRow]:
    # Without a window, the filters alone select; in a stable order, so that a district's
    # layer cached as bytes is always the same bytes.
    return sorted(map_rows(query, WORLD, limit=MAP_MAX_FEATURES), key=lambda row: row[0])


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
