"""The registry of the district's organizations (issue 3 builds the rest of it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A social, cultural, sports, youth, environmental or neighbourhood organization."""

    class Typology(models.TextChoices):
        CULTURAL = "cultural", _("Cultural")
        SOCIAL = "social", _("Social")
        ENVIRONMENTAL = "environmental", _("Environmental")
        SPORTS = "sports", _("Sports")
        YOUTH = "youth", _("Youth")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood association")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into another record")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    name = models.CharField(_("name"), max_length=200)
    typology = models.CharField(_("typology"), max_length=20, choices=Typology.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
