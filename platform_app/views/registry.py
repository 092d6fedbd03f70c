"""The organization registry: public form, desk, verification, directory and exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from platform_app import exports
from platform_app.codes.views import registration_code_request
from platform_app.forms import (
    DataRequestAnswerForm,
    DataRequestForm,
    DeskForm,
    DirectoryFilterForm,
    PublicRegistrationForm,
    RegistrationCodeForm,
    RegistryImportForm,
    RepresentativeForm,
    VerificationForm,
)
from platform_app.models import (
    Campaign,
    DataRequest,
    District,
    Organization,
    RegistrationCode,
    RegistryImport,
    User,
)
from platform_app.models.registry import name_similarity, normalize_name
from platform_app.permissions import (
    SUBMITTED_SESSION_KEY,
    get_data_request_for_user,
    get_organization_for_user,
    get_registry_import_for_user,
    get_submitted_organization,
    may_see_contact_data,
    require_data_rights,
    require_desk,
    require_registry_export,
    require_verifier,
)
from platform_app.places import organization_turf
from platform_app.services.places import DISTRICT_PAGES, ORGANIZATION_PAGES
from platform_app.services.registry import (
    CONFIRM_MAX_AGE,
    CONFIRM_SALT,
    DuplicateOrganizationError,
    organization_confirm_email,
    organization_register,
    organization_update,
    organization_verify,
    representative_password_set,
)
from platform_app.services.registry_imports import registry_import_start
from platform_app.services.rights import (
    DATA_COPY_SALT,
    data_copy_token,
    data_request_answer,
    data_request_confirm,
    data_request_submit,
    data_subject_records,
)
from santaanita import writers
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.page_cache import KEEP_SECONDS, fresh_per_response, kept_page, public_page
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

LIVE = (Organization.Status.PENDING, Organization.Status.VERIFIED)


def _default_district() -> District:
    return get_object_or_404(
        District.objects.prefetch_related("sectors"), ubigeo=settings.DEFAULT_DISTRICT_UBIGEO
    )


def _stale_message() -> str:
    # The form keeps what was typed (carry_current_version): nothing is lost, and sending
    # it again is a knowing choice to replace the other person's change.
    return _(
        "Someone else changed this record meanwhile. Your values are kept below; send them "
        "again to replace that change."
    )


def _confirm_url(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(
        reverse("platform_app:organization-confirm", args=[token])
    )


# --- Public registration ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def organization_register_print(request: HttpRequest) -> HttpResponse:
    """The registration form on paper, for the desk week: the same fields as the online form
    (read from it, so the sheet never lags behind), blank, with boxes for the choices."""
    district = _default_district()
    form = PublicRegistrationForm(district=district)
    return render(
        request,
        "platform_app/organization_register_print.html",
        {"form": form, "district": district},
    )


def organization_register_view(request: HttpRequest) -> HttpResponse:
    # The blank form is the same for every anonymous visitor but for the CSRF token and the
    # submission token, which each answer from the kept copy gets afresh: kept under the
    # district's pages (its name, its sectors) and those of the places it offers.
    turf = organization_turf()
    return public_page(
        request,
        generation=(DISTRICT_PAGES, turf.pages) if turf is not None else DISTRICT_PAGES,
        seconds=KEEP_SECONDS,
        render=lambda: _organization_register(request),
    )


def _organization_register(request: HttpRequest) -> HttpResponse:
    district = _default_district()
    form = PublicRegistrationForm(request.POST or None, district=district)
    refused_duplicate = False
    if request.method == "POST" and form.is_valid():
        campaign = Campaign.objects.current(district.pk, timezone.localdate()).first()
        try:
            result = organization_register(
                district=district,
                fields=form.organization_fields(),
                contact=form.contact(),
                turf=form.turf_keys(),
                channel=Organization.Channel.ONLINE,
                submission_token=form.cleaned_data.get("submission_token"),
                campaign=campaign,
                confirm_url=_confirm_url(request),
            )
        except DuplicateOrganizationError as exc:
            form.add_error(
                "name",
                _(
                    "An organization with this name is already registered (code %(code)s). "
                    "If you represent it, write to the municipality to be added to it."
                )
                % {"code": exc.existing.registration_code},
            )
            refused_duplicate = True
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # Only the browser that submitted may see the confirmation page of a pending
            # record: codes are sequential, so the page is not reachable by guessing them.
            submitted = set(request.session.get(SUBMITTED_SESSION_KEY, []))
            submitted.add(result.organization.pk)
            request.session[SUBMITTED_SESSION_KEY] = sorted(submitted)
            contact = form.contact()
            if result.created and contact.phone and not contact.email:
                registration_code_request(request, result.organization)
            return redirect(
                "platform_app:organization-registered", result.organization.registration_code
            )
    response = render(
        request,
        "platform_app/organization_register.html",
        {"form": form, "district": district, "refused_duplicate": refused_duplicate},
    )
    if not form.is_bound:
        fresh_per_response(response, str(form.initial["submission_token"]))
    return response


def organization_registered(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_submitted_organization(request, code)
    awaiting = RegistrationCode.objects.filter(organization=organization).first()
    return render(
        request,
        "platform_app/organization_registered.html",
        {
            "organization": organization,
            "awaiting_phone": awaiting,
            "code_form": RegistrationCodeForm() if awaiting else None,
        },
    )


@require_http_methods(["GET", "POST"])
def organization_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that prefetch links must not confirm.
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=None)
        organization = get_object_or_404(Organization, pk=data["o"])
    except signing.BadSignature:
        return render(request, "platform_app/organization_confirm.html", {"invalid": True})
    if request.method == "POST":
        try:
            organization = organization_confirm_email(token=token)
        except signing.BadSignature:
            return render(request, "platform_app/organization_confirm.html", {"invalid": True})
        return _confirmed(request, organization, token)
    return render(request, "platform_app/organization_confirm.html", {"organization": organization})


def _confirmed(
    request: HttpRequest,
    organization: Organization,
    token: str,
    form: SetPasswordForm[User] | None = None,
) -> HttpResponse:
    """The confirmation's answer: what happens next, and a password to sign in with right
    here when the account has none yet."""
    user = User.objects.filter(email__iexact=signing.loads(token, salt=CONFIRM_SALT)["e"]).first()
    needs_password = user is not None and not user.has_usable_password()
    if user is not None and needs_password and form is None:
        form = SetPasswordForm(user)
    return render(
        request,
        "platform_app/organization_confirm.html",
        {
            "organization": organization,
            "done": True,
            "password_form": form if needs_password else None,
            "token": token,
        },
    )


@require_POST
def organization_confirm_password(request: HttpRequest, token: str) -> HttpResponse:
    """The first password of a representative who just confirmed: signed in at once."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return render(request, "platform_app/organization_confirm.html", {"invalid": True})
    organization = get_object_or_404(Organization, pk=data["o"])
    user = User.objects.filter(email__iexact=data["e"]).first()
    if user is None or user.has_usable_password():
        messages.info(request, _("Your account already has a password: sign in with it."))
        return redirect("account_login")
    form = SetPasswordForm(user, request.POST)
    if not form.is_valid():
        return _confirmed(request, organization, token, form)
    try:
        user = representative_password_set(token=token, password=form.cleaned_data["new_password1"])
    except PermissionDenied:
        return redirect("account_login")
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    messages.success(request, _("Password saved: you are signed in."))
    return redirect("platform_app:organization-detail", organization.registration_code)


