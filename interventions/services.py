"""Writes of interventions: one function per action, keyword-only, in one transaction.

Money is Decimal throughout. Two races matter here and both are closed by row locks taken
inside ``transaction.atomic()`` (``select_for_update``): two coordinators spending the
last part of the same pledge (``pledge_allocate``), and two deliveries of the last units
of the same kit item (``kit_deliver``). On SQLite the project opens every transaction with
BEGIN IMMEDIATE, which serialises writers the same way; on PostgreSQL the row lock does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from interventions.models import (
    Activity,
    ActivityPhoto,
    Allocation,
    Company,
    FundraisingEvent,
    Intervention,
    Invitation,
    Kit,
    KitDelivery,
    KitItem,
    KitTemplate,
    MaintenanceGuide,
    MaintenanceTask,
    Milestone,
    Phase,
    PlanPhase,
    Pledge,
    PledgeChange,
    add_months,
)
from interventions.perception.services import GENERATION_KEY
from platform_app.models import User
from santaanita.files import IMAGES, ensure_checked
from santaanita.money import quantize_cents, to_decimal
from santaanita.page_cache import changes_pages

ZERO = Decimal("0.00")

# Which state a pledge may move to from each state (by hand; "partly/fully used" also
# follow automatically from allocations).
PLEDGE_TRANSITIONS: dict[str, set[str]] = {
    Pledge.State.PLEDGED: {Pledge.State.CONFIRMED, Pledge.State.WITHDRAWN},
    Pledge.State.CONFIRMED: {Pledge.State.RECEIVED, Pledge.State.WITHDRAWN},
    Pledge.State.RECEIVED: {Pledge.State.PARTLY_USED, Pledge.State.FULLY_USED},
    Pledge.State.PARTLY_USED: {Pledge.State.FULLY_USED},
    Pledge.State.FULLY_USED: set(),
    Pledge.State.WITHDRAWN: set(),
}
# The history compares the terms and the state; the event by its id, so a snapshot needs
# no query.
AUDITED_FIELDS = (*("event_id" if f == "event" else f for f in Pledge.TERMS), "state")


def _snapshot(pledge: Pledge) -> dict[str, str]:
    """The audited fields as text; decimals at their column's places, so "1000" typed in a
    form and "1000.00" read from the database are the same value, not a change."""
    snapshot = {}
    for name in AUDITED_FIELDS:
        value = getattr(pledge, name)
        if value is None:
            snapshot[name] = ""
            continue
        field = Pledge._meta.get_field(name)
        if isinstance(field, DecimalField):
            value = to_decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        snapshot[name] = str(value)
    return snapshot


def _record(
    *, pledge: Pledge, by: User | None, action: str, before: dict[str, str], note: str = ""
) -> None:
    after = _snapshot(pledge)
    changes = {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}
    PledgeChange.objects.create(
        pledge=pledge, by=by, action=action, changes=changes, note=note[:300]
    )


@changes_pages(GENERATION_KEY)
def pledge_create(*, by: User | None, **fields: Any) -> Pledge:
    """Record a pledge and the first line of its history."""
    pledge = Pledge(**fields)
    pledge.full_clean()
    with transaction.atomic():
        pledge.save()
        _record(pledge=pledge, by=by, action=PledgeChange.Action.CREATED, before={})
    return pledge


class StalePledgeError(Exception):
    """The pledge changed after the edit form was read; saving would overwrite that change."""

    def __init__(self, current: Pledge) -> None:
        super().__init__(str(current))
        self.current = current


@changes_pages(GENERATION_KEY)
def pledge_update(
    *, pledge: Pledge, by: User | None, fields: dict[str, Any], version: int, note: str = ""
) -> Pledge:
    """Change a pledge's terms. Its value may not fall below what is already allocated.

    ``version`` is the one the form was read at. The row is locked while it is compared, so
    of two coordinators saving the same pledge at once the second gets StalePledgeError
    (with the current pledge) instead of silently overwriting the first. An edit that
    changes nothing writes no history line.
    """
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if locked.version != version:
            raise StalePledgeError(locked)
        before = _snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        if _snapshot(locked) == before:
            return locked
        locked.full_clean()
        value_pen, _usd = locked.compute_values()
        allocated = _allocated(locked)
        if value_pen < allocated:
            value_field = "amount" if locked.kind == Pledge.Kind.MONEY else "estimated_value_pen"
            raise ValidationError(
                {
                    value_field: ValidationError(
                        _(
                            "The pledge cannot be worth less than the S/ %(allocated)s "
                            "already allocated."
                        ),
                        params={"allocated": quantize_cents(allocated)},
                    )
                }
            )
        locked.version += 1
        locked.save()
        _record(pledge=locked, by=by, action=PledgeChange.Action.UPDATED, before=before, note=note)
    return locked


@changes_pages(GENERATION_KEY)
def pledge_set_state(*, pledge: Pledge, state: str, by: User | None, note: str = "") -> Pledge:
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if state not in PLEDGE_TRANSITIONS[locked.state]:
            raise ValidationError(
                _("A pledge cannot go from “%(old)s” to “%(new)s”."),
                params={
                    "old": locked.get_state_display(),
                    "new": Pledge.State(state).label,
                },
            )
        if state == Pledge.State.WITHDRAWN and _allocated(locked) > 0:
            raise ValidationError(
                _("Part of this pledge is already allocated; it cannot be withdrawn.")
            )
        before = _snapshot(locked)
        locked.state = state
        locked.version += 1
        locked.save(update_fields=["state", "version"])
        _record(pledge=locked, by=by, action=PledgeChange.Action.STATE, before=before, note=note)
    return locked


def _allocated(pledge: Pledge) -> Decimal:
    total = Allocation.objects.filter(pledge=pledge).aggregate(s=Sum("amount_pen"))["s"]
    return total or ZERO


class AllocationError(ValidationError):
    """The allocation cannot be made; the message says why, for the coordinator."""


@changes_pages(GENERATION_KEY)
def pledge_allocate(
    *, pledge: Pledge, item: KitItem, amount_pen: Decimal, by: User | None
) -> Allocation:
    """Finance ``amount_pen`` of a kit item with part of a pledge.

    A pledge must never be spent twice. Two coordinators can read the same "S/ 500 left"
    at the same moment; if both then insert an allocation the pledge is over-allocated.
    So the pledge row is locked (``select_for_update``) inside the transaction *before*
    reading what is left: the second coordinator waits for the first to commit, then
    reads the new remainder and gets a clear refusal. The item row is locked too (always
    after the pledge, the same order everywhere, so two allocations cannot deadlock) so an
    item is never funded beyond its cost.
    """
    amount = quantize_cents(to_decimal(amount_pen))
    if amount <= 0:
        raise AllocationError(_("The amount must be greater than zero."), code="amount")
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().select_related("company").get(pk=pledge.pk)
        locked_item = KitItem.objects.select_for_update().get(pk=item.pk)
        if locked.state not in (*Pledge.ALLOCATABLE, Pledge.State.FULLY_USED):
            raise AllocationError(
                _(
                    "This pledge is “%(state)s”: only confirmed or received pledges "
                    "can be allocated."
                ),
                params={"state": locked.get_state_display()},
                code="state",
            )
        remaining = locked.value_pen - _allocated(locked)
        if locked.state == Pledge.State.FULLY_USED:
            remaining = ZERO
        if amount > remaining:
            raise AllocationError(
                _(
                    "%(company)s's pledge has only S/ %(remaining)s left; someone may have "
                    "just used it. Choose a smaller amount or another pledge."
                ),
                params={"company": locked.company.name, "remaining": remaining},
                code="exhausted",
            )
        funded = (
            Allocation.objects.filter(item=locked_item).aggregate(s=Sum("amount_pen"))["s"] or ZERO
        )
        missing = quantize_cents(locked_item.cost_pen) - funded
        if amount > missing:
            raise AllocationError(
                _("This item only needs S/ %(missing)s more."),
                params={"missing": max(missing, ZERO)},
                code="overfunded",
            )
        allocation = Allocation.objects.create(
            pledge=locked, item=locked_item, amount_pen=amount, created_by=by
        )
        before = _snapshot(locked)
        new_state = Pledge.State.FULLY_USED if amount == remaining else Pledge.State.PARTLY_USED
        if locked.state != new_state:
            locked.state = new_state
            locked.version += 1
            locked.save(update_fields=["state", "version"])
        _record(
            pledge=locked,
            by=by,
            action=PledgeChange.Action.ALLOCATED,
            before=before,
            note=f"S/ {amount} → {locked_item.name} ({locked_item.kit.intervention})",
        )
    return allocation


# --- Fundraising events ---------------------------------------------------------------


@changes_pages(GENERATION_KEY)
def event_create(
    *, district: Any, name: str, date: date, place: str = "", description: str = ""
) -> FundraisingEvent:
    event = FundraisingEvent(
        district=district, name=name, date=date, place=place, description=description
    )
    event.full_clean()
    event.save()
    return event


class StaleEventError(Exception):
    """The event changed after the edit form was read; saving would overwrite that change."""

    def __init__(self, current: FundraisingEvent) -> None:
        super().__init__(str(current))
        self.current = current


@changes_pages(GENERATION_KEY)
def event_update(
    *,
    event: FundraisingEvent,
    version: int,
    name: str,
    date: date,
    place: str = "",
    description: str = "",
) -> FundraisingEvent:
    """Correct an event's name, date, venue and description.

    ``version`` is the one the form was read at. The row is locked while it is compared, so
    of two coordinators correcting the same event at once the second gets StaleEventError
    (with the current event) instead of silently undoing the first's correction, as
    ``pledge_update`` does. A double tap's second copy never gets here: the event page's
    forms carry a once-token. An edit that changes nothing does not bump the version, so it
    cannot make a colleague's open form stale. Invitations and attendance do not touch the
    version: they are rows of their own, saved by ``event_invite`` and
    ``event_attendance_record``.
    """
    wanted = {"name": name, "date": date, "place": place, "description": description}
    with transaction.atomic():
        locked = FundraisingEvent.objects.select_for_update().get(pk=event.pk)
        if locked.version != version:
            raise StaleEventError(locked)
        if {field: getattr(locked, field) for field in FundraisingEvent.DETAILS} == wanted:
            return locked
        for field, value in wanted.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*FundraisingEvent.DETAILS, "version"])
    return locked


def event_invite(*, event: FundraisingEvent, companies: Iterable[Company]) -> int:
    """Invite companies of the event's district; returns how many were newly invited.

    Inviting a company twice is a no-op: two coordinators inviting the same company at the
    same moment both pass the "not yet invited" read, and the unique key (event, company)
    with ``ignore_conflicts`` keeps one row instead of failing the second request.
    """
    companies = list(companies)
    if any(company.district_id != event.district_id for company in companies):
        raise ValidationError(_("Only companies of the event's district can be invited."))
    already = set(
        Invitation.objects.filter(event=event, company__in=companies).values_list(
            "company_id", flat=True
        )
    )
    new = [Invitation(event=event, company=c) for c in companies if c.pk not in already]
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass(frozen=True)
class InvitationAnswer:
    """A company's answer to an invitation and whether it came, as recorded by hand."""

    invitation_id: int
    status: str
    attended: bool


