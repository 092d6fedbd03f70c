"""Kit templates: the standard lists of furniture, materials and tools a kit starts from."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ItemCategory(models.TextChoices):
    FURNITURE = "furniture", _("Furniture")
    MATERIAL = "material", _("Materials")
    TOOL = "tool", _("Tools")


class KitTemplate(models.Model):
    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="kit_templates",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("kit template")
        verbose_name_plural = _("kit templates")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class KitTemplateItem(models.Model):
    template = models.ForeignKey(
        KitTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    name = models.CharField(_("item"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=ItemCategory.choices)
    unit = models.CharField(_("unit"), max_length=30)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_cost_pen = models.DecimalField(_("unit cost (S/)"), max_digits=12, decimal_places=2)
    care = models.TextField(
        _("how to care for it"), blank=True, help_text=_("Copied into the maintenance guide.")
    )

    class Meta:
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        ordering = ("template", "category", "name")
        constraints = (
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_cost_pen__gte=0),
                name="kit_template_item_positive",
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def cost_pen(self) -> Decimal:
        return self.quantity * self.unit_cost_pen
