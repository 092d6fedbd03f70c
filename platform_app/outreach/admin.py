from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_app.outreach import services
from platform_app.outreach.models import Announcement
from platform_app.outreach.permissions import may_administer_announcements
from santaanita.admin_base import ReadOnlyAdmin
from santaanita.users import signed_in_user


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin[Announcement]):
    """Read-only, with publish and withdraw as actions through the services: writing and
    sending happen on the news pages, where the image is checked and the segment counted."""

    list_display = (
        "title",
        "district",
        "published_at",
        "event_date",
        "sent_at",
        "recipients_count",
    )
    list_filter = ("district", "published_at")
    search_fields = ("title", "text")
    actions = ("publish", "withdraw")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Actions need the change permission to be offered; the form stays read-only
        # because every field is listed as read-only below.
        return may_administer_announcements(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Announcement._meta.fields]

    @admin.action(description=_("Publish on the public pages"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Announcement]) -> None:
        actor = signed_in_user(request)
        for announcement in queryset:
            services.announcement_publish(announcement=announcement, actor=actor)
        self.message_user(request, _("Published."), messages.SUCCESS)

    @admin.action(description=_("Take off the public pages"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Announcement]) -> None:
        actor = signed_in_user(request)
        for announcement in queryset:
            services.announcement_withdraw(announcement=announcement, actor=actor)
        self.message_user(request, _("Taken off the public pages."), messages.SUCCESS)