@changes_pages(GENERATION_KEY)
def event_attendance_record(*, event: FundraisingEvent, answers: Sequence[InvitationAnswer]) -> int:
    """Record the answers and attendance given; returns how many invitations changed.

    Callers pass only the rows the coordinator changed (the form compares with what it
    showed), so two coordinators ticking different companies at the same time do not undo
    each other's ticks.
    """
    by_id = {answer.invitation_id: answer for answer in answers}
    statuses = set(Invitation.Status.values)
    if any(answer.status not in statuses for answer in answers):
        raise ValidationError(_("Unknown answer to an invitation."))
    with transaction.atomic():
        # Locked so that each row is compared and written in one step: two saves of the same
        # row queue up instead of interleaving their reads and writes.
        invitations = list(Invitation.objects.select_for_update().filter(event=event, pk__in=by_id))
        if len(invitations) != len(by_id):
            raise ValidationError(_("Some invitations are not of this event."))
        changed = []
        for invitation in invitations:
            answer = by_id[invitation.pk]
            if (invitation.status, invitation.attended) != (answer.status, answer.attended):
                invitation.status, invitation.attended = answer.status, answer.attended
                changed.append(invitation)
        Invitation.objects.bulk_update(changed, ["status", "attended"])
    return len(changed)


# --- Interventions --------------------------------------------------------------------


