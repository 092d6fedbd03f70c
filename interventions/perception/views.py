"""Pages of the perception survey and the open data.

Collection has three channels with one write path (``perception_response_record``):
volunteers' phones (offline queue, survey-offline.js), a kiosk on a tablet at festival
stages and intervention events (a blank form after every respondent), and each wave's
public link. Results and open data are public and never show a cell of fewer than five
respondents.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from interventions.models import (
    QuestionnaireVersion,
    ReferenceValue,
    SectorPopulation,
    Wave,
)
from interventions.perception import exports, index, sampling, services
from interventions.perception.forms import (
    AnswerForm,
    ImpactPlanForm,
    PopulationForm,
    QuestionFormSet,
    QuestionnaireForm,
    ReferenceValueForm,
    WaveForm,
)
from interventions.perception.permissions import (
    get_wave_for_user,
    require_collect,
    require_edit_references,
    require_manage_survey,
)
from platform_app.models import District
from santaanita.assets import service_worker_response, static_digest
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.page_cache import public_page
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

# --- Collection ---------------------------------------------------------------------------


def _answer_form(request: HttpRequest, wave: Wave, *, bound: bool) -> AnswerForm:
    from mapping.models import PublicSpace

    version = wave.questionnaire
    if bound:
        number = request.POST.get("version", "")
        if number.isdigit() and int(number) != version.number:
            # A phone that loaded an older version offline answers that version's questions.
            version = (
                QuestionnaireVersion.objects.filter(
                    district=wave.district, number=int(number)
                ).first()
                or version
            )
    return AnswerForm(
        request.POST if bound else None,
        version=version,
        spaces=PublicSpace.objects.filter(district=wave.district).order_by("name"),
        sectors=wave.district.sectors.order_by("number"),
    )


def _record(
    request: HttpRequest, wave: Wave, channel: str, *, duplicate: bool = False
) -> tuple[AnswerForm, bool | None]:
    """Validate and record the posted answer; returns the form and whether a new answer was
    recorded (None when the form was invalid or refused)."""
    form = _answer_form(request, wave, bound=True)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        _response, created = services.perception_response_record(
            wave=wave,
            answer=services.Answer(
                client_uuid=data["client_uuid"],
                answers=form.answers(),
                collected_on=timezone.localdate(),
                version_number=form.questionnaire.number,
                sector=data["sector"],
                age_band=data["age_band"],
                sex=data["sex"],
                public_space=data["public_space"],
            ),
            channel=channel,
            consented=data["consent"],
            duplicate_suspected=duplicate,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return form, None
    return form, created


@login_required
def collect_list(request: HttpRequest) -> HttpResponse:
    """A volunteer's open waves; kept by the service worker to reopen without signal."""
    district = require_collect(request.user)
    waves = Wave.objects.filter(district=district, is_open=True).order_by("-starts_on")
    return render(request, "interventions/perception_collect_list.html", {"waves": waves})


