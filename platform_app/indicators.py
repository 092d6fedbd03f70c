"""Figures of the platform app that the results dashboard (interventions) reads: the role
guide, the work plan and the registry's organizations. Typed, so that a renamed field or
status breaks here and in the tests, never silently on the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Q

from platform_app.models import Activity, Organization, RoleGuideVersion


def districts_with_approved_role_guide(district_ids: list[int]) -> set[int]:
    """The districts among ``district_ids`` with an approved guide of roles and functions."""
    return set(
        RoleGuideVersion.objects.filter(
            district_id__in=district_ids, status=RoleGuideVersion.Status.APPROVED
        )
        .values_list("district_id", flat=True)
        .distinct()
    )


def districts_with_active_work_plan(district_ids: list[int]) -> set[int]:
    """The districts whose work plan has at least one activity not cancelled."""
    return set(
        Activity.objects.filter(objective__district_id__in=district_ids)
        .exclude(status=Activity.Status.CANCELLED)
        .values_list("objective__district_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class OrganizationCounts:
    """Organizations of the registry: verified ones count; pending ones are in progress."""

    verified: int = 0
    pending: int = 0
    # Neighbourhood associations registered as newly constituted.
    new_associations: int = 0
    new_associations_pending: int = 0


def organization_counts(
    *, district_ids: list[int], by: Literal["district_id", "sector_id"]
) -> dict[int, OrganizationCounts]:
    """Organization counts of the districts, per district or per sector (one query)."""
    verified = Q(status=Organization.Status.VERIFIED)
    pending = Q(status=Organization.Status.PENDING)
    new = Q(typology=Organization.Typology.NEIGHBOURHOOD, newly_constituted=True)
    rows = (
        Organization.objects.filter(district_id__in=district_ids, **{f"{by}__isnull": False})
        .values(by)
        .annotate(
            n=Count("pk", filter=verified),
            pending=Count("pk", filter=pending),
            new=Count("pk", filter=new & verified),
            new_pending=Count("pk", filter=new & pending),
        )
        .order_by()
    )
    return {
        row[by]: OrganizationCounts(
            verified=row["n"],
            pending=row["pending"],
            new_associations=row["new"],
            new_associations_pending=row["new_pending"],
        )
        for row in rows
    }