def _default_plan(intervention: Intervention, start: date) -> None:
    """Three months: a month of co-design, a month of execution, a month of closing."""
    bounds = [start, add_months(start, 1), add_months(start, 2), add_months(start, 3)]
    titles = {
        Phase.CO_DESIGN: _("Design agreed with the neighbours"),
        Phase.EXECUTION: _("Kit installed"),
        Phase.CLOSING: _("Maintenance guide handed over"),
    }
    for index, phase in enumerate(Phase):
        ends = bounds[index + 1] - timedelta(days=1)
        PlanPhase.objects.create(
            intervention=intervention, phase=phase, starts_on=bounds[index], ends_on=ends
        )
        Milestone.objects.create(
            intervention=intervention, phase=phase, title=titles[phase], due_on=ends
        )


@changes_pages(GENERATION_KEY)
def intervention_create(
    *,
    district: Any,
    public_space: Any,
    title: str,
    by: User | None,
    description: str = "",
    lead_organization: Any = None,
    lead_team: Any = None,
    proposal: Any = None,
    starts_on: date | None = None,
    large_scale: bool = False,
) -> Intervention:
    if public_space.district_id != district.pk:
        raise ValidationError(_("The public space belongs to another district."))
    starts_on = starts_on or timezone.localdate()
    intervention = Intervention(
        district=district,
        public_space=public_space,
        title=title,
        description=description,
        lead_organization=lead_organization,
        lead_team=lead_team,
        proposal=proposal,
        starts_on=starts_on,
        large_scale=large_scale,
        created_by=by,
        survey_before=getattr(public_space, "latest_verified_survey", None),
    )
    intervention.full_clean()
    try:
        with transaction.atomic():
            intervention.save()
            _default_plan(intervention, starts_on)
    except IntegrityError as exc:
        # Two coordinators creating for the same space at once: the unique key decides.
        raise ValidationError(_("This public space already has an intervention.")) from exc
    return intervention


