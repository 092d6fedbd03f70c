"""Maintenance guides handed to the neighbours of an intervention: editing and printing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions.forms import (
    GuideForm,
    MaintenanceTaskForm,
)
from interventions.models import (
    Intervention,
    MaintenanceGuide,
)
from interventions.services.guides import guide_build, guide_task_add, guide_update
from platform_app.permissions import can
from santaanita.once import single_submission

# --- Use and maintenance guide -----------------------------------------------------------


def _guide_editor_intervention(request: HttpRequest, pk: int) -> Intervention:
    """The guide is written with the team: the district's coordinators, and the people who
    represent the lead organization or the lead team, may edit it (nobody else)."""
    intervention = get_object_or_404(
        Intervention.objects.select_related(
            "district", "public_space", "lead_organization", "lead_team"
        ),
        pk=pk,
    )
    if can(request.user, "interventions.change_maintenanceguide", intervention.district):
        return intervention
    organization = intervention.lead_organization
    team = intervention.lead_team
    if (organization is not None and organization.is_represented_by(request.user)) or (
        team is not None and team.representative_id == request.user.pk
    ):
        return intervention
    raise PermissionDenied


@login_required
@single_submission
def guide_edit(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _guide_editor_intervention(request, pk)
    guide = guide_build(intervention=intervention)
    form = GuideForm(instance=guide, district=intervention.district)
    task_form = MaintenanceTaskForm()
    if request.method == "POST":
        if "title" in request.POST:
            task_form = MaintenanceTaskForm(request.POST)
            task_form.instance.guide = guide
            if task_form.is_valid():
                guide_task_add(guide=guide, task=task_form.instance)
                return redirect("interventions:guide-edit", pk=pk)
        else:
            form = GuideForm(request.POST, instance=guide, district=intervention.district)
            if form.is_valid():
                guide_update(guide=form.instance)
                messages.success(request, _("Guide saved."))
                return redirect("interventions:guide-edit", pk=pk)
    return render(
        request,
        "interventions/guide_edit.html",
        {"intervention": intervention, "guide": guide, "form": form, "task_form": task_form},
    )


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
