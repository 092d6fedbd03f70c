"""Announcements: news a coordinator publishes on the home page and the district's pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from platform_app.models.registry import Organization
from platform_app.outreach.querysets import AnnouncementQuerySet
from platform_app.permissions import Role
from santaanita.files import IMAGES, StoredFileField, Visibility


class Announcement(models.Model):
    """A piece of news of one district. A draft is seen by its coordinators only; once
    published it is public (home page, district page, news page, API). Sending it by
    message is a separate act (``announcement_send``), recorded with its segment and count.
    """

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    image = StoredFileField(
        _("image"), visibility=Visibility.PUBLIC, folder="announcements", accept=IMAGES, blank=True
    )
    event_date = models.DateField(
        _("event date"), null=True, blank=True, help_text=_("When the news is about an event.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The last sending: to whom (the segment) and how many messages it scheduled.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    segment_sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    segment_typology = models.CharField(
        _("organization typology"), max_length=20, choices=Organization.Typology.choices, blank=True
    )
    segment_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    recipients_count = models.PositiveIntegerField(_("messages scheduled"), default=0)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ("-published_at", "-created_at")
        permissions = (("send_announcement", _("Can send announcements by message")),)

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def delivery_key(self) -> str:
        """The object key of its messages in the delivery ledger."""
        return f"announcement:{self.pk}"
