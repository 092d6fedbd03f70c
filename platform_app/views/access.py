"""Who may see and change the platform's meetings, agreements and members: every page needs a
platform role in the user's district (``district_for``, which refuses an account without a
district, or ``can`` on an object's district). Objects come from ``visible_to(user)``
querysets, so another district's meeting or agreement is a 404 (its existence is not
revealed); a visible object the user may not change is a 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from platform_app.models import (
    Agreement,
    District,
    Meeting,
    Member,
)
from platform_app.permissions import can

# --- access helpers ------------------------------------------------------------------------


def require_perm(request: HttpRequest, perm: str, district: District) -> None:
    if not can(request.user, perm, district):
        raise PermissionDenied


def meeting_for_user(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("district"), pk=pk
    )


def member_of(user: Any, district: District) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user, district=district).first()


def user_may_follow_up(user: Any, agreement: Agreement) -> bool:
    """Responsible members report on their agreements; coordinators on any of their district."""
    if can(user, "platform_app.change_agreement", agreement.district):
        return True
    return can(user, "platform_app.add_agreementfollowup", agreement.district) and (
        agreement.responsible.filter(user=user, status=Member.Status.ACTIVE).exists()
    )
