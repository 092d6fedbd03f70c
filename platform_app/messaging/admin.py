"""Consents and messaging preferences in the admin: read-only, since they change only
through the person's own choice (the opt-out link, STOP, their preferences)."""

from __future__ import annotations

from django.contrib import admin

from platform_app.messaging.models import Consent, MessagingProfile
from santaanita.admin_base import ReadOnlyAdmin


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin[Consent]):
    list_display = ("address", "channel", "purpose", "allowed", "source", "changed_at")
    list_filter = ("channel", "purpose", "allowed")
    search_fields = ("address",)


@admin.register(MessagingProfile)
class MessagingProfileAdmin(ReadOnlyAdmin[MessagingProfile]):
    list_display = ("user", "phone", "channel")
    list_filter = ("channel",)
    search_fields = ("user__email", "phone")
