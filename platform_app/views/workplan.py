"""The role guide (proposed and approved versions) and the work plan: objectives and
activities with their reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from platform_app.meeting_forms import (
    ActivityEditForm,
    ActivityForm,
    ActivityReportForm,
    GuideRoleFormSet,
    ObjectiveEditForm,
    ObjectiveForm,
    RoleGuideIntroForm,
)
from platform_app.models import (
    Activity,
    Meeting,
    Objective,
    RoleGuideVersion,
)
from platform_app.permissions import (
    get_activity_for_user,
    get_objective_for_user,
    may_work,
    require_work,
)
from platform_app.services import workplan as workplan_services
from santaanita.forms import apply_errors, carry_current_version
from santaanita.once import single_submission
from santaanita.users import signed_in_user
from santaanita.versioned import StaleEdit

# --- guide of roles and work plan -----------------------------------------------------------


@login_required
@single_submission  # the approval form: a second copy is told it was recorded, not refused
def role_guide(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "view_role_guide")
    versions = RoleGuideVersion.objects.filter(district=district).select_related(
        "approved_in", "proposed_by"
    )
    number = request.GET.get("version")
    guide = None
    if number and number.isdigit():
        guide = versions.filter(number=int(number)).first()
    if guide is None:
        guide = versions.filter(status=RoleGuideVersion.Status.APPROVED).first() or versions.first()
    roles = guide.roles.prefetch_related("holders__member__user") if guide else []
    may_approve = may_work(request.user, district, "approve_role_guide")
    if request.method == "POST" and guide is not None:
        if not may_approve:
            raise PermissionDenied
        meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting"), district=district)
        try:
            workplan_services.role_guide_approve(
                guide=guide, meeting=meeting, actor=signed_in_user(request)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The new version of the guide is in force."))
        return redirect(f"{reverse('platform_app:role-guide')}?version={guide.number}")
    return render(
        request,
        "platform_app/roleguide_detail.html",
        {
            "guide": guide,
            "roles": roles,
            "versions": versions,
            "may_approve": may_approve
            and guide is not None
            and guide.status == RoleGuideVersion.Status.PROPOSED,
            "meetings": Meeting.objects.filter(district=district)
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("-starts_at")[:12],
        },
    )


@login_required
@single_submission
def role_guide_propose(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "propose_role_guide")
    current = RoleGuideVersion.objects.filter(
        district=district, status=RoleGuideVersion.Status.APPROVED
    ).first()
    initial_roles = (
        [
            {"name": r.name, "functions": r.functions, "responsibilities": r.responsibilities}
            for r in current.roles.all()
        ]
        if current
        else []
    )
    intro = RoleGuideIntroForm(
        request.POST or None, initial={"introduction": current.introduction if current else ""}
    )
    roles = GuideRoleFormSet(request.POST or None, initial=initial_roles, prefix="roles")
    if request.method == "POST" and intro.is_valid() and roles.is_valid():
        guide = workplan_services.role_guide_propose(
            district=district,
            user=signed_in_user(request),
            introduction=intro.cleaned_data["introduction"],
            change_summary=intro.cleaned_data["change_summary"],
            roles=[f.cleaned_data for f in roles.forms if f.cleaned_data.get("name")],
        )
        messages.success(request, _("Your proposal has been recorded; a meeting will discuss it."))
        return redirect(f"{reverse('platform_app:role-guide')}?version={guide.number}")
    return render(request, "platform_app/roleguide_form.html", {"intro": intro, "roles": roles})


@login_required
def work_plan(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "view_work_plan")
    objectives = Objective.objects.filter(district=district).prefetch_related(
        "activities__responsible__user"
    )
    reportable = Activity.objects.reportable_by(signed_in_user(request)).values_list(
        "pk", flat=True
    )
    return render(
        request,
        "platform_app/workplan_detail.html",
        {
            "objectives": objectives,
            "today": timezone.localdate(),
            "reportable": set(reportable),
            "can_plan": may_work(request.user, district, "add_objective"),
            "can_edit_objectives": may_work(request.user, district, "change_objective"),
            "can_edit_activities": may_work(request.user, district, "change_activity"),
        },
    )


def _work_plan_anchor(anchor: str) -> str:
    return f"{reverse('platform_app:work-plan')}#{anchor}"


@login_required
@single_submission
def objective_create(request: HttpRequest) -> HttpResponse:
    district = require_work(request.user, "add_objective")
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective = workplan_services.objective_create(
                district=district, actor=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The objective has been added to the work plan."))
            return redirect(_work_plan_anchor(f"objective-{objective.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {"form": form, "title": _("New objective of the work plan"), "objective": None},
    )


@login_required
@single_submission
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_objective_for_user(request.user, pk, action="add_activity")
    form = ActivityForm(request.POST or None, district=objective.district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = workplan_services.activity_create(
                objective=objective,
                actor=signed_in_user(request),
                title=data["title"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                responsible=list(data["responsible"]),
                weight=data["weight"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity has been added to the work plan."))
            return redirect(_work_plan_anchor(f"activity-{activity.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {"form": form, "title": _("New activity"), "objective": objective},
    )


@login_required
@single_submission
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Another district's objective is a 404 (not even its existence is told); a member of
    # the district sees it on the work plan but only coordinators change it (403).
    objective = get_objective_for_user(request.user, pk, action="change")
    form = ObjectiveEditForm(
        request.POST or None,
        initial={
            "axis": objective.axis,
            "title": objective.title,
            "description": objective.description,
            "version": objective.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            objective = workplan_services.objective_update(
                objective=objective, actor=signed_in_user(request), **form.cleaned_data
            )
        except StaleEdit as exc:
            objective = exc.current
            form.add_error(
                None,
                _(
                    "Someone else changed this objective meanwhile: it is now "
                    "“%(title)s”. Your values are kept below; send them again to replace it."
                )
                % {"title": objective.title},
            )
            carry_current_version(form, request.POST, objective.version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The objective has been updated."))
            return redirect(_work_plan_anchor(f"objective-{objective.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {
            "form": form,
            "title": _("Edit the objective"),
            "objective": objective,
            "submit_label": _("Save the changes"),
        },
    )


@login_required
@single_submission
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Same ladder as objective_edit: 404 outside the district, 403 without change_activity.
    activity = get_activity_for_user(request.user, pk, action="change")
    form = ActivityEditForm(
        request.POST or None,
        activity=activity,
        initial={
            "title": activity.title,
            "responsible": list(activity.responsible.all()),
            "starts_on": activity.starts_on,
            "due_on": activity.due_on,
            "weight": activity.weight,
            "version": activity.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = workplan_services.activity_update(
                activity=activity,
                actor=signed_in_user(request),
                version=data["version"],
                title=data["title"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                weight=data["weight"],
                responsible=list(data["responsible"]),
            )
        except StaleEdit as exc:
            current = exc.current
            form.add_error(
                None,
                _(
                    "Someone else changed this activity meanwhile: it now runs from "
                    "%(starts)s to %(due)s with weight %(weight)d, %(status)s at "
                    "%(progress)d %%. Your values are kept below; send them again to "
                    "replace it."
                )
                % {
                    "starts": formats.date_format(current.starts_on, "SHORT_DATE_FORMAT"),
                    "due": formats.date_format(current.due_on, "SHORT_DATE_FORMAT"),
                    "weight": current.weight,
                    "status": current.get_status_display(),
                    "progress": current.progress,
                },
            )
            carry_current_version(form, request.POST, current.version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The activity has been updated."))
            return redirect(_work_plan_anchor(f"activity-{activity.pk}"))
    return render(
        request,
        "platform_app/workplan_form.html",
        {
            "form": form,
            "title": _("Edit the activity"),
            "objective": activity.objective,
            "submit_label": _("Save the changes"),
        },
    )


@login_required
def activity_report(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, action="report")
    form = ActivityReportForm(
        request.POST or None,
        initial={
            "status": activity.status,
            "progress": activity.progress,
            "version": activity.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workplan_services.activity_report(
                activity=activity,
                user=signed_in_user(request),
                status=data["status"],
                progress=data["progress"],
                version=data["version"],
            )
        except StaleEdit as exc:
            activity = exc.current
            form.add_error(
                None,
                _(
                    "Someone else reported on this activity meanwhile: it is now "
                    "%(status)s at %(progress)d %%. Your values are kept below; send them "
                    "again to replace it."
                )
                % {"status": activity.get_status_display(), "progress": activity.progress},
            )
            carry_current_version(form, request.POST, activity.version)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The activity's progress has been updated."))
            return redirect(f"{reverse('platform_app:work-plan')}#activity-{activity.pk}")
    return render(
        request, "platform_app/activity_report.html", {"activity": activity, "form": form}
    )
