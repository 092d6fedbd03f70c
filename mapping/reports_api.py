"""Problem reports over HTTP: the platform's API (``/api/reports/``) and Open311 GeoReport v2
(``/open311/v2/``), so existing Open311 clients and city dashboards can read and file reports.

Open311 (https://wiki.open311.org/GeoReport_v2/) as implemented here:
- ``discovery.json``; ``services.json`` (one service per category, ``service_code`` = the
  category); ``requests.json`` (GET: filters ``service_request_id``, ``service_code``,
  ``status``, ``start_date``, ``end_date``; at most 1000, newest first, the last 90 days
  when no date is given, as the specification suggests; POST: file a report);
  ``requests/<id>.json``. Every endpoint also answers in XML (``.xml``).
- ``jurisdiction_id`` is the district's UBIGEO (the platform's default district if absent).
- ``api_key`` is accepted and not required: residents file anonymously on the web too, and
  the same rate limits (per address, per ``device_id``, per contact) hold the API.
- A request's location is ``lat``/``long`` (snapped to the nearest public space) or
  ``address_id`` (a public space's id). ``email`` and ``phone`` are optional and never
  returned. Errors are ``[{"code": 400, "description": "…"}]``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from mapping.models import PublicSpace
from mapping.reports_limits import report_allowed
from mapping.reports_models import (
    OPEN_STATUSES,
    Report,
    ReportCategory,
    ReportPhoto,
    ReportStatus,
    ReportUpdate,
)
from mapping.reports_querysets import ReportQuerySet
from mapping.reports_services import clean_point, report_submit, space_nearest
from platform_app.models import District

MAX_REQUESTS = 1000
DEFAULT_DAYS = 90


# --- The platform's API -------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer[Report]):
    """A report as the public sees it: nothing about who reported it."""

    space_name = serializers.CharField(source="space.name", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Report
        fields = (
            "id",
            "space",
            "space_name",
            "category",
            "status",
            "description",
            "latitude",
            "longitude",
            "created_at",
            "acknowledged_at",
            "fixed_at",
            "confirmed_fixed",
            "url",
        )
        read_only_fields = fields


class ReportViewSet(viewsets.ReadOnlyModelViewSet[Report]):
    """Problem reports of public spaces (public, paginated; hidden ones only for moderators).
    To file one, use Open311 ``POST /open311/v2/requests.json``."""

    serializer_class = ReportSerializer
    permission_classes = (AllowAny,)
    filterset_fields = ("status", "category", "space", "district")
    ordering_fields = ("created_at", "id")

    def get_queryset(self) -> QuerySet[Report]:
        return Report.objects.visible_to(self.request.user).select_related("space").order_by("-pk")


# --- Open311 GeoReport v2 -----------------------------------------------------------------


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _render(data: Any, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ElementTree.Element(root)
        for row in data if isinstance(data, list) else [data]:
            child = ElementTree.SubElement(element, item)
            _xml_fill(child, row)
        body = ElementTree.tostring(element, encoding="unicode", xml_declaration=True)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


def _xml_fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_fill(ElementTree.SubElement(element, key), inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_fill(ElementTree.SubElement(element, "item"), inner)
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)


def _error(exc: Open311Error, fmt: str) -> HttpResponse:
    return _render(
        [{"code": exc.code, "description": exc.description}], fmt, "errors", "error", exc.code
    )


def _fmt(value: str) -> str:
    # Open311 names the format in the address: any other ending names no resource of ours.
    if value not in ("json", "xml"):
        raise NotFound
    return value


def _district(request: Request) -> District:
    body = request.data if isinstance(request.data, dict) else {}
    ubigeo = request.query_params.get("jurisdiction_id") or body.get("jurisdiction_id")
    district = District.objects.filter(ubigeo=ubigeo or settings.DEFAULT_DISTRICT_UBIGEO).first()
    if district is None:
        raise Open311Error(404, _("Unknown jurisdiction_id."))
    return district


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


class Open311ServiceSerializer(serializers.Serializer[Any]):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.CharField()
    keywords = serializers.CharField()
    group = serializers.CharField()


class Open311RequestSerializer(serializers.Serializer[Any]):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(allow_null=True)
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField()
    agency_responsible = serializers.CharField(allow_null=True)
    service_notice = serializers.CharField(allow_null=True)
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField()
    address_id = serializers.CharField()
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField()
    long = serializers.FloatField()
    media_url = serializers.CharField(allow_null=True)


class Open311CreateSerializer(serializers.Serializer[Any]):
    """What an Open311 client sends to file a report (form-encoded or JSON)."""

    service_code = serializers.ChoiceField(choices=ReportCategory.values)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    lat = serializers.CharField(required=False, allow_blank=True, max_length=40)
    long = serializers.CharField(required=False, allow_blank=True, max_length=40)
    address_id = serializers.IntegerField(required=False, min_value=1)
    address_string = serializers.CharField(required=False, allow_blank=True, max_length=255)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    api_key = serializers.CharField(required=False, allow_blank=True, max_length=100)
    jurisdiction_id = serializers.CharField(required=False, allow_blank=True, max_length=20)


def _service(value: str, label: str) -> dict[str, Any]:
    return {
        "service_code": value,
        "service_name": label,
        "description": label,
        "metadata": False,
        "type": "realtime",
        "keywords": value,
        "group": str(_("Public spaces")),
    }


def _request_row(
    report: Report, photos: list[ReportPhoto], notes: list[ReportUpdate]
) -> dict[str, Any]:
    note = next((u.note for u in reversed(notes) if u.note), None)
    agency = (
        report.area.name
        if report.area
        else (report.organization.name if report.organization else None)
    )
    return {
        "service_request_id": str(report.pk),
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": note,
        "service_name": str(ReportCategory(report.category).label),
        "service_code": report.category,
        "description": report.description,
        "agency_responsible": agency,
        "service_notice": str(ReportStatus(report.status).label),
        "requested_datetime": _when(report.created_at),
        "updated_datetime": _when(report.updated_at),
        "expected_datetime": None,
        "address": report.space.name,
        "address_id": str(report.space_id),
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": settings.SITE_URL + photos[0].get_absolute_url() if photos else None,
    }


def _requests(reports: QuerySet[Report]) -> list[dict[str, Any]]:
    rows = reports.select_related("space", "area", "organization").prefetch_related(
        Prefetch("photos", queryset=ReportPhoto.objects.filter(hidden=False), to_attr="shown"),
        Prefetch(
            "updates", queryset=ReportUpdate.objects.filter(hidden=False), to_attr="public_notes"
        ),
    )
    return [_request_row(r, r.shown, r.public_notes) for r in rows]


class Open311Discovery(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        tags=["open311"],
        summary="Open311 discovery",
        responses={
            200: inline_serializer("Open311Discovery", {"endpoints": serializers.ListField()})
        },
    )
    def get(self, request: Request, fmt: str) -> HttpResponse:
        fmt = _fmt(fmt)
        base = settings.SITE_URL + reverse("open311:services", args=["json"]).rsplit("/", 1)[0]
        data = {
            "changeset": "2026-12-06T00:00:00Z",
            "contact": settings.DEFAULT_FROM_EMAIL,
            "key_service": "",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-12-06T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }
        return (
            _render(data, fmt, "discovery", "discovery")
            if fmt == "json"
            else _render([data], fmt, "discovery", "item")
        )


class Open311Services(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        tags=["open311"],
        summary="Open311 service list (one per report category)",
        parameters=[OpenApiParameter("jurisdiction_id", str, description="district UBIGEO")],
        responses={200: Open311ServiceSerializer(many=True)},
    )
    def get(self, request: Request, fmt: str) -> HttpResponse:
        fmt = _fmt(fmt)
        try:
            _district(request)
        except Open311Error as exc:
            return _error(exc, fmt)
        data = [_service(value, str(label)) for value, label in ReportCategory.choices]
        return _render(data, fmt, "services", "service")


class Open311Requests(APIView):
    permission_classes = (AllowAny,)
    # No session: an Open311 client is not a browser, and no cookie may file in its name.
    authentication_classes = ()
    parser_classes = (FormParser, MultiPartParser, JSONParser)

    @extend_schema(
        tags=["open311"],
        summary="Open311 service requests (problem reports)",
        parameters=[
            OpenApiParameter("jurisdiction_id", str, description="district UBIGEO"),
            OpenApiParameter("service_request_id", str, description="comma-separated ids"),
            OpenApiParameter("service_code", str, enum=ReportCategory.values),
            OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter("start_date", str, description="ISO 8601"),
            OpenApiParameter("end_date", str, description="ISO 8601"),
        ],
        responses={200: Open311RequestSerializer(many=True)},
    )
    def get(self, request: Request, fmt: str) -> HttpResponse:
        fmt = _fmt(fmt)
        try:
            district = _district(request)
            reports = self._filtered(request, Report.objects.public().filter(district=district))
        except Open311Error as exc:
            return _error(exc, fmt)
        return _render(
            _requests(reports.order_by("-created_at", "-pk")[:MAX_REQUESTS]),
            fmt,
            "service_requests",
            "request",
        )

    def _filtered(self, request: Request, reports: ReportQuerySet) -> ReportQuerySet:
        params = request.query_params
        ids = params.get("service_request_id", "")
        if ids:
            numbers = [p.strip() for p in ids.split(",")]
            if not all(n.isdigit() for n in numbers) or len(numbers) > MAX_REQUESTS:
                raise Open311Error(
                    400, _("service_request_id must be numbers separated by commas.")
                )
            return reports.filter(pk__in=[int(n) for n in numbers])
        code = params.get("service_code", "")
        if code:
            if code not in ReportCategory.values:
                raise Open311Error(400, _("Unknown service_code."))
            reports = reports.filter(category=code)
        status = params.get("status", "")
        if status == "open":
            reports = reports.open()
        elif status == "closed":
            reports = reports.exclude(status__in=[s.value for s in OPEN_STATUSES])
        elif status:
            raise Open311Error(400, _("status must be open or closed."))
        start = self._date(params.get("start_date"))
        end = self._date(params.get("end_date"))
        if start is None and end is None:
            start = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            reports = reports.filter(created_at__gte=start)
        if end is not None:
            reports = reports.filter(created_at__lte=end)
        return reports

    def _date(self, value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise Open311Error(400, _("Dates must be ISO 8601, e.g. 2026-12-01T00:00:00-05:00."))
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)

    @extend_schema(
        tags=["open311"],
        summary="File a problem report (Open311 POST service request)",
        request=Open311CreateSerializer,
        responses={
            201: inline_serializer(
                "Open311Created",
                {
                    "service_request_id": serializers.CharField(),
                    "service_notice": serializers.CharField(),
                    "account_id": serializers.CharField(allow_null=True),
                },
                many=True,
            )
        },
    )
    def post(self, request: Request, fmt: str) -> HttpResponse:
        fmt = _fmt(fmt)
        try:
            report = self._file(request)
        except Open311Error as exc:
            return _error(exc, fmt)
        data = [
            {
                "service_request_id": str(report.pk),
                "service_notice": str(
                    _("Thank you. Your report is number %(number)s.") % {"number": report.pk}
                ),
                "account_id": None,
            }
        ]
        return _render(data, fmt, "service_requests", "request", 201)

    def _file(self, request: Request) -> Report:
        district = _district(request)
        payload = Open311CreateSerializer(data=request.data)
        if not payload.is_valid():
            field, errors = next(iter(payload.errors.items()))
            raise Open311Error(400, f"{field}: {' '.join(str(e) for e in errors)}")
        data = payload.validated_data
        try:
            latitude = longitude = None
            if data.get("address_id"):
                found = PublicSpace.objects.in_district(district).filter(pk=data["address_id"])
                space = found.select_related("district", "sector").first()
                if space is None:
                    raise Open311Error(404, _("No public space has this address_id."))
            else:
                if not (data.get("lat") and data.get("long")):
                    raise Open311Error(400, _("Give lat and long, or address_id."))
                latitude, longitude = clean_point(data["lat"], data["long"])
                space = space_nearest(district=district, latitude=latitude, longitude=longitude)
            device = data.get("device_id", "")
            contact = data.get("email", "") or data.get("phone", "")
            if not report_allowed(request._request, device=device, contact=contact):
                raise Open311Error(
                    429, _("Too many reports from here in a short time. Try again later.")
                )
            return report_submit(
                space=space,
                category=data["service_code"],
                description=data["description"],
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                device=device,
                latitude=latitude,
                longitude=longitude,
            )
        except DjangoValidationError as exc:
            raise Open311Error(400, " ".join(exc.messages)) from exc


class Open311Request(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        tags=["open311"],
        summary="One Open311 service request",
        responses={200: Open311RequestSerializer(many=True)},
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        fmt = _fmt(fmt)
        try:
            reports = Report.objects.public().filter(pk=pk)
            rows = _requests(reports)
            if not rows:
                raise Open311Error(404, _("No such service request."))
        except Open311Error as exc:
            return _error(exc, fmt)
        return _render(rows, fmt, "service_requests", "request")
