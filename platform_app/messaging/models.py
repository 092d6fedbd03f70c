"""How a person wants to be reached, and what they agreed to receive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Purpose(models.TextChoices):
    """Why the platform writes. Consent is given or withdrawn per purpose (Law 29733):
    stopping meeting reminders must not stop the answer to one's own registration."""

    ACCOUNT = "account", _("my registration and account")
    MEETINGS = "meetings", _("meetings and their reminders")
    AGREEMENTS = "agreements", _("agreements and their due dates")
    FESTIVAL = "festival", _("the festival")
    MAINTENANCE = "maintenance", _("maintenance of public spaces")
    REPORTS = "reports", _("reports about public spaces")
    ANNOUNCEMENTS = "announcements", _("announcements")


def purpose_of(kind: str) -> str:
    """The purpose a message kind serves ("meeting.reminder" → meetings)."""
    prefix = kind.split(".", 1)[0]
    return {
        "meeting": Purpose.MEETINGS,
        "agreement": Purpose.AGREEMENTS,
        "festival": Purpose.FESTIVAL,
        "interventions": Purpose.MAINTENANCE,
        "reports": Purpose.REPORTS,
        "announcement": Purpose.ANNOUNCEMENTS,
    }.get(prefix, Purpose.ACCOUNT)


class MessagingProfile(models.Model):
    """A user's mobile number (E.164) and the channel they want messages on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="messaging_profile",
    )
    phone = models.CharField(_("mobile number"), max_length=16, blank=True)
    channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )

    class Meta:
        verbose_name = _("messaging preference")
        verbose_name_plural = _("messaging preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_channel_display()})"


class Consent(models.Model):
    """A person's choice about one purpose on one channel, kept by address (the E.164 number
    or the email address): a STOP reply knows only the number, and the same person may be a
    user, a member and an organization's contact at once. No row means allowed: these are
    the messages the platform's own procedures need; a refusal always wins."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    allowed = models.BooleanField(_("allowed"), default=True)
    source = models.CharField(_("how it was given"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = (
            models.UniqueConstraint(
                fields=("channel", "address", "purpose"), name="consent_unique_address"
            ),
        )

    def __str__(self) -> str:
        state = _("allowed") if self.allowed else _("refused")
        return f"{self.address} · {self.get_purpose_display()} · {state}"
