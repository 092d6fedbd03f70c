"""Who may read, write, publish and send the district's announcements.

Published announcements are public; a draft is known only to the coordinators of its district
(``Announcement.objects.visible_to``), so anyone else asking for it gets a 404. Writing and
publishing need ``change_announcement`` in the announcement's district, sending it as
messages ``send_announcement``: a message costs money and reaches people's phones, so it is
a separate grant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from platform_app.outreach.models import Announcement
from platform_app.permissions import can, district_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User

AnnouncementAction = Literal["view", "change", "send"]


def may_write_announcements(user: User | AnonymousUser, district: District | None = None) -> bool:
    """May the user write announcements (in this district, when one is given)?"""
    return can(user, "platform_app.add_announcement", district)


def require_announcement_writer(user: User | AnonymousUser) -> District:
    """The district the user writes announcements for."""
    return district_for(user, "platform_app.add_announcement")


def may_administer_announcements(user: User | AnonymousUser) -> bool:
    """The admin offers publish and withdraw to whoever changes announcements somewhere; the
    service then checks each announcement's district."""
    return can(user, "platform_app.change_announcement")


def may_change_announcement(user: User | AnonymousUser, announcement: Announcement) -> bool:
    return can(user, "platform_app.change_announcement", announcement.district)


def may_send_announcement(user: User | AnonymousUser, announcement: Announcement) -> bool:
    return can(user, "platform_app.send_announcement", announcement.district)


def get_announcement_for_user(
    user: User | AnonymousUser, pk: int, *, action: AnnouncementAction
) -> Announcement:
    """The announcement ``pk`` as ``user`` may use it: 404 for a draft they may not know
    exists, 403 for a visible one they may not change or send."""
    announcement: Announcement = get_object_or_404(
        Announcement.objects.visible_to(user).select_related("district"), pk=pk
    )
    if action == "change" and not may_change_announcement(user, announcement):
        raise PermissionDenied
    if action == "send" and not may_send_announcement(user, announcement):
        raise PermissionDenied
    return announcement
