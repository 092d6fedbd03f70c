"""Reads and row scoping for interventions' models.

Companies and interventions are public (transparency is the point); pledges, kits,
deliveries and guides' private fields are for the district's coordinators. Each
``visible_to`` answers *which rows*; ``can`` answers *what* the user may do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db import models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations

    # Named as strings in the QuerySet base classes below (the models import this module),
    # which ruff does not read: hence the noqa on the two used nowhere else.
    from interventions.models import (
        Company,
        FundraisingEvent,
        Intervention,  # noqa: F401
        Invitation,  # noqa: F401
        KitItem,
        MaintenanceTask,  # noqa: F401
        PerceptionResponse,  # noqa: F401
        Pledge,
    )
    from platform_app.models import User

_QS = TypeVar("_QS", bound="models.QuerySet[Any]")


# What the ``with_*`` methods annotate, so the rows they return are typed with those names.
# Those methods call ``annotate`` on ``self`` seen as a plain ``QuerySet[Model]``: on the
# custom class django-stubs' plugin drops the annotated names when it maps the result back
# to ``QuerySet``, and the declared return type would not match.
class CompanyTotals(TypedDict):
    pledged_pen: Decimal
    pledged_usd: Decimal


class EventCounts(TypedDict):
    invited_count: int
    confirmed_count: int
    attended_count: int


class PledgeAllocated(TypedDict):
    allocated_pen: Decimal
    remaining_pen: Decimal


class KitItemFunding(TypedDict):
    funded_pen: Decimal
    cost: Decimal
    missing_pen: Decimal


ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _staff_district_filter(qs: _QS, user: User | AnonymousUser, perm: str, path: str) -> _QS:
    """Rows of the user's district when the user holds ``perm``; nothing otherwise."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not user.has_perm(perm) or user.district_id is None:
        return qs.none()
    return qs.filter(**{path: user.district_id})


class CompanyQuerySet(models.QuerySet["Company"]):
    def in_district(self, district_id: int) -> CompanyQuerySet:
        return self.filter(district_id=district_id)

    def represented_by(self, user: User | AnonymousUser) -> CompanyQuerySet:
        """The companies this person acts for (see CompanyRepresentative)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(representatives__user=user).distinct()

    def with_totals(self) -> models.QuerySet[WithAnnotations[Company, CompanyTotals]]:
        """Annotate what each company pledged (withdrawn pledges excluded), in S/ and US$."""
        from interventions.models import Pledge

        active = ~Q(pledges__state=Pledge.State.WITHDRAWN)
        qs: models.QuerySet[Company] = self
        return qs.annotate(
            pledged_pen=Coalesce(Sum("pledges__value_pen", filter=active), ZERO),
            pledged_usd=Coalesce(Sum("pledges__value_usd", filter=active), ZERO),
        )


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def answerable_by(self, user: User | AnonymousUser) -> InvitationQuerySet:
        """Invitations of the companies this person represents."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(company_id__in=_represented_company_ids(user))


class FundraisingEventQuerySet(models.QuerySet["FundraisingEvent"]):
    def visible_to(self, user: User | AnonymousUser) -> FundraisingEventQuerySet:
        """The events of the coordinator's district: which companies were invited and came is
        coordination work, not public (what companies financed is public on their pages)."""
        return _staff_district_filter(self, user, "interventions.view_fundraisingevent", "district")

    def with_counts(self) -> models.QuerySet[WithAnnotations[FundraisingEvent, EventCounts]]:
        """Invited companies, those who confirmed and those who came, in the same query."""
        from interventions.models import Invitation

        qs: models.QuerySet[FundraisingEvent] = self
        confirmed = Q(invitations__status=Invitation.Status.CONFIRMED)
        return qs.annotate(
            invited_count=Count("invitations"),
            confirmed_count=Count("invitations", filter=confirmed),
            attended_count=Count("invitations", filter=Q(invitations__attended=True)),
        )


def _represented_company_ids(user: User | AnonymousUser) -> models.QuerySet[Any]:
    from interventions.models import CompanyRepresentative

    # Callers pass signed-in users; an anonymous one (pk None) would match no row anyway.
    return CompanyRepresentative.objects.filter(user_id=user.pk or 0).values("company_id")


class PledgeQuerySet(models.QuerySet["Pledge"]):
    def visible_to(self, user: User | AnonymousUser) -> PledgeQuerySet:
        """Coordinators see their district's pledges; a company's representative sees that
        company's own. A subquery, not a join, so sums over allocations count each once."""
        staff = _staff_district_filter(self, user, "interventions.view_pledge", "company__district")
        if not user.is_authenticated or not user.is_active:
            return staff
        return staff | self.filter(company_id__in=_represented_company_ids(user))

    def represented_by(self, user: User | AnonymousUser) -> PledgeQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(company_id__in=_represented_company_ids(user))

    def active(self) -> PledgeQuerySet:
        from interventions.models import Pledge

        return self.exclude(state=Pledge.State.WITHDRAWN)

    def with_allocated(self) -> models.QuerySet[WithAnnotations[Pledge, PledgeAllocated]]:
        qs: models.QuerySet[Pledge] = self
        return qs.annotate(
            allocated_pen=Coalesce(Sum("allocations__amount_pen"), ZERO),
        ).annotate(remaining_pen=F("value_pen") - F("allocated_pen"))

    def allocatable(self) -> PledgeQuerySet:
        from interventions.models import Pledge

        return self.filter(state__in=Pledge.ALLOCATABLE)


class InterventionQuerySet(models.QuerySet["Intervention"]):
    def public(self) -> InterventionQuerySet:
        from interventions.models import Intervention

        return self.exclude(status=Intervention.Status.CANCELLED)

    def manageable_by(self, user: User | AnonymousUser) -> InterventionQuerySet:
        return _staff_district_filter(self, user, "interventions.change_intervention", "district")


class KitItemQuerySet(models.QuerySet["KitItem"]):
    def with_funding(self) -> models.QuerySet[WithAnnotations[KitItem, KitItemFunding]]:
        """Funded and missing amounts per item, computed in the database."""
        qs: models.QuerySet[KitItem] = self
        return (
            qs.annotate(
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


class MaintenanceTaskQuerySet(models.QuerySet["MaintenanceTask"]):
    def active(self) -> MaintenanceTaskQuerySet:
        from interventions.models import Intervention

        done = (Intervention.Status.CLOSING, Intervention.Status.FINISHED)
        return self.filter(active=True, guide__intervention__status__in=done)


def funding_totals(
    intervention_ids: list[int] | None = None, district_id: int | None = None
) -> dict[str, Decimal]:
    """Funding by source (private, municipal, community) and the private share (0-100).

    Private = pledges allocated to kit items + private budget lines. Two aggregate queries
    whatever the number of interventions.
    """
    from interventions.models import Allocation, BudgetLine, Intervention

    cancelled = Intervention.Status.CANCELLED
    allocations = Allocation.objects.all()
    lines = BudgetLine.objects.exclude(intervention__status=cancelled)
    allocations = allocations.exclude(item__kit__intervention__status=cancelled)
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


class PerceptionResponseQuerySet(models.QuerySet["PerceptionResponse"]):
    def counted(self) -> PerceptionResponseQuerySet:
        """The answers the index reads: scored, and not flagged as a possible repeat of the
        same browser on the public link (kept for review, left out of every figure)."""
        return self.filter(duplicate_suspected=False, cohesive__isnull=False)
