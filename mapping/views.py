"""Pages of the mapping app: public map and space pages, the surveyor's phone views, review,
assignments, coverage and exports. Thin: parse, check, call one service, render."""

from __future__ import annotations

import json
import re
import uuid
from importlib.metadata import version as package_version
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mapping.exports import export_queryset, to_csv, to_geojson, to_kml
from mapping.forms import (
    AssignmentForm,
    PublicSpaceForm,
    ReviewForm,
    SurveyForm,
    SurveyPhotoForm,
    UncaredSpacesFilterForm,
)
from mapping.models import (
    SPACE_PAGES,
    Assignment,
    ConditionBand,
    Observation,
    PublicSpace,
    Report,
    Survey,
)
from mapping.permissions import (
    get_space_for_user,
    get_survey_for_user,
    get_survey_photo_for_user,
    may_add_photo,
    may_assign_surveyors,
    may_change_space,
    may_review_survey,
    may_survey,
    require_district,
)
from mapping.reports_indicators import open_reports_by_sector
from mapping.reports_views import LAYER_MAX_SPAN
from mapping.services import (
    assignment_create,
    space_save,
    survey_photo_add,
    survey_review,
    survey_submit,
)
from platform_app.models import District
from platform_app.services.places import DISTRICT_PAGES, ORGANIZATION_PAGES
from santaanita.assets import service_worker_response, static_digest
from santaanita.files import serve_private
from santaanita.once import single_submission
from santaanita.page_cache import kept_page
from santaanita.users import signed_in_user

REVIEW_QUEUE_PER_PAGE = 20
SPACE_OPEN_REPORTS = 20

# The static files the surveyor's service worker keeps offline: every file "My
# assignments" and the survey form load, base.html's included. The worker's PRECACHE is
# rendered from this one list and its version digests it, so a file added here is both
# cached and versioned (a test renders both pages and compares).
SURVEY_WORKER_STATIC = (
    "css/site.css",
    "css/print.css",
    "js/forms.js",
    "vendor/htmx/htmx.min.js",
    "mapping/mapping.css",
    "js/offline-queue.js",
    "mapping/survey-offline.js",
    "mapping/assignment-map.js",
    "js/leaflet-boot.js",
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/leaflet.extras.js",
    "leaflet/leaflet.extras.css",
)


def _default_district() -> District:
    return get_object_or_404(
        District.objects.prefetch_related("sectors"), ubigeo=settings.DEFAULT_DISTRICT_UBIGEO
    )


# --- Public ------------------------------------------------------------------------------


# Kept for anonymous visitors until the district's outline changes; the spaces come from
# the layer API.
@kept_page(generation=DISTRICT_PAGES)
def space_map(request: HttpRequest) -> HttpResponse:
    district = _default_district()
    return render(
        request,
        "mapping/space_map.html",
        {
            "district": district,
            "categories": PublicSpace.Category.choices,
            "bands": ConditionBand.choices,
            "report_layer_max_span": LAYER_MAX_SPAN,
            "outline": {"type": "Feature", "properties": {}, "geometry": district.boundary}
            if district.boundary
            else None,
        },
    )


# Kept for anonymous visitors until a space, an organization or a sector changes (other
# apps' panels move the space family when what they show changes).
@kept_page(generation=(SPACE_PAGES, ORGANIZATION_PAGES, DISTRICT_PAGES))
def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    space = get_space_for_user(request.user, pk, action="view")
    survey = space.latest_verified_survey
    context: dict[str, object] = {
        "space": space,
        "survey": survey,
        "organizations": space.organizations.order_by("name").values_list("name", flat=True),
        "can_edit": may_change_space(request.user, space),
        "can_survey": may_survey(request.user, space),
        # Other apps' panels (settings.SPACE_PAGE_PANELS), e.g. residents' perception of it.
        "panels": [import_string(path)(space=space) for path in settings.SPACE_PAGE_PANELS],
        # Open problem reports of the space (public, nothing about who reported them).
        "open_reports": Report.objects.public()
        .open()
        .filter(space=space)
        .order_by("-created_at")[:SPACE_OPEN_REPORTS],
    }
    if survey is not None:
        context.update(
            equipment=survey.equipment.all(),
            quality=survey.quality_items.all(),
            needs=survey.needs.all(),
            photos=survey.photos.all(),
            people=sum(o.count for o in survey.observations.all()),
        )
    return render(request, "mapping/space_detail.html", context)


