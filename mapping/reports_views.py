"""Pages of problem reports: the phone form with its "me too", a report's public page,
the coordinators' queue and the routing table, the follow-up question, the map layer and
the photos. Thin: parse, check through mapping.permissions, call one service, render."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mapping.models import PublicSpace
from mapping.permissions import (
    get_report_for_user,
    may_moderate_report,
    may_moderate_reports,
    may_see_report_contact,
    may_work_report,
    require_report_district,
)
from mapping.reports_forms import (
    AcknowledgeForm,
    AreasForm,
    FollowupForm,
    HideForm,
    MeTooForm,
    ReportForm,
    StatusForm,
)
from mapping.reports_indicators import report_timings
from mapping.reports_limits import DEVICE_COOKIE, device_of, new_device, report_allowed
from mapping.reports_models import (
    MunicipalArea,
    Report,
    ReportCategory,
    ReportPhoto,
    ReportStatus,
    ReportSupporter,
)
from mapping.reports_services import (
    area_set,
    clean_point,
    report_acknowledge,
    report_followup_answer,
    report_hide,
    report_me_too,
    report_status_change,
    report_submit,
    reports_layer_version,
    reports_layer_version_key,
    space_nearest,
)
from platform_app.models import District
from santaanita.files import serve_private
from santaanita.forms import apply_errors
from santaanita.once import single_submission
from santaanita.users import signed_in_user

QUEUE_PER_PAGE = 25
# A map window wider than this shows no reports (zoom in): the layer stays small.
LAYER_MAX_SPAN = 0.2
LAYER_CACHE_SECONDS = 300
# The same layer for every visitor (nothing personal): any cache may keep it, revalidated.
LAYER_CACHE_CONTROL = "public, no-cache"


def _default_district() -> District:
    return get_object_or_404(District, ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser a random device key (for the per-device limit and the one "me too"
    per device) if it has none; it says nothing about the person."""
    if not device_of(request):
        response.set_cookie(
            DEVICE_COOKIE,
            new_device(),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _similar(space: PublicSpace | None, category: str) -> list[Report]:
    """Open, public reports of the same space (and category, when chosen): shown before
    sending, so the resident can say "me too" instead of reporting it again."""
    if space is None:
        return []
    reports = Report.objects.public().open().filter(space=space)
    if category in ReportCategory.values:
        reports = reports.filter(category=category)
    return list(reports.annotate(supporters_count=Count("supporters")).order_by("-created_at")[:10])


def report_create(request: HttpRequest) -> HttpResponse:
    district = _default_district()
    initial: dict[str, object] = {}
    space: PublicSpace | None = None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, district=district)
        response = _report_post(request, form, district)
        if response is not None:
            return response
        if form.is_bound and "space" in form.cleaned_data:
            space = form.cleaned_data.get("space")
        status = 400
    else:
        status = 200
        space_id = request.GET.get("space", "")
        if space_id.isdigit():
            space = PublicSpace.objects.in_district(district).filter(pk=int(space_id)).first()
        elif request.GET.get("lat") and request.GET.get("lon"):
            try:
                lat, lon = clean_point(request.GET["lat"], request.GET["lon"])
                space = space_nearest(district=district, latitude=lat, longitude=lon)
                initial.update(latitude=lat, longitude=lon)
            except ValidationError as exc:
                messages.warning(request, " ".join(exc.messages))
        if space is not None:
            initial["space"] = space.pk
        form = ReportForm(initial=initial, district=district)
    category = form.data.get("category", "") if form.is_bound else ""
    response = render(
        request,
        "mapping/report_form.html",
        {"form": form, "space": space, "similar": _similar(space, category)},
        status=status,
    )
    return _with_device(request, response)