# --- Directory and public pages --------------------------------------------------------


# Kept for anonymous visitors, a copy per page and filter (free-text searches are rendered),
# until an organization changes.
@kept_page(generation=ORGANIZATION_PAGES, params=("page", "typology", "sector"))
def organization_directory(request: HttpRequest) -> HttpResponse:
    district = _default_district()
    form = DirectoryFilterForm(request.GET or None, district=district)
    organizations = (
        Organization.objects.public()
        .filter(district=district)
        .select_related("sector")
        .order_by("name")
    )
    if form.is_valid():
        data = form.cleaned_data
        organizations = organizations.search(data.get("q") or "")
        if data.get("typology"):
            organizations = organizations.filter(typology=data["typology"])
        if data.get("sector"):
            organizations = organizations.filter(sector__number=data["sector"])
    page = Paginator(organizations, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "platform_app/organization_directory.html",
        {"form": form, "page": page, "district": district},
    )


def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        organization = get_organization_for_user(request.user, code, action="view")
    except Http404:
        # The desk receipt's QR code leads here before the record is verified: say where
        # the registration stands, without its name or anything else about it.
        status = (
            Organization.objects.filter(registration_code=code)
            .values_list("status", flat=True)
            .first()
        )
        if status is None:
            raise
        return render(
            request,
            "platform_app/organization_unlisted.html",
            {"code": code, "pending": status == Organization.Status.PENDING},
            status=404,
        )
    turf = organization_turf()
    return render(
        request,
        "platform_app/organization_detail.html",
        {
            "organization": organization,
            "can_edit": organization.is_represented_by(request.user),
            "turf": turf.places(organization) if turf else [],
        },
    )