def _export_spaces(request: HttpRequest) -> tuple[District, Any]:
    ubigeo = request.GET.get("district") or settings.DEFAULT_DISTRICT_UBIGEO
    district = get_object_or_404(District, ubigeo=ubigeo)
    spaces = export_queryset(PublicSpace.objects.filter(district=district).order_by("pk"))
    return district, spaces


def export_geojson(request: HttpRequest) -> HttpResponse:
    district, spaces = _export_spaces(request)

    response = HttpResponse(
        json.dumps(to_geojson(spaces), ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="espacios-{district.slug}.geojson"'
    return response


def export_kml(request: HttpRequest) -> HttpResponse:
    district, spaces = _export_spaces(request)
    body = to_kml(spaces, title=_("Public spaces of %(district)s") % {"district": district.name})
    response = HttpResponse(body, content_type="application/vnd.google-earth.kml+xml")
    response["Content-Disposition"] = f'attachment; filename="espacios-{district.slug}.kml"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    district, spaces = _export_spaces(request)
    response = HttpResponse(to_csv(spaces), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="espacios-{district.slug}.csv"'
    return response


@login_required
@single_submission
def space_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no pk) or change a space; its geometry is drawn on the map or pasted."""
    if pk is None:
        district = require_district(request.user, action="add_space")
        space = PublicSpace(district=district)
    else:
        space = get_space_for_user(request.user, pk, action="change")
        district = space.district
    form = PublicSpaceForm(request.POST or None, instance=space, district=district)
    if request.method == "POST" and form.is_valid():
        space = space_save(
            space=form.save(commit=False),
            user=signed_in_user(request),
            organizations=form.cleaned_data["organizations"],
        )
        messages.success(request, _("The space was saved."))
        return redirect(space.get_absolute_url())
    outline = (
        {"type": "Feature", "properties": {}, "geometry": district.boundary}
        if district.boundary
        else None
    )
    return render(
        request,
        "mapping/space_form.html",
        {"form": form, "space": space, "outline": outline},
        status=400 if request.method == "POST" else 200,
    )


# --- Surveyors ---------------------------------------------------------------------------


@login_required
def my_assignments(request: HttpRequest) -> HttpResponse:
    spaces = (
        PublicSpace.objects.assigned_to(request.user)
        .select_related("sector")
        .annotate(
            my_open=Count(
                "surveys",
                filter=Q(surveys__surveyor=request.user)
                & Q(surveys__status__in=[Survey.Status.DRAFT, Survey.Status.RETURNED]),
            )
        )
        .order_by("name")
    )
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.centroid_lon, s.centroid_lat]},
                "properties": {
                    "name": s.name,
                    "condition": s.condition_band.value,
                    "url": reverse("mapping:survey-form", args=[s.pk]),
                    "id": s.pk,
                },
            }
            for s in spaces
        ],
    }
    surveys = Survey.objects.filter(surveyor=signed_in_user(request)).select_related("space")[:50]
    return render(
        request,
        "mapping/assignment_mine.html",
        {"spaces": spaces, "points": points, "surveys": surveys},
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def survey_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The space's ficha on paper for surveyors without a phone: the same fields, blank, with
    the space's code and a QR code of its survey form, where the sheet is typed in later."""
    space = get_space_for_user(request.user, pk, action="survey")
    form = SurveyForm()
    form_url = request.build_absolute_uri(reverse("mapping:survey-form", args=[space.pk]))
    return render(
        request,
        "mapping/survey_print.html",
        {
            "space": space,
            "form": form,
            "paper_fields": [form["observed_at"], form["zone"], form["notes"]],
            "form_url": form_url,
            "qr_code": segno.make(form_url, error="m").svg_data_uri(scale=4),
        },
    )


@login_required
def survey_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The ficha. GET renders it (a returned survey is reopened with ``?survey=<uuid>``);
    POST saves it through ``survey_submit``, which is idempotent on ``client_uuid``: the
    phone's offline queue may post the same survey more than once."""
    space = get_space_for_user(request.user, pk, action="survey")
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            survey, created = survey_submit(
                space=space,
                surveyor=signed_in_user(request),
                client_uuid=form.cleaned_data["client_uuid"],
                data=form.survey_data(),
                final=form.cleaned_data["final"],
            )
            url = survey.get_absolute_url()
            if _wants_json(request):
                return JsonResponse(
                    {
                        "id": survey.pk,
                        "status": survey.status,
                        "url": url,
                        "photo_url": reverse("mapping:survey-photo", args=[survey.pk]),
                        "created": created,
                    },
                    status=201 if created else 200,
                )
            messages.success(request, _("The survey was saved."))
            return redirect(url)
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    else:
        initial: dict[str, object] = {
            "client_uuid": uuid.uuid4(),
            "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "final": True,
        }
        reopen = request.GET.get("survey")
        if reopen:
            survey = get_object_or_404(
                Survey.objects.filter(surveyor=signed_in_user(request), space=space),
                client_uuid=reopen,
            )
            reopened, several_zones = _initial_from(survey)
            initial.update(reopened)
            if several_zones:
                messages.warning(
                    request,
                    _(
                        "This survey counted people in several zones. The form shows the "
                        "sums of all zones; sending it records them as one zone."
                    ),
                )
        form = SurveyForm(initial=initial)
    return render(request, "mapping/survey_form.html", {"space": space, "form": form})


def _initial_from(survey: Survey) -> tuple[dict[str, Any], bool]:
    """The form's initial values from ``survey``, and whether it counted several zones."""
    initial: dict[str, Any] = {
        "client_uuid": survey.client_uuid,
        "observed_at": timezone.localtime(survey.observed_at).strftime("%Y-%m-%dT%H:%M"),
        "notes": survey.notes,
    }
    for item in survey.equipment.all():
        initial[f"eq_{item.feature}_count"] = item.count
        initial[f"eq_{item.feature}_condition"] = item.condition
    for q in survey.quality_items.all():
        initial[f"q_{q.item}"] = q.rating
    zones: list[str] = []
    for o in survey.observations.all():
        if o.zone not in zones:
            zones.append(o.zone)
        # The form has one zone field. A survey sent with several zones (through the API)
        # shows each cell's sum under the zones' joined names, rather than the last zone's
        # counts silently replacing the others'; survey_form warns the surveyor.
        key = f"obs_{o.age_group}_{o.sex}_{o.activity}"
        initial[key] = initial.get(key, 0) + o.count
    if zones:
        # The joined names must fit the zone field (the form's is as long as the model's).
        max_length = Observation._meta.get_field("zone").max_length
        initial["zone"] = " + ".join(zones)[:max_length]
    for n, need in enumerate(survey.needs.all()[:3], start=1):
        initial[f"need_{n}"] = need.description
        initial[f"need_{n}_priority"] = need.priority
    return initial, len(zones) > 1


def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request.user, pk)
    is_author = survey.surveyor_id == request.user.pk
    is_reviewer = may_review_survey(request.user, survey)
    return render(
        request,
        "mapping/survey_detail.html",
        {
            "survey": survey,
            "is_author": is_author,
            # The surveyor's name is shown to reviewers only: volunteers stay anonymous
            # to the public.
            "is_reviewer": is_reviewer,
            "photo_form": SurveyPhotoForm() if may_add_photo(request.user, survey) else None,
            "review_form": ReviewForm()
            if is_reviewer and survey.status == Survey.Status.SUBMITTED
            else None,
        },
    )


@login_required
@require_POST
@single_submission
def survey_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request.user, pk, action="add_photo")
    form = SurveyPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        photo = survey_photo_add(
            survey=survey,
            user=signed_in_user(request),
            upload=form.cleaned_data["image"],
            caption=form.cleaned_data["caption"],
            client_uuid=form.cleaned_data["client_uuid"],
        )
        if _wants_json(request):  # the phone's offline queue
            return JsonResponse({"id": photo.pk}, status=201)
        messages.success(request, _("The photo was added."))
        return redirect(survey.get_absolute_url())
    if _wants_json(request):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return render(
        request,
        "mapping/survey_detail.html",
        {
            "survey": survey,
            "is_author": survey.surveyor_id == request.user.pk,
            "is_reviewer": may_review_survey(request.user, survey),
            "photo_form": form,
            "review_form": None,
        },
        status=400,
    )