@login_required
def collect(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer's form. The phone queues each answer (survey-offline.js) and posts it
    with the key it made; the answer is recorded once however often it is resent."""
    wave = get_wave_for_user(request.user, pk, action="collect")
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method == "POST":
        form, created = _record(request, wave, "volunteer")
        if created is None:
            if wants_json:
                return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        else:
            url = reverse("interventions:perception-collect", args=[wave.pk])
            if wants_json:
                return JsonResponse(
                    {"url": url, "created": created}, status=201 if created else 200
                )
            messages.success(request, _("Answer recorded."))
            return redirect(url)
    else:
        form = _answer_form(request, wave, bound=False)
    return render(request, "interventions/perception_collect.html", {"wave": wave, "form": form})


@login_required
def kiosk(request: HttpRequest, pk: int) -> HttpResponse:
    """The kiosk: after each respondent a blank form with a new key (nothing of the previous
    person stays on the screen); a double tap re-sends the same key and counts once."""
    wave = get_wave_for_user(request.user, pk, action="collect")
    if request.method == "POST":
        form, created = _record(request, wave, "kiosk")
        if created is not None:
            return redirect(
                reverse("interventions:perception-kiosk", args=[wave.pk]) + "?gracias=1"
            )
    else:
        form = _answer_form(request, wave, bound=False)
    return render(
        request,
        "interventions/perception_kiosk.html",
        {"wave": wave, "form": form, "thanks": request.GET.get("gracias") == "1"},
    )


def _cookie(wave: Wave) -> str:
    return f"sa_perception_{wave.public_token.hex[:12]}"


def public_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A wave's public link: any resident answers, no account. The same browser answering
    twice is kept but flagged as a possible duplicate (left out of the figures); the cookie
    that tells it holds no personal data."""
    wave = get_object_or_404(
        Wave.objects.select_related("district", "questionnaire"), public_token=token
    )
    if not wave.is_open:
        return render(
            request, "interventions/perception_public.html", {"wave": wave, "closed": True}
        )
    if request.method == "POST":
        form, created = _record(request, wave, "public", duplicate=_cookie(wave) in request.COOKIES)
        if created is not None:
            response = render(request, "interventions/perception_thanks.html", {"wave": wave})
            response.set_cookie(
                _cookie(wave), "1", max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True
            )
            return response
    else:
        form = _answer_form(request, wave, bound=False)
    return render(request, "interventions/perception_public.html", {"wave": wave, "form": form})


PERCEPTION_WORKER_STATIC = (
    "css/site.css",
    "css/print.css",
    "js/forms.js",
    "vendor/htmx/htmx.min.js",
    "js/offline-queue.js",
    "mapping/survey-offline.js",
    "interventions/perception.css",
)


def service_worker(request: HttpRequest) -> HttpResponse:
    """The collection pages' worker, served under /percepcion/ so its scope covers them."""
    form_path = reverse("interventions:perception-collect", args=[987654321])
    pattern = form_path.replace("/", "\\/").replace("987654321", "\\d+")
    return service_worker_response(
        "components/offline-sw.js",
        {
            "cache_prefix": "perception",
            "list_url": reverse("interventions:perception-collect-list"),
            "version": static_digest(*PERCEPTION_WORKER_STATIC),
            "form_pattern": pattern,
            "precache": PERCEPTION_WORKER_STATIC,
        },
    )


# --- Coordination -------------------------------------------------------------------------


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    district = require_manage_survey(request.user)
    waves = list(Wave.objects.filter(district=district).select_related("questionnaire", "district"))
    populations = {
        p.sector_id: p for p in SectorPopulation.objects.filter(sector__district=district)
    }
    sectors = [
        (
            sector,
            PopulationForm(
                prefix=f"s{sector.pk}",
                initial={
                    "population": getattr(populations.get(sector.pk), "population", None),
                    "source": getattr(populations.get(sector.pk), "source", ""),
                    "year": getattr(populations.get(sector.pk), "year", None),
                },
            ),
        )
        for sector in district.sectors.order_by("number")
    ]
    return render(
        request,
        "interventions/perception_manage.html",
        {
            "district": district,
            "plans": [(wave, sampling.plan(wave)) for wave in waves],
            "versions": QuestionnaireVersion.objects.filter(district=district),
            "wave_form": WaveForm(),
            "sectors": sectors,
            "min_cell": index.MIN_CELL,
        },
    )


@login_required
@require_POST
@single_submission
def wave_create(request: HttpRequest) -> HttpResponse:
    district = require_manage_survey(request.user)
    form = WaveForm(request.POST)
    latest = QuestionnaireVersion.objects.filter(district=district).order_by("-number").first()
    if latest is None:
        messages.error(request, _("Publish the questionnaire before opening a wave."))
        return redirect("interventions:perception-manage")
    if form.is_valid():
        try:
            services.wave_create(
                actor=signed_in_user(request),
                district=district,
                questionnaire=latest,
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Wave created."))
    else:
        messages.error(
            request, _("Check the wave's fields: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("interventions:perception-manage")


@login_required
@require_POST
def wave_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    wave = get_wave_for_user(request.user, pk, action="manage")
    services.wave_set_open(actor=signed_in_user(request), wave=wave, is_open=not wave.is_open)
    return redirect("interventions:perception-manage")


@login_required
@require_POST
def population_set(request: HttpRequest, sector_pk: int) -> HttpResponse:
    district = require_manage_survey(request.user)
    sector = get_object_or_404(district.sectors, pk=sector_pk)
    form = PopulationForm(request.POST, prefix=f"s{sector.pk}")
    if form.is_valid():
        services.sector_population_set(
            actor=signed_in_user(request), sector=sector, **form.cleaned_data
        )
        messages.success(request, _("Population saved."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("interventions:perception-manage")


@login_required
def questionnaire_edit(request: HttpRequest) -> HttpResponse:
    """Editing publishes the next version; answers keep the version they answered."""
    district = require_manage_survey(request.user)
    latest = QuestionnaireVersion.objects.filter(district=district).order_by("-number").first()
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            questions = [
                services.QuestionData(**{k: v for k, v in row.items() if k != "DELETE"})
                for row in formset.cleaned_data
                if row and not row.get("DELETE")
            ]
            try:
                version = services.questionnaire_publish(
                    district=district,
                    questions=questions,
                    by=signed_in_user(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Version %(n)s published.") % {"n": version.number})
                return redirect("interventions:perception-manage")
    else:
        form = QuestionnaireForm(
            initial={"title": latest.title, "consent_text": latest.consent_text} if latest else None
        )
        formset = QuestionFormSet(
            prefix="q",
            initial=[
                {
                    "code": q.code,
                    "text": q.text,
                    "dimension": q.dimension,
                    "scale": q.scale,
                    "in_index": q.in_index,
                }
                for q in (latest.questions.all() if latest else [])
            ],
        )
    return render(
        request,
        "interventions/perception_questionnaire.html",
        {"form": form, "formset": formset, "latest": latest},
    )


@login_required
def references(request: HttpRequest) -> HttpResponse:
    district = require_edit_references(request.user)
    return render(request, "interventions/impact_references.html", _references_context(district))


def _references_context(district: District, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    from interventions import dashboard

    bound = bound or {}
    current = {r.key: r for r in ReferenceValue.objects.filter(district=district)}
    forms = [
        (
            key,
            label,
            bound.get(key)
            or ReferenceValueForm(
                instance=current.get(key),
                prefix=key,
                initial={"version": current[key].version if key in current else None},
            ),
        )
        for key, label in ReferenceValue.Key.choices
    ]
    plan = dashboard.plans_by_district([district.pk])[district.pk]
    return {
        "district": district,
        "forms": forms,
        "plan_form": bound.get("plan") or ImpactPlanForm(instance=plan),
    }


@login_required
@require_POST
def reference_save(request: HttpRequest, key: str) -> HttpResponse:
    district = require_edit_references(request.user)
    if key not in ReferenceValue.Key.values:
        return redirect("interventions:impact-references")
    form = ReferenceValueForm(request.POST, prefix=key)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reference_value_set(
                district=district,
                key=key,
                value=data["value"],
                unit=data["unit"],
                observed_on=data["observed_on"],
                period=data["period"],
                source=data["source"],
                version=data["version"],
                by=signed_in_user(request),
            )
        except StaleEdit as stale:
            form.add_error(
                None, _("Someone changed this figure meanwhile; check it and save again.")
            )
            carry_current_version(form, request.POST, stale.current.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Reference value saved."))
            return redirect("interventions:impact-references")
    return render(
        request,
        "interventions/impact_references.html",
        _references_context(district, {key: form}),
        status=400,
    )


@login_required
@require_POST
def plan_save(request: HttpRequest) -> HttpResponse:
    district = require_edit_references(request.user)
    form = ImpactPlanForm(request.POST)
    if form.is_valid():
        services.impact_plan_set(
            actor=signed_in_user(request), district=district, **form.cleaned_data
        )
        messages.success(request, _("Years saved."))
        return redirect("interventions:impact-references")
    return render(
        request,
        "interventions/impact_references.html",
        _references_context(district, {"plan": form}),
        status=400,
    )


# --- Results and open data (public) -------------------------------------------------------


def results(request: HttpRequest, slug: str) -> HttpResponse:
    """The index per wave and sector; anonymous visitors get the kept page, refreshed by
    every new answer (the generation in its key)."""
    return public_page(
        request,
        generation=services.GENERATION_KEY,
        seconds=60 * 10,
        render=lambda: _results_page(request, slug),
    )


def _results_page(request: HttpRequest, slug: str) -> HttpResponse:
    district = get_object_or_404(District.objects.defer("boundary"), slug=slug)
    waves = list(Wave.objects.filter(district=district).order_by("starts_on", "pk"))
    estimates = index.district_estimates([district.pk])[district.pk]
    names = dict(district.sectors.values_list("pk", "name"))
    sector_table = [
        (names.get(pk, ""), [e for _w, e in pairs])
        for pk, pairs in sorted(
            index.sector_estimates(district).items(), key=lambda i: names.get(i[0], "")
        )
    ]
    progress = [(wave, sampling.plan(wave)) for wave in waves if wave.is_open]
    return render(
        request,
        "interventions/perception_results.html",
        {
            "district": district,
            "rows": list(zip(waves, estimates, strict=True)),
            "sector_table": sector_table,
            "waves": waves,
            "progress": progress,
            "min_cell": index.MIN_CELL,
            "target": 60,
        },
    )


def open_data(request: HttpRequest) -> HttpResponse:
    districts = District.objects.filter(perception_waves__isnull=False).distinct().order_by("name")
    default = District.objects.filter(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO).first()
    return render(
        request,
        "interventions/open_data.html",
        {"districts": districts, "default": default, "min_cell": index.MIN_CELL},
    )


def dataset(request: HttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    district = get_object_or_404(District, slug=slug)
    return exports.dataset_response(district=district, name=name, fmt=fmt)