@changes_pages(GENERATION_KEY)
def intervention_create_from_proposal(
    *, proposal: Any, by: User | None, starts_on: date | None = None
) -> Intervention:
    """Turn an outstanding festival team's proposal into an intervention it leads."""
    team = proposal.team
    if not team.is_outstanding:
        raise ValidationError(_("Only outstanding teams' proposals become interventions."))
    if Intervention.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("This proposal is already an intervention."))
    space = proposal.public_space
    return intervention_create(
        district=space.district,
        public_space=space,
        title=f"{space.name}: {team.name}",
        description=proposal.what,
        lead_team=team,
        lead_organization=team.organization,
        proposal=proposal,
        by=by,
        starts_on=starts_on,
    )


@changes_pages(GENERATION_KEY)
def activity_record(
    *,
    intervention: Intervention,
    kind: str,
    date: date,
    who: str,
    what: str,
    photos: list[ContentFile[bytes]] | None = None,
) -> Activity:
    """A workshop or support visit, with its photos (checked here if no form did)."""
    with transaction.atomic():
        activity = Activity.objects.create(
            intervention=intervention, kind=kind, date=date, who=who, what=what
        )
        for photo in photos or []:
            ActivityPhoto.objects.create(
                activity=activity, image=ensure_checked(photo, accept=IMAGES)
            )
    return activity


