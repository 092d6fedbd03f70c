"""Maintenance guides handed to the neighbours of an intervention: editing and printing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from interventions.forms import (
    GuideForm,
    MaintenanceTaskForm,
)
from interventions.models import (
    Intervention,
    MaintenanceGuide,
)
from interventions.permissions import get_guide_intervention_for_user
from interventions.services.guides import guide_build, guide_task_add, guide_update
from santaanita.once import single_submission
from santaanita.users import signed_in_user

# --- Use and maintenance guide -----------------------------------------------------------


def _guide_page(
    request: HttpRequest,
    intervention: Intervention,
    guide: MaintenanceGuide,
    *,
    form: GuideForm | None = None,
    task_form: MaintenanceTaskForm | None = None,
) -> HttpResponse:
    """The guide's page; a form refused by its action comes back bound, with what was typed."""
    return render(
        request,
        "interventions/guide_edit.html",
        {
            "intervention": intervention,
            "guide": guide,
            "form": form or GuideForm(instance=guide, district=intervention.district),
            "task_form": task_form or MaintenanceTaskForm(),
        },
    )


@login_required
def guide_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The guide's texts and its tasks, built from the space and the kit the first time."""
    intervention = get_guide_intervention_for_user(request.user, pk)
    guide = guide_build(actor=signed_in_user(request), intervention=intervention)
    return _guide_page(request, intervention, guide)


@require_POST
@login_required
@single_submission
def guide_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the guide's texts and who cares for the space."""
    intervention = get_guide_intervention_for_user(request.user, pk)
    guide = guide_build(actor=signed_in_user(request), intervention=intervention)
    form = GuideForm(request.POST, instance=guide, district=intervention.district)
    if form.is_valid():
        guide_update(actor=signed_in_user(request), guide=form.instance)
        messages.success(request, _("Guide saved."))
        return redirect("interventions:guide-edit", pk=pk)
    return _guide_page(request, intervention, guide, form=form)


@require_POST
@login_required
@single_submission
def guide_task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a recurring maintenance task (the neighbours are reminded of it)."""
    intervention = get_guide_intervention_for_user(request.user, pk)
    guide = guide_build(actor=signed_in_user(request), intervention=intervention)
    form = MaintenanceTaskForm(request.POST)
    form.instance.guide = guide
    if form.is_valid():
        guide_task_add(actor=signed_in_user(request), guide=guide, task=form.instance)
        return redirect("interventions:guide-edit", pk=pk)
    return _guide_page(request, intervention, guide, task_form=form)


def guide_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The booklet, printable from the browser, with a QR code of the space's public page."""
    import segno

    guide = get_object_or_404(
        MaintenanceGuide.objects.select_related(
            "intervention__public_space", "intervention__district", "responsible_organization"
        ).exclude(intervention__status=Intervention.Status.CANCELLED),
        intervention_id=pk,
    )
    space = guide.intervention.public_space
    space_url = request.build_absolute_uri(space.get_absolute_url())
    qr_svg = segno.make(space_url, error="m").svg_inline(scale=4, title=space.name)
    today = timezone.localdate()
    calendar = [(task, task.upcoming(today, count=4)) for task in guide.tasks.filter(active=True)]
    return render(
        request,
        "interventions/guide_print.html",
        {
            "guide": guide,
            "intervention": guide.intervention,
            "space": space,
            "space_url": space_url,
            "qr_svg": qr_svg,
            "calendar": calendar,
        },
    )
