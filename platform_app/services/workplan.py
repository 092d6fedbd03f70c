"""The work plan (objectives and activities, edited with a version check) and the role guide
(proposed, then approved).

Every service here acts for a person, ``actor`` (``user`` for a proposal or a report, the
name the row keeps), and asks ``platform_app.permissions`` first, raising PermissionDenied.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_app.models import (
    Activity,
    District,
    Meeting,
    Member,
    Objective,
    RoleGuideVersion,
    User,
)
from platform_app.permissions import (
    may_change_activity,
    may_report_activity,
    require_work_in,
)
from platform_app.services.places import ORGANIZATION_PAGES
from santaanita.page_cache import changes_pages
from santaanita.versioned import lock_at_version


def role_guide_propose(
    *,
    district: District,
    user: User,
    introduction: str,
    change_summary: str,
    roles: list[dict[str, str]],
) -> RoleGuideVersion:
    """A member proposes a new version of the guide; holders of roles kept by name carry over."""
    from platform_app.models import GuideRole, RoleHolder

    require_work_in(user, district, "propose_role_guide")
    with transaction.atomic():
        current = RoleGuideVersion.objects.filter(
            district=district, status=RoleGuideVersion.Status.APPROVED
        ).first()
        number = (
            RoleGuideVersion.objects.filter(district=district)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        guide = RoleGuideVersion.objects.create(
            district=district,
            number=number,
            introduction=introduction,
            change_summary=change_summary,
            proposed_by=user,
        )
        old_roles = {r.name: r for r in current.roles.all()} if current else {}
        for i, role in enumerate(roles, start=1):
            new_role = GuideRole.objects.create(
                guide=guide,
                order=i,
                name=role["name"],
                functions=role.get("functions", ""),
                responsibilities=role.get("responsibilities", ""),
            )
            if role["name"] in old_roles:
                RoleHolder.objects.bulk_create(
                    RoleHolder(role=new_role, member_id=h.member_id, since=h.since)
                    for h in old_roles[role["name"]].holders.all()
                )
    return guide


@changes_pages(ORGANIZATION_PAGES)
def role_guide_approve(
    *, guide: RoleGuideVersion, meeting: Meeting, actor: User
) -> RoleGuideVersion:
    """A meeting approves a proposed version; the one in force becomes a previous version."""
    require_work_in(actor, guide.district, "approve_role_guide")
    if meeting.district_id != guide.district_id or guide.status != RoleGuideVersion.Status.PROPOSED:
        raise ValidationError(
            _("Only a proposed version can be approved, by a meeting of its platform.")
        )
    with transaction.atomic():
        RoleGuideVersion.objects.filter(
            district_id=guide.district_id, status=RoleGuideVersion.Status.APPROVED
        ).update(status=RoleGuideVersion.Status.SUPERSEDED)
        guide.status = RoleGuideVersion.Status.APPROVED
        guide.approved_in = meeting
        guide.save(update_fields=["status", "approved_in"])
    return guide


@changes_pages(ORGANIZATION_PAGES)
def objective_create(
    *, district: District, actor: User, axis: str, title: str, description: str = ""
) -> Objective:
    """A new objective of the district's work plan, placed after the existing ones."""
    require_work_in(actor, district, "add_objective")
    order = Objective.objects.filter(district=district, axis=axis).count() + 1
    objective = Objective(
        district=district, axis=axis, title=title, description=description, order=order
    )
    objective.full_clean()
    objective.save()
    return objective


@changes_pages(ORGANIZATION_PAGES)
def activity_create(
    *,
    objective: Objective,
    actor: User,
    title: str,
    starts_on: date,
    due_on: date,
    responsible: list[Member],
    weight: int = 1,
) -> Activity:
    """A new activity of an objective, with its responsible members (of the same district)."""
    require_work_in(actor, objective.district, "add_activity")
    if any(member.district_id != objective.district_id for member in responsible):
        raise ValidationError({"responsible": _("Responsible members belong to the district.")})
    with transaction.atomic():
        activity = Activity(
            objective=objective, title=title, starts_on=starts_on, due_on=due_on, weight=weight
        )
        activity.full_clean()
        activity.save()
        activity.responsible.set(responsible)
    return activity


@changes_pages(ORGANIZATION_PAGES)
def objective_update(
    *,
    objective: Objective,
    actor: User,
    version: int,
    axis: str,
    title: str,
    description: str = "",
) -> Objective:
    """A coordinator edits an objective from a form that read ``version``.

    The row is locked while its version is compared and bumped, so of two coordinators
    saving the same objective at once the second gets StaleEdit (with the current
    values) instead of silently overwriting the first. An objective moved to another axis
    goes after that axis's objectives, as a new one would.
    """
    require_work_in(actor, objective.district, "change_objective")
    with transaction.atomic():
        current = lock_at_version(Objective.objects.filter(pk=objective.pk), version=version)
        if axis != current.axis:
            current.order = (
                Objective.objects.filter(district_id=current.district_id, axis=axis).count() + 1
            )
        current.axis, current.title, current.description = axis, title, description
        current.full_clean()
        current.version += 1
        current.save(update_fields=["axis", "order", "title", "description", "version"])
    return current


@changes_pages(ORGANIZATION_PAGES)
def activity_report(
    *,
    activity: Activity,
    user: User,
    status: str,
    progress: int,
    version: int,
    now: datetime | None = None,
) -> Activity:
    """A responsible member (or a coordinator) reports an activity's status and progress.

    The report carries the version it was made from; the row is locked while the version is
    compared and bumped, so of two people reporting at once the second gets
    StaleEdit with the current values instead of overwriting the first.
    """
    if not may_report_activity(user, activity):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        current = lock_at_version(Activity.objects.filter(pk=activity.pk), version=version)
        current.status = status
        current.progress = 100 if status == Activity.Status.DONE else progress
        current.full_clean()
        current.version += 1
        current.updated_at = now
        current.updated_by = user
        current.save(update_fields=["status", "progress", "version", "updated_at", "updated_by"])
    return current


@changes_pages(ORGANIZATION_PAGES)
def activity_update(
    *,
    activity: Activity,
    actor: User,
    version: int,
    title: str,
    starts_on: date,
    due_on: date,
    weight: int,
    responsible: list[Member],
) -> Activity:
    """A coordinator changes an activity's plan (title, dates, weight, responsible members)
    from a form that read ``version``.

    Same lock-compare-bump as activity_report, on the same version: a change of plan made
    from a copy older than the last report (or the last change) is refused with
    StaleEdit rather than saved over it. Status and progress are the responsible
    members' reports and stay untouched, and so do ``updated_at``/``updated_by``, which tell
    who reported last.
    """
    if not may_change_activity(actor, activity):
        raise PermissionDenied
    if any(member.district_id != activity.objective.district_id for member in responsible):
        raise ValidationError({"responsible": _("Responsible members belong to the district.")})
    with transaction.atomic():
        current = lock_at_version(Activity.objects.filter(pk=activity.pk), version=version)
        current.title, current.starts_on, current.due_on, current.weight = (
            title,
            starts_on,
            due_on,
            weight,
        )
        current.full_clean()  # Activity.clean: the due date cannot come before the start
        current.version += 1
        current.save(update_fields=["title", "starts_on", "due_on", "weight", "version"])
        current.responsible.set(responsible)
    return current