def _report_post(request: HttpRequest, form: ReportForm, district: District) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    space = data["space"]
    latitude = longitude = None
    try:
        if data["latitude"] or data["longitude"]:
            latitude, longitude = clean_point(data["latitude"], data["longitude"])
            if space is None:
                space = space_nearest(district=district, latitude=latitude, longitude=longitude)
        if space is None:
            raise ValidationError({"space": _("Choose the public space of the problem.")})
        device = device_of(request)
        if not report_allowed(request, device=device, contact=data["email"] or data["phone"]):
            raise ValidationError(_("Too many reports from here in a short time. Try again later."))
        report = report_submit(
            space=space,
            category=data["category"],
            description=data["description"],
            photos=form.photos(),
            email=data["email"],
            phone=data["phone"],
            device=device,
            user=signed_in_user(request) if request.user.is_authenticated else None,
            latitude=latitude,
            longitude=longitude,
            client_uuid=data["client_uuid"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(
        request,
        _("Thank you. Your report is number %(number)s; follow it on this page.")
        % {"number": report.pk},
    )
    return _with_device(request, redirect(report.get_absolute_url()))


def report_similar(request: HttpRequest) -> HttpResponse:
    """The "already reported?" list of the form, refreshed by htmx on each choice."""
    district = _default_district()
    space_id = request.GET.get("space", "")
    space = (
        PublicSpace.objects.in_district(district).filter(pk=int(space_id)).first()
        if space_id.isdigit()
        else None
    )
    return render(
        request,
        "mapping/_report_similar.html",
        {"similar": _similar(space, request.GET.get("category", "")), "space": space},
    )


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    moderator = may_moderate_report(request.user, report)
    worker = may_work_report(request.user, report)
    context: dict[str, object] = {
        "report": report,
        "photos": report.photos.all() if moderator else report.photos.filter(hidden=False),
        "updates": (
            report.updates.all() if moderator else report.updates.filter(hidden=False)
        ).exclude(status=ReportStatus.RECEIVED, note=""),
        "supporters_count": report.supporters.count(),
        "moderator": moderator,
        "me_too_form": MeTooForm() if report.is_open else None,
        "status_form": StatusForm() if worker and report.status != ReportStatus.RECEIVED else None,
        "acknowledge_form": AcknowledgeForm(
            district=report.district,
            initial={"organization": report.organization_id, "area": report.area_id},
        )
        if moderator and report.status == ReportStatus.RECEIVED
        else None,
        "hide_form": HideForm() if moderator else None,
        "supporters": report.supporters.all()
        if may_see_report_contact(request.user, report)
        else None,
    }
    return render(request, "mapping/report_detail.html", context)


@require_POST
def report_me_too_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    form = MeTooForm(request.POST)
    device = device_of(request) or new_device()
    if form.is_valid():
        if not report_allowed(request, device=device, contact=form.cleaned_data["email"]):
            messages.error(
                request, _("Too many reports from here in a short time. Try again later.")
            )
        else:
            try:
                report_me_too(
                    report=report,
                    email=form.cleaned_data["email"],
                    device=device,
                    user=signed_in_user(request) if request.user.is_authenticated else None,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Thank you: your “me too” was counted."))
    response = redirect(report.get_absolute_url())
    if not device_of(request):
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
        )
    return response


def _back_with_errors(request: HttpRequest, report: Report, exc: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(exc.messages))
    return redirect(report.get_absolute_url())


@login_required
@require_POST
@single_submission
def report_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, action="moderate")
    form = AcknowledgeForm(request.POST, district=report.district)
    if not form.is_valid():
        return _back_with_errors(request, report, ValidationError(form.errors.as_text()))
    try:
        report_acknowledge(
            report=report,
            user=signed_in_user(request),
            note=form.cleaned_data["note"],
            organization=form.cleaned_data["organization"],
            area=form.cleaned_data["area"],
        )
    except ValidationError as exc:
        return _back_with_errors(request, report, exc)
    messages.success(request, _("The report was acknowledged and routed."))
    return redirect(report.get_absolute_url())


@login_required
@require_POST
@single_submission
def report_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, action="work")
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _back_with_errors(request, report, ValidationError(form.errors.as_text()))
    duplicate_of = None
    if form.cleaned_data["duplicate_of"]:
        duplicate_of = (
            Report.objects.visible_to(request.user)
            .filter(pk=form.cleaned_data["duplicate_of"])
            .first()
        )
    try:
        report_status_change(
            report=report,
            user=signed_in_user(request),
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            duplicate_of=duplicate_of,
        )
    except ValidationError as exc:
        return _back_with_errors(request, report, exc)
    messages.success(request, _("The status was changed and the neighbours were told."))
    return redirect(report.get_absolute_url())


@login_required
@require_POST
def report_hide_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, action="moderate")
    form = HideForm(request.POST)
    if not form.is_valid():
        return _back_with_errors(request, report, ValidationError(form.errors.as_text()))
    photo = update = None
    if form.cleaned_data["photo"]:
        photo = get_object_or_404(report.photos, pk=form.cleaned_data["photo"])
    if form.cleaned_data["update"]:
        update = get_object_or_404(report.updates, pk=form.cleaned_data["update"])
    try:
        report_hide(
            report=report,
            user=signed_in_user(request),
            reason=form.cleaned_data["reason"],
            photo=photo,
            update=update,
        )
    except ValidationError as exc:
        return _back_with_errors(request, report, exc)
    messages.success(request, _("The content was hidden from the public."))
    return redirect(report.get_absolute_url())


