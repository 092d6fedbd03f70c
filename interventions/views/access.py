"""Who may see and manage interventions: management pages ask ``can(user, perm, district)``;
an intervention of another district is a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from interventions.models import (
    Intervention,
)
from platform_app.permissions import can

if TYPE_CHECKING:
    from platform_app.models import District


def require_perm(request: HttpRequest, perm: str, district: District | None = None) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not can(request.user, perm, district):
        raise PermissionDenied


def managed_intervention(request: HttpRequest, pk: int) -> Intervention:
    """The intervention to change: 404 outside the user's district, 403 without the role."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    intervention = get_object_or_404(
        Intervention.objects.select_related("district", "public_space"), pk=pk
    )
    if not request.user.is_superuser and request.user.district_id != intervention.district_id:
        raise Http404
    require_perm(request, "interventions.change_intervention", intervention.district)
    return intervention


def user_district(request: HttpRequest) -> District:
    from django.conf import settings

    from platform_app.models import District

    district = getattr(request.user, "district", None)
    return district or District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
