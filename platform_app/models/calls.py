"""Phone calls to invited organizations that no message can reach."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    """One call the desk made to an invited organization about a meeting, and how it went.
    Calls are kept, not overwritten: the latest one is the organization's answer, and the
    earlier ones show how often the desk tried."""

    class Outcome(models.TextChoices):
        COMING = "coming", _("Reached, coming")
        NOT_COMING = "not_coming", _("Reached, not coming")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    invitation = models.ForeignKey(
        "platform_app.OrganizationInvitation",
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="calls",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    called_at = models.DateTimeField(_("called at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ("-called_at", "-pk")

    def __str__(self) -> str:
        return f"{self.invitation} · {self.get_outcome_display()}"
