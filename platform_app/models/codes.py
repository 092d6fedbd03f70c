"""One-time codes sent by SMS: the log the sending limits count, and the code that
confirms a registration made with only a mobile number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeRequest(models.Model):
    """One code sent (or refused as over a limit: then not written). Kept so the limits per
    number, per address and per day count rows rather than trust a cache that a restart or
    a second machine would not share."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign-in or sign-up")
        REGISTRATION = "registration", _("Registration confirmation")

    phone = models.CharField(_("mobile"), max_length=16)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("code sent")
        verbose_name_plural = _("codes sent")
        indexes = (
            models.Index(fields=("phone", "created_at"), name="coderequest_phone_idx"),
            models.Index(fields=("ip", "created_at"), name="coderequest_ip_idx"),
        )

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class CodeGate(models.Model):
    """A row per number, per address and one for the whole platform, locked while the
    requests are counted and the new one written: two requests at once for one number wait
    for each other instead of both reading "four so far" and both sending."""

    key = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("code limit lock")
        verbose_name_plural = _("code limit locks")

    def __str__(self) -> str:
        return self.key


class RegistrationCode(models.Model):
    """The code that confirms a registration submitted with only a mobile number. Stored as
    a keyed hash, never in clear; a new code replaces the previous one."""

    organization = models.OneToOneField(
        "platform_app.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="phone_code",
    )
    phone = models.CharField(_("mobile"), max_length=16)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration code")
        verbose_name_plural = _("registration codes")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.phone}"