def organization_map_layer(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the public organizations with a map point (the directory's map layer)."""
    rows = (
        Organization.objects.public()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values("name", "typology", "registration_code", "latitude", "longitude")
    )
    labels = dict(Organization.Typology.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
            "properties": {
                "name": r["name"],
                "typology": str(labels.get(r["typology"], r["typology"])),
                "url": reverse("platform_app:organization-detail", args=[r["registration_code"]]),
            },
        }
        for r in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def organization_directory_export(request: HttpRequest) -> HttpResponse:
    """The public directory as CSV: public fields only, whoever asks."""
    organizations = Organization.objects.public().select_related("sector", "district")
    return exports.organizations_response(organizations, fmt="csv", personal=False, staff=False)


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, code: str) -> HttpResponse:
    """A representative edits their organization; name, typology or sector changes to a
    verified record send it back to review."""
    organization = get_organization_for_user(request.user, code, action="edit")
    form = RepresentativeForm(
        request.POST or None,
        instance=organization,
        district=organization.district,
        initial={"version": organization.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(
                organization=organization,
                fields=form.organization_fields(),
                contact=form.contact(),
                turf=form.turf_keys(),
                actor=signed_in_user(request),
                version=form.cleaned_data["version"],
                review_changes=True,
            )
        except StaleEdit as exc:
            organization = exc.current
            form.add_error(None, _stale_message())
            carry_current_version(form, request.POST, organization.version)
        except DuplicateOrganizationError as exc:
            form.add_error("name", _("Another record has this name: %s") % exc.existing)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(organization)
    return render(
        request,
        "platform_app/organization_edit.html",
        {"form": form, "organization": organization},
    )


# --- Registration desk -----------------------------------------------------------------


def _desk_counts(district: District) -> dict[str, int]:
    now = timezone.localtime()
    day_start = timezone.make_aware(datetime.combine(now.date(), time.min))
    week_start = day_start - timedelta(days=now.weekday())
    return Organization.objects.filter(
        district=district, channel=Organization.Channel.DESK
    ).aggregate(
        today=Count("pk", filter=Q(created_at__gte=day_start)),
        week=Count("pk", filter=Q(created_at__gte=week_start)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest, code: str | None = None) -> HttpResponse:
    district = require_desk(request.user)
    campaign = Campaign.objects.desk_open(district.pk, timezone.localdate()).first()
    context: dict[str, object] = {"campaign": campaign, "district": district}
    if campaign is None:
        context["counts"] = _desk_counts(district)
        return render(request, "platform_app/organization_desk.html", context, status=403)
    instance = None
    if code is not None:
        instance = get_organization_for_user(request.user, code, action="desk")
    form = DeskForm(
        request.POST or None,
        instance=instance,
        district=district,
        initial={"version": instance.version} if instance else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                organization = organization_register(
                    district=district,
                    fields=form.organization_fields(),
                    contact=form.contact(),
                    turf=form.turf_keys(),
                    channel=Organization.Channel.DESK,
                    typed_from_paper=form.cleaned_data.get("typed_from_paper", False),
                    submission_token=form.cleaned_data.get("submission_token"),
                    actor=signed_in_user(request),
                    campaign=campaign,
                    # A contact email given at the desk gets the same confirmation link.
                    confirm_url=_confirm_url(request),
                ).organization
            else:
                organization = organization_update(
                    organization=instance,
                    fields=form.organization_fields(),
                    contact=form.contact(),
                    turf=form.turf_keys(),
                    actor=signed_in_user(request),
                    version=form.cleaned_data.get("version") or 0,
                )
        except DuplicateOrganizationError as exc:
            context["duplicate"] = exc.existing
            form.add_error(
                "name",
                _("Already registered as %(code)s.") % {"code": exc.existing.registration_code},
            )
        except StaleEdit as exc:
            form.add_error(None, _stale_message())
            carry_current_version(form, request.POST, exc.current.version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("platform_app:desk-receipt", organization.registration_code)
    context.update(form=form, instance=instance, counts=_desk_counts(district))
    return render(request, "platform_app/organization_desk.html", context)


@login_required
def desk_search(request: HttpRequest) -> HttpResponse:
    """Near-duplicates of the name being typed: one query for the district's live records,
    compared in Python on their normalised names (accents, case, punctuation, abbreviations
    and articles already folded), so the count of queries never depends on the data."""
    district = require_desk(request.user)
    typed = normalize_name(request.GET.get("name", ""))[:200]
    exclude = request.GET.get("exclude", "")
    matches: list[dict[str, Any]] = []
    if len(typed) >= 3:
        rows = Organization.objects.filter(district=district, status__in=LIVE).values(
            "pk", "name", "normalized_name", "registration_code", "status", "typology"
        )
        for row in rows:
            if row["registration_code"] == exclude:
                continue
            score = name_similarity(typed, row["normalized_name"])
            if score >= 0.5:
                matches.append({**row, "score": score})
        matches.sort(key=lambda m: (-m["score"], m["name"]))
    return render(
        request, "platform_app/_organization_matches.html", {"matches": matches[:5], "typed": typed}
    )


@login_required
def desk_counter(request: HttpRequest) -> HttpResponse:
    district = require_desk(request.user)
    return render(
        request, "platform_app/_organization_counter.html", {"counts": _desk_counts(district)}
    )


@login_required
def desk_receipt(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_organization_for_user(request.user, code, action="desk")
    public_url = request.build_absolute_uri(organization.get_absolute_url())
    # segno writes an SVG with presentation attributes only (no style=), allowed by our CSP.
    qr_svg = segno.make(public_url, error="m").svg_inline(scale=4, title=public_url)
    last_event = organization.events.select_related("actor").first()
    return render(
        request,
        "platform_app/organization_receipt.html",
        {
            "organization": organization,
            "public_url": public_url,
            "qr_svg": mark_safe(qr_svg),  # noqa: S308 - generated by segno from our own URL
            "last_event": last_event,
        },
    )


# --- Verification (coordinators) -------------------------------------------------------


@login_required
def verification_list(request: HttpRequest) -> HttpResponse:
    district = require_verifier(request.user)
    records = Organization.objects.filter(district=district)
    status = request.GET.get("status", Organization.Status.PENDING)
    if status not in Organization.Status.values:
        status = Organization.Status.PENDING
    listed = records.filter(status=status).select_related("sector").order_by("created_at")
    page = Paginator(listed, 50).get_page(request.GET.get("page"))

    def counts(field: str) -> list[dict[str, Any]]:
        return list(
            records.filter(status__in=LIVE).values(field).annotate(n=Count("pk")).order_by(field)
        )

    labels = {
        "channel": dict(Organization.Channel.choices),
        "typology": dict(Organization.Typology.choices),
    }
    campaign = Campaign.objects.filter(district=district).first()
    progress = records.progress()
    return render(
        request,
        "platform_app/organization_verification_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Organization.Status.choices,
            "by_channel": [
                {"label": labels["channel"].get(r["channel"], r["channel"]), "n": r["n"]}
                for r in counts("channel")
            ],
            "by_typology": [
                {"label": labels["typology"].get(r["typology"], r["typology"]), "n": r["n"]}
                for r in counts("typology")
            ],
            "by_sector": [
                {"label": r["sector__name"] or _("No sector"), "n": r["n"]}
                for r in counts("sector__name")
            ],
            "progress": progress,
            "campaign": campaign,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verification_detail(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_organization_for_user(request.user, code, action="verify")
    form = VerificationForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            organization_verify(
                organization=organization,
                actor=signed_in_user(request),
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data.get("reason", ""),
                merged_into=form.cleaned_data.get("merged_into"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("platform_app:verification-detail", code)
    return render(
        request,
        "platform_app/organization_verification_detail.html",
        {
            "organization": organization,
            "form": form,
            "contacts": organization.contacts.all(),
            "events": organization.events.select_related("actor"),
            "representatives": organization.representatives.all(),
        },
    )


@login_required
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    district = require_registry_export(request.user)
    organizations = Organization.objects.filter(district=district).select_related(
        "sector", "district", "entered_by"
    )
    personal = may_see_contact_data(request.user, district)
    return exports.organizations_response(organizations, fmt=fmt, personal=personal, staff=True)


# --- Data subjects' rights -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@single_submission
def data_request_create(request: HttpRequest) -> HttpResponse:
    district = _default_district()
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data_request_submit(
            district=district,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            details=form.cleaned_data["details"],
            confirm_url=lambda token: request.build_absolute_uri(
                reverse("platform_app:data-request-confirm", args=[token])
            ),
        )
        return render(request, "platform_app/data_request_sent.html")
    return render(
        request, "platform_app/data_request_form.html", {"form": form, "district": district}
    )


@require_http_methods(["GET", "POST"])
def data_request_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    # As with registrations, GET only shows a button so link scanners confirm nothing.
    context: dict[str, object] = {"token": token}
    if request.method == "POST":
        try:
            data_request = data_request_confirm(token=token)
        except signing.BadSignature:
            context["invalid"] = True
        else:
            context["data_request"] = data_request
            if data_request.kind == DataRequest.Kind.ACCESS:
                context["copy_token"] = data_copy_token(data_request=data_request)
    return render(request, "platform_app/data_request_confirm.html", context)


def data_request_copy(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The requester's copy of their data (the link proves they hold the email)."""
    try:
        data = signing.loads(token, salt=DATA_COPY_SALT, max_age=60 * 60 * 24 * 7)
    except signing.BadSignature:
        raise Http404 from None
    data_request = get_object_or_404(DataRequest, pk=data["r"], email=data["e"])
    records = data_subject_records(district=data_request.district, email=data_request.email)
    response: HttpResponse
    if fmt == "json":
        response = JsonResponse({"email": data_request.email, "records": records})
    elif fmt == "csv":
        columns = ("kind", "organization", "registration_code", "name", "phone", "email")
        rows = [columns, *([record[c] for c in columns] for record in records)]
        response = writers.csv_response(rows, filename="mis-datos.csv")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="mis-datos.{fmt}"'
    return response


@login_required
def data_request_list(request: HttpRequest) -> HttpResponse:
    district = require_data_rights(request.user)
    requests = DataRequest.objects.filter(district=district).exclude(
        status=DataRequest.Status.UNCONFIRMED
    )
    return render(
        request,
        "platform_app/data_request_list.html",
        {"requests": requests, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = get_data_request_for_user(request.user, pk)
    form = DataRequestAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data_request_answer(
                data_request=data_request,
                actor=signed_in_user(request),
                answer=form.cleaned_data["answer"],
                anonymize=form.cleaned_data["anonymize"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("platform_app:data-request-list")
    return render(
        request,
        "platform_app/data_request_detail.html",
        {
            "data_request": data_request,
            "form": form,
            "records": data_subject_records(
                district=data_request.district, email=data_request.email
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registry_import(request: HttpRequest) -> HttpResponse:
    """Coordinators import paper lists: a dry run first reports every row it would reject.

    A small sheet is checked or imported within the request. A large one runs in the
    background (a Celery task, or the run_reminders loop in the embedded mode); the page
    then polls a fragment with a progress bar until the report is ready. An import is
    answered with a redirect, so reloading the page never imports twice.
    """
    district = require_verifier(request.user)
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        job = registry_import_start(
            district=district,
            actor=signed_in_user(request),
            rows=form.rows,
            source=form.cleaned_data["sheet"].original_name,
            dry_run=dry_run,
        )
        if not dry_run or job.status != RegistryImport.Status.DONE:
            return redirect(f"{reverse('platform_app:registry-import')}?import={job.token}")
        context["job"] = job
    elif request.GET.get("import"):
        context["job"] = get_registry_import_for_user(request.user, request.GET["import"])
    return render(request, "platform_app/organization_import.html", context)


@login_required
def registry_import_progress(request: HttpRequest, import_id: str) -> HttpResponse:
    """The fragment the import page polls: a progress bar, then the report."""
    return render(
        request,
        "platform_app/_import_progress.html",
        {"job": get_registry_import_for_user(request.user, import_id)},
    )
