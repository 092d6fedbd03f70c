from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from platform_app.permissions import can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from platform_app.models import District, User
    from platform_app.outreach.models import Announcement


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def published(self) -> AnnouncementQuerySet:
        return self.filter(published_at__isnull=False).order_by("-published_at")

    def of_district(self, district: District) -> AnnouncementQuerySet:
        return self.filter(district=district)

    def visible_to(self, user: User | AnonymousUser) -> AnnouncementQuerySet:
        """Published news for everyone; drafts too for the coordinators of their district."""
        public = self.published()
        if not user.is_authenticated or not user.is_active:
            return public
        if user.is_superuser:
            return self
        if can(user, "platform_app.change_announcement") and user.district_id is not None:
            return self.filter(
                models.Q(published_at__isnull=False) | models.Q(district_id=user.district_id)
            )
        return public


def delivery_counts(announcement: Announcement) -> list[dict[str, Any]]:
    """Its messages in the delivery ledger by channel and status (sent, pending, failed…)."""
    from platform_app.models import Delivery

    rows = (
        Delivery.objects.filter(kind="announcement.news", object_key=announcement.delivery_key)
        .values("channel", "status")
        .annotate(count=models.Count("pk"))
        .order_by("channel", "status")
    )
    return [dict(row) for row in rows]


def subscribed_to_announcements(user: User) -> bool:
    """Whether the person said yes to announcements on the channel they are reached on."""
    from platform_app.messaging.models import Consent, Purpose
    from platform_app.messaging.services import reach_of_user

    reach = reach_of_user(user)
    return (
        reach is not None
        and Consent.objects.filter(
            channel=reach.channel,
            address=reach.address,
            purpose=Purpose.ANNOUNCEMENTS,
            allowed=True,
        ).exists()
    )