# --- Kits -----------------------------------------------------------------------------


@changes_pages(GENERATION_KEY)
def kit_create_from_template(*, intervention: Intervention, template: KitTemplate) -> Kit:
    """Copy the template's items into the intervention's kit (then adjusted by hand)."""
    with transaction.atomic():
        kit, _created = Kit.objects.get_or_create(
            intervention=intervention, defaults={"template": template}
        )
        KitItem.objects.bulk_create(
            KitItem(
                kit=kit,
                name=t.name,
                category=t.category,
                unit=t.unit,
                quantity=t.quantity,
                unit_cost_pen=t.unit_cost_pen,
                care=t.care,
            )
            for t in template.items.all()
        )
    return kit


@changes_pages(GENERATION_KEY)
def kit_deliver(
    *,
    item: KitItem,
    quantity: Decimal,
    date: date,
    received_by: str,
    by: User | None,
    signature: ContentFile[bytes] | None = None,
    signed_form: ContentFile[bytes] | None = None,
) -> KitDelivery:
    """Hand over ``quantity`` of an item, signed. Stock never goes negative.

    The item row is locked before reading its stock, so two deliveries of the last units
    cannot both pass the check; the database constraint (delivered ≤ quantity) is the
    last guard if some other path ever forgets.
    """
    quantity = to_decimal(quantity)
    if quantity <= 0:
        raise ValidationError(_("The quantity must be greater than zero."))
    if signature is None and signed_form is None:
        raise ValidationError(_("A delivery needs a signature or a photo of the signed form."))
    with transaction.atomic():
        locked = KitItem.objects.select_for_update().get(pk=item.pk)
        if quantity > locked.in_stock:
            raise ValidationError(
                _("Only %(stock)s %(unit)s of “%(item)s” are left to deliver."),
                params={"stock": locked.in_stock, "unit": locked.unit, "item": locked.name},
            )
        delivery = KitDelivery(
            item=locked, date=date, quantity=quantity, received_by=received_by, recorded_by=by
        )
        if signature is not None:
            delivery.signature = ensure_checked(signature, accept=IMAGES)
        if signed_form is not None:
            delivery.signed_form = ensure_checked(signed_form, accept=IMAGES)
        delivery.save()
        KitItem.objects.filter(pk=locked.pk).update(delivered=F("delivered") + quantity)
    return delivery


# --- Maintenance guide ----------------------------------------------------------------


@changes_pages(GENERATION_KEY)
def guide_build(*, intervention: Intervention) -> MaintenanceGuide:
    """Create the guide from the space, its equipment and the kit; never overwrites edits."""
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
        .exclude(guide__responsible_email="")
        .exclude(guide__intervention__status=Intervention.Status.CANCELLED)
        .select_related("guide__intervention__public_space", "guide__intervention__district")
    )
    for task in tasks:
        with translation.override(settings.LANGUAGE_CODE):
            _task_remind(task=task, today=today, now=now)


def _task_remind(*, task: MaintenanceTask, today: date, now: datetime) -> None:
    from platform_app.services import delivery_schedule

    upcoming = task.upcoming(today - timedelta(days=7), count=1)
    if not upcoming:
        return
    occurrence = upcoming[0]
    if occurrence - timedelta(days=REMINDER_LEAD_DAYS) > today:
        return
    intervention = task.guide.intervention
    space = intervention.public_space.name
    delivery_schedule(
        recipient=task.guide.responsible_email,
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
