"""Reads and row scoping for interventions' models.

Companies and interventions are public (transparency is the point); pledges, kits,
deliveries and guides' private fields are for the district's coordinators. Each
``visible_to`` answers *which rows*; ``can`` answers *what* the user may do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import User

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _staff_district_filter(
    qs: models.QuerySet[Any], user: User | AnonymousUser, perm: str, path: str
) -> models.QuerySet[Any]:
    """Rows of the user's district when the user holds ``perm``; nothing otherwise."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not user.has_perm(perm) or user.district_id is None:  # type: ignore[union-attr]
        return qs.none()
    return qs.filter(**{path: user.district_id})  # type: ignore[union-attr]


class CompanyQuerySet(models.QuerySet["Any"]):
    def in_district(self, district_id: int) -> CompanyQuerySet:
        return self.filter(district_id=district_id)

    def with_totals(self) -> CompanyQuerySet:
        """Annotate what each company pledged (withdrawn pledges excluded), in S/ and US$."""
        active = ~Q(pledges__state="withdrawn")
        return self.annotate(
            pledged_pen=Coalesce(Sum("pledges__value_pen", filter=active), ZERO),
            pledged_usd=Coalesce(Sum("pledges__value_usd", filter=active), ZERO),
        )


class FundraisingEventQuerySet(models.QuerySet["Any"]):
    def visible_to(self, user: User | AnonymousUser) -> FundraisingEventQuerySet:
        """The events of the coordinator's district: which companies were invited and came is
        coordination work, not public (what companies financed is public on their pages)."""
        return _staff_district_filter(  # type: ignore[return-value]
            self, user, "interventions.view_fundraisingevent", "district"
        )

    def with_counts(self) -> FundraisingEventQuerySet:
        """Invited companies, those who confirmed and those who came, in the same query."""
        return self.annotate(
            invited_count=Count("invitations"),
            confirmed_count=Count("invitations", filter=Q(invitations__status="confirmed")),
            attended_count=Count("invitations", filter=Q(invitations__attended=True)),
        )


class PledgeQuerySet(models.QuerySet["Any"]):
    def visible_to(self, user: User | AnonymousUser) -> PledgeQuerySet:
        return _staff_district_filter(self, user, "interventions.view_pledge", "company__district")  # type: ignore[return-value]

    def active(self) -> PledgeQuerySet:
        return self.exclude(state="withdrawn")

    def with_allocated(self) -> PledgeQuerySet:
        return self.annotate(
            allocated_pen=Coalesce(Sum("allocations__amount_pen"), ZERO),
        ).annotate(remaining_pen=F("value_pen") - F("allocated_pen"))

    def allocatable(self) -> PledgeQuerySet:
        return self.filter(state__in=("confirmed", "received", "partly_used"))


class InterventionQuerySet(models.QuerySet["Any"]):
    def public(self) -> InterventionQuerySet:
        return self.exclude(status="cancelled")

    def manageable_by(self, user: User | AnonymousUser) -> InterventionQuerySet:
        return _staff_district_filter(self, user, "interventions.change_intervention", "district")  # type: ignore[return-value]


class KitItemQuerySet(models.QuerySet["Any"]):
    def with_funding(self) -> KitItemQuerySet:
        """Funded and missing amounts per item, computed in the database."""
        return (
            self.annotate(
                funded_pen=Coalesce(Sum("allocations__amount_pen"), ZERO),
            )
            .annotate(
                cost=ExpressionWrapper(
                    F("quantity") * F("unit_cost_pen"),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                ),
            )
            .annotate(
                missing_pen=ExpressionWrapper(
                    F("cost") - F("funded_pen"),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                )
            )
        )


class MaintenanceTaskQuerySet(models.QuerySet["Any"]):
    def active(self) -> MaintenanceTaskQuerySet:
        return self.filter(active=True, guide__intervention__status__in=("closing", "finished"))


def funding_totals(
    intervention_ids: list[int] | None = None, district_id: int | None = None
) -> dict[str, Decimal]:
    """Funding by source (private, municipal, community) and the private share (0-100).

    Private = pledges allocated to kit items + private budget lines. Two aggregate queries
    whatever the number of interventions.
    """
    from interventions.models import Allocation, BudgetLine

    allocations = Allocation.objects.all()
    lines = BudgetLine.objects.exclude(intervention__status="cancelled")
    allocations = allocations.exclude(item__kit__intervention__status="cancelled")
    if intervention_ids is not None:
        allocations = allocations.filter(item__kit__intervention_id__in=intervention_ids)
        lines = lines.filter(intervention_id__in=intervention_ids)
    if district_id is not None:
        allocations = allocations.filter(item__kit__intervention__district_id=district_id)
        lines = lines.filter(intervention__district_id=district_id)
    totals = {
        "private": Decimal("0.00"),
        "municipal": Decimal("0.00"),
        "community": Decimal("0.00"),
    }
    totals["private"] += allocations.aggregate(s=Sum("amount_pen"))["s"] or 0
    for row in lines.values("source").annotate(s=Sum("amount_pen")):
        totals[row["source"]] += row["s"]
    total = sum(totals.values(), Decimal("0.00"))
    totals["total"] = total
    totals["private_share"] = (
        (totals["private"] * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0.0")
    )
    return totals