def report_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A report's photo: public while its report and the photo are visible; moderators of
    the district also see hidden ones (a photo may show a face or a licence plate)."""
    photo = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=pk)
    report = get_report_for_user(request.user, photo.report_id)
    if photo.hidden and not may_moderate_report(request.user, report):
        raise Http404
    return serve_private(request, photo.image, download_name=_("photo"))


def report_followup(request: HttpRequest, token: str) -> HttpResponse:
    """ "Was it fixed?" — reached from the email's private link; no account needed."""
    supporter = get_object_or_404(
        ReportSupporter.objects.select_related("report", "report__space"), token=token
    )
    form = FollowupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = report_followup_answer(supporter=supporter, fixed=form.cleaned_data["fixed"])
        if form.cleaned_data["fixed"]:
            messages.success(request, _("Thank you for confirming it was fixed."))
        else:
            messages.info(request, _("Thank you: the report is open again."))
        return redirect(report.get_absolute_url())
    return render(
        request,
        "mapping/report_followup.html",
        {"report": supporter.report, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def report_queue(request: HttpRequest) -> HttpResponse:
    """Reports to look at: a moderator's received ones first, then the open reports the
    user may work (their district's for coordinators, their organization's for its
    representatives)."""
    user = signed_in_user(request)
    workable = Report.objects.workable_by(user)
    if not workable.exists() and not may_moderate_reports(user):
        raise PermissionDenied
    awaiting = None
    if user.district is not None and may_moderate_reports(user, user.district):
        awaiting = (
            Report.objects.filter(district=user.district)
            .awaiting_moderation()
            .select_related("space")
            .order_by("created_at", "pk")[:50]
        )
    reports = workable.open().select_related("space", "organization").order_by("created_at", "pk")
    page = Paginator(reports, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mapping/report_queue.html",
        {"awaiting": awaiting, "page": page, "reports": page.object_list},
    )


@login_required
def report_areas(request: HttpRequest) -> HttpResponse:
    """Which municipal area handles each category in the coordinator's district."""
    district = require_report_district(request.user)
    areas = {a.category: a for a in MunicipalArea.objects.filter(district=district)}
    form = AreasForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            for category in ReportCategory.values:
                area_set(
                    district=district,
                    category=category,
                    name=form.cleaned_data[f"name_{category}"],
                    email=form.cleaned_data[f"email_{category}"],
                    user=signed_in_user(request),
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The municipal areas were saved."))
            return redirect("mapping:report-areas")
    return render(
        request, "mapping/report_areas.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def report_measures(request: HttpRequest) -> HttpResponse:
    """Time to acknowledge and to fix, per category and per sector (coordinators)."""
    district = require_report_district(request.user)
    return render(
        request,
        "mapping/report_measures.html",
        {
            "tables": [
                (_("Per category"), report_timings(district=district, by="category")),
                (_("Per sector"), report_timings(district=district, by="sector")),
            ]
        },
    )


def report_layer(request: HttpRequest) -> HttpResponse:
    """Open public reports of a district (``district``: UBIGEO, default the platform's) in a
    map window as GeoJSON points: category, status, the space and the page; nothing about
    who reported. Cached per window under the district's layer version, which every report
    write moves on; a cached answer touches no database row."""
    ubigeo = request.GET.get("district") or settings.DEFAULT_DISTRICT_UBIGEO
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return _layer_error(_("Give bbox=west,south,east,north in degrees."))
    if not (west <= east and south <= north) or max(east - west, north - south) > LAYER_MAX_SPAN:
        return _layer_error(_("The window is too large; zoom in."))
    if not ubigeo.isdigit() or len(ubigeo) != 6:
        raise Http404
    # One cache round trip: the district's layer version and this window's body, stored with
    # the version it was built at, both keyed by UBIGEO (no database row is read on a hit).
    # A body older than the version is rebuilt; a write that lands while one is built moves
    # the version on, so that body is rebuilt at the next read.
    window = ",".join(f"{v:.4f}" for v in (west, south, east, north))
    version_key = reports_layer_version_key(ubigeo)
    body_key = f"mapping:reports-layer:{ubigeo}:{get_language()}:{window}"
    found = cache.get_many([version_key, body_key])
    version = found.get(version_key) or reports_layer_version(ubigeo)
    # A phone that comes back for the same window gets a 304 while no report changed; it
    # asks each time (no-cache), so a report it just sent shows on its next look.
    etag = f'"{version}-{get_language()}"'
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:
        unchanged["Cache-Control"] = LAYER_CACHE_CONTROL
        return unchanged
    cached = found.get(body_key)
    if cached is not None and cached[0] == version:
        body = cached[1]
    else:
        district = get_object_or_404(District.objects.only("pk"), ubigeo=ubigeo)
        body = _layer_body(district.pk, west, south, east, north).encode()
        cache.set(body_key, (version, body), LAYER_CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = LAYER_CACHE_CONTROL
    return response


def _layer_error(message: str) -> HttpResponse:
    return HttpResponse(json.dumps({"error": message}), status=400, content_type="application/json")


def _layer_body(district_id: int, west: float, south: float, east: float, north: float) -> str:
    labels = dict(ReportCategory.choices)
    statuses = dict(ReportStatus.choices)
    rows = (
        Report.objects.public()
        .open()
        .filter(district_id=district_id)
        .in_window(west, south, east, north)
        .order_by("pk")
        .values_list("pk", "category", "status", "longitude", "latitude", "space__name")
    )
    placeholder = "987654321"
    page = reverse("mapping:report-detail", args=[int(placeholder)])
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "category": category,
                "category_label": str(labels.get(category, category)),
                "status": status,
                "status_label": str(statuses.get(status, status)),
                "space": space_name,
                "url": page.replace(placeholder, str(pk)),
            },
        }
        for pk, category, status, lon, lat, space_name in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
