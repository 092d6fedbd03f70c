"""Pledges of companies: recorded, corrected with a version check, moved through their
states, documented, and allocated to kit items; every change leaves a line of history.

The services a person runs ask ``interventions.permissions`` first (PermissionDenied
otherwise). Those that record their author in the history take that person as ``by``, the
name the history uses; ``by=None`` is the platform acting on its own (demo data, imports),
which no page or API action passes: they pass the signed-in user.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, Sum
from django.utils.translation import gettext as _

from interventions import permissions
from interventions.models import (
    Allocation,
    Company,
    KitItem,
    Pledge,
    PledgeChange,
    PledgeDocument,
)
from interventions.perception.services import GENERATION_KEY
from platform_app.models import User
from santaanita.money import quantize_cents, to_decimal
from santaanita.page_cache import changes_pages
from santaanita.versioned import lock_at_version

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


def pledge_history_record(
    *, pledge: Pledge, by: User | None, action: str, before: dict[str, str], note: str = ""
) -> None:
    after = _snapshot(pledge)
    changes = {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}
    PledgeChange.objects.create(
        pledge=pledge, by=by, action=action, changes=changes, note=note[:300]
    )


@changes_pages(GENERATION_KEY)
def company_add(*, actor: User, company: Company) -> Company:
    """Add a company the district's coordinators found (the form checked its fields)."""
    if not permissions.may_add_company(actor, company.district):
        raise PermissionDenied
    company.save()
    return company


@changes_pages(GENERATION_KEY)
def pledge_document_add(*, actor: User, pledge: Pledge, document: PledgeDocument) -> PledgeDocument:
    """File a signed letter, an agreement or a receipt with the pledge."""
    if not permissions.may_add_pledge_document(actor, pledge):
        raise PermissionDenied
    document.pledge = pledge
    document.save()
    return document


@changes_pages(GENERATION_KEY)
def pledge_create(*, by: User | None, **fields: object) -> Pledge:
    """Record a pledge and the first line of its history."""
    pledge = Pledge(**fields)
    if by is not None and not permissions.may_add_pledge(by, pledge.company.district):
        raise PermissionDenied
    pledge.full_clean()
    with transaction.atomic():
        pledge.save()
        pledge_history_record(pledge=pledge, by=by, action=PledgeChange.Action.CREATED, before={})
    return pledge


@changes_pages(GENERATION_KEY)
def pledge_update(
    *, pledge: Pledge, by: User | None, fields: dict[str, object], version: int, note: str = ""
) -> Pledge:
    """Change a pledge's terms. Its value may not fall below what is already allocated.

    ``version`` is the one the form was read at. The row is locked while it is compared, so
    of two coordinators saving the same pledge at once the second gets StaleEdit
    (with the current pledge) instead of silently overwriting the first. An edit that
    changes nothing writes no history line.
    """
    if by is not None and not permissions.may_change_pledge(by, pledge):
        raise PermissionDenied
    with transaction.atomic():
        locked = lock_at_version(Pledge.objects.filter(pk=pledge.pk), version=version)
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
        pledge_history_record(
            pledge=locked, by=by, action=PledgeChange.Action.UPDATED, before=before, note=note
        )
    return locked


@changes_pages(GENERATION_KEY)
def pledge_set_state(*, pledge: Pledge, state: str, by: User | None, note: str = "") -> Pledge:
    if by is not None and not permissions.may_change_pledge(by, pledge):
        raise PermissionDenied
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
        pledge_history_record(
            pledge=locked, by=by, action=PledgeChange.Action.STATE, before=before, note=note
        )
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
    if by is not None and not permissions.may_allocate_pledge(by, pledge):
        raise PermissionDenied
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
        pledge_history_record(
            pledge=locked,
            by=by,
            action=PledgeChange.Action.ALLOCATED,
            before=before,
            note=f"S/ {amount} → {locked_item.name} ({locked_item.kit.intervention})",
        )
    return allocation
