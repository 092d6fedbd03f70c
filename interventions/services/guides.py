"""Maintenance guides handed to the neighbours of an intervention, and the reminders of their
tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from interventions import permissions
from interventions.models import (
    Intervention,
    KitItem,
    MaintenanceGuide,
    MaintenanceTask,
)
from interventions.perception.services import GENERATION_KEY
from platform_app.messaging import services as messaging
from platform_app.messaging.models import Channel
from platform_app.models import User
from santaanita.page_cache import changes_pages

# --- Maintenance guide ----------------------------------------------------------------


def _require_editor(actor: User, intervention: Intervention) -> None:
    """The guide's writers (see ``may_edit_guide``) are the only ones who change it."""
    if not permissions.may_edit_guide(actor, intervention):
        raise PermissionDenied


@changes_pages(GENERATION_KEY)
def guide_update(*, actor: User, guide: MaintenanceGuide) -> MaintenanceGuide:
    """Save the guide's texts and its responsible organization, as the form set them."""
    _require_editor(actor, guide.intervention)
    guide.save()
    return guide


@changes_pages(GENERATION_KEY)
def guide_task_add(
    *, actor: User, guide: MaintenanceGuide, task: MaintenanceTask
) -> MaintenanceTask:
    _require_editor(actor, guide.intervention)
    task.guide = guide
    task.save()
    return task


@changes_pages(GENERATION_KEY)
def guide_build(*, actor: User, intervention: Intervention) -> MaintenanceGuide:
    """Create the guide from the space, its equipment and the kit; never overwrites edits."""
    _require_editor(actor, intervention)
    space = intervention.public_space
    items = list(KitItem.objects.filter(kit__intervention=intervention))
    equipment: list[str] = []
    survey = intervention.survey_after or intervention.survey_before
    if survey is not None and hasattr(survey, "equipment"):
        equipment = [
            f"{e.get_feature_display()}: {e.count}" for e in survey.equipment.all() if e.count
        ]
    introduction = "\n".join(
        part
        for part in (
            f"{space.name} · {space.get_category_display()}",
            getattr(space, "address", ""),
            _("Equipment: %(list)s") % {"list": ", ".join(equipment)} if equipment else "",
        )
        if part
    )
    installed = "\n".join(f"- {i.name}: {i.quantity.normalize():f} {i.unit}" for i in items)
    care = "\n".join(f"- {i.name}: {i.care}" for i in items if i.care)
    guide, _created = MaintenanceGuide.objects.get_or_create(
        intervention=intervention,
        defaults={
            "responsible_organization": intervention.lead_organization,
            "introduction": introduction,
            "installed": installed,
            "care": care,
        },
    )
    return guide


@dataclass(frozen=True)
class Reminder:
    task: MaintenanceTask
    occurrence: date


# Remind this many days before each task's date.
REMINDER_LEAD_DAYS = 3


def maintenance_schedule_due(*, now: datetime) -> None:
    """The reminder scan of the maintenance calendars (listed in settings.REMINDER_SCANS).

    For each active task, the next occurrence not yet more than a week past is reminded
    ``REMINDER_LEAD_DAYS`` before it. The ledger key carries the occurrence date, so
    running the scan every minute schedules each reminder once.
    """
    today = timezone.localdate(now)
    tasks = (
        MaintenanceTask.objects.filter(active=True)
        .exclude(guide__responsible_email="", guide__responsible_organization=None)
        .exclude(guide__intervention__status=Intervention.Status.CANCELLED)
        .select_related("guide__intervention__public_space", "guide__intervention__district")
        .prefetch_related("guide__responsible_organization__contacts")
    )
    for task in tasks:
        with translation.override(settings.LANGUAGE_CODE):
            _task_remind(task=task, today=today, now=now)


def _task_remind(*, task: MaintenanceTask, today: date, now: datetime) -> None:
    from platform_app.services.ledger import delivery_schedule

    upcoming = task.upcoming(today - timedelta(days=7), count=1)
    if not upcoming:
        return
    occurrence = upcoming[0]
    if occurrence - timedelta(days=REMINDER_LEAD_DAYS) > today:
        return
    guide = task.guide
    intervention = guide.intervention
    space = intervention.public_space.name
    # The guide's email when it has one; otherwise the responsible organization's main
    # contact, who in most of the district has a phone and no email.
    reach: messaging.Reach | None = None
    if guide.responsible_email:
        reach = messaging.Reach(Channel.EMAIL, guide.responsible_email.lower())
    elif guide.responsible_organization is not None:
        contacts = guide.responsible_organization.contacts.all()
        reach = next(filter(None, map(messaging.reach_of_contact, contacts)), None)
    if reach is None:
        return
    delivery_schedule(
        recipient=reach.address,
        channel=reach.channel,
        link=reverse("interventions:guide-print", args=[intervention.pk]),
        kind="interventions.maintenance",
        object_key=f"maintenance-task:{task.pk}:{occurrence.isoformat()}",
        subject=_("Maintenance of %(space)s: %(task)s on %(date)s")
        % {
            "space": space,
            "task": task.title,
            "date": formats.date_format(occurrence, "SHORT_DATE_FORMAT"),
        },
        body=_(
            "The maintenance calendar of %(space)s has a task on %(date)s:\n\n"
            "%(task)s\n%(description)s\n\nThank you for caring for the space."
        )
        % {
            "space": space,
            "date": formats.date_format(occurrence, "SHORT_DATE_FORMAT"),
            "task": task.title,
            "description": task.description,
        },
        send_at=now,
        district=intervention.district,
    )