def survey_photo_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A survey's photo for whoever may see the survey (anyone once it is approved, when
    its photos also have a public URL); 404 for anyone else."""
    photo = get_survey_photo_for_user(request.user, pk)
    return serve_private(request, photo.image, download_name=_("photo"))


# --- Review: the university's reviewers and coordinators (mapping.review_survey) ---------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The district's submitted surveys, oldest first. Asks for the permission, not a
    role: reviewers and coordinators both hold it."""
    district = require_district(request.user, action="review")
    surveys = (
        Survey.objects.filter(space__district=district, status=Survey.Status.SUBMITTED)
        .select_related("space", "surveyor")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(surveys, REVIEW_QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "mapping/review_queue.html", {"page": page, "surveys": page.object_list})


@login_required
@require_POST
@single_submission
def survey_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request.user, pk, action="review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            survey_review(
                survey=survey,
                reviewer=signed_in_user(request),
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The review was recorded."))
        return redirect("mapping:review-queue")
    return render(
        request,
        "mapping/survey_detail.html",
        {
            "survey": survey,
            "is_author": False,
            "is_reviewer": True,
            "photo_form": None,
            "review_form": form,
        },
        status=400,
    )


# --- Coordinators ------------------------------------------------------------------------


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    district = require_district(request.user, action="view_assignments")
    form = AssignmentForm(request.POST or None, district=district)
    if request.method == "POST":
        if not may_assign_surveyors(request.user, district):
            raise PermissionDenied
        if form.is_valid():
            for space in form.cleaned_data["spaces"]:
                assignment_create(
                    space=space,
                    surveyor=form.cleaned_data["surveyor"],
                    assigned_by=signed_in_user(request),
                    due_date=form.cleaned_data["due_date"],
                )
            messages.success(request, _("The spaces were assigned."))
            return redirect("mapping:assignment-list")
    assignments = (
        Assignment.objects.visible_to(request.user)
        .active()
        .filter(space__district=district)
        .select_related("space", "surveyor")
        .order_by("surveyor__email", "space__name")
    )
    return render(
        request, "mapping/assignment_list.html", {"form": form, "assignments": assignments}
    )


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Spaces mapped and characterized per sector, against the target of 100%."""
    district = require_district(request.user, action="view_coverage")
    spaces = PublicSpace.objects.filter(district=district)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in spaces.values("sector__number", "sector__name")
        .annotate(
            mapped=Count("pk"),
            characterized=Count("pk", filter=Q(latest_verified_survey__isnull=False)),
        )
        .order_by("sector__number")
    ]
    reported = open_reports_by_sector(district)
    for row in rows:
        row["percent"] = round(100 * row["characterized"] / row["mapped"]) if row["mapped"] else 0
        row["open_reports"] = reported.get(row["sector__number"], 0)
    total = sum(r["mapped"] for r in rows)
    done = sum(r["characterized"] for r in rows)
    pending = spaces.not_surveyed().select_related("sector").order_by("sector__number", "name")
    return render(
        request,
        "mapping/coverage.html",
        {
            "district": district,
            "rows": rows,
            "total": total,
            "done": done,
            "percent": round(100 * done / total) if total else 0,
            "pending": pending,
        },
    )


@login_required
def spaces_uncared(request: HttpRequest) -> HttpResponse:
    """The district's public spaces that no organization cares for (coordinators).

    Where the platform should look for a neighbourhood association, a youth group or a
    company to adopt a space. Staff see their own district only, as on the coverage page.
    """
    district = require_district(request.user, action="view_coverage")
    form = UncaredSpacesFilterForm(request.GET or None, district=district)
    spaces = (
        PublicSpace.objects.in_district(district)
        .with_organization(False)
        .select_related("sector")
        .order_by("sector__number", "name", "pk")
    )
    if form.is_valid() and form.cleaned_data["sector"] is not None:
        spaces = spaces.filter(sector__number=form.cleaned_data["sector"])
    page = Paginator(spaces, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "mapping/space_uncared.html",
        {"district": district, "form": form, "page": page},
    )


def survey_service_worker(request: HttpRequest) -> HttpResponse:
    """The surveyor pages' service worker, served under /mapa/ so its scope covers them."""
    placeholder = 987654321
    form_path = reverse("mapping:survey-form", args=[placeholder])
    # Leaflet's files ship with django-leaflet, outside the project's static/ folder that
    # static_digest reads: the package's version stands for them.
    own = [name for name in SURVEY_WORKER_STATIC if not name.startswith("leaflet/")]
    version = f"{static_digest(*own)}-{package_version('django-leaflet')}"
    # The survey forms' paths as a JavaScript regular expression: /mapa/espacios/\d+/ficha/
    pattern = re.escape(form_path).replace("/", "\\/").replace(str(placeholder), "\\d+")
    return service_worker_response(
        "components/offline-sw.js",
        {
            "cache_prefix": "mapping-survey",
            "version": version,
            "list_url": reverse("mapping:assignment-mine"),
            "form_pattern": pattern,
            "precache": SURVEY_WORKER_STATIC,
        },
    )
