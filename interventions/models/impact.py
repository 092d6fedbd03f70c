"""What the results dashboard measures against: the programme's years and the baseline
figures of the founding document, kept as dated reference values with their source."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImpactPlan(models.Model):
    """The years a district's targets are measured in.

    The founding document sets direct results "by" one year (companies' contributions) and
    impacts "in five years" (cohesion, private share, improved spaces). The years are data so
    each district that replicates the programme sets its own.
    """

    PERIOD_YEARS = 5

    district = models.OneToOneField(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="impact_plan",
    )
    first_year = models.PositiveSmallIntegerField(
        _("first year of the five-year period"),
        help_text=_("The impacts are measured over this year and the four that follow."),
    )
    results_year = models.PositiveSmallIntegerField(
        _("target year of the direct results"),
        help_text=_("Companies' contributions count when made by the end of this year."),
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        verbose_name = _("impact plan")
        verbose_name_plural = _("impact plans")

    def __str__(self) -> str:
        return f"{self.district} {self.first_year}–{self.last_year}"

    @property
    def last_year(self) -> int:
        return self.first_year + self.PERIOD_YEARS - 1

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.first_year + self.PERIOD_YEARS))


class ReferenceValue(models.Model):
    """A baseline figure the founding document rests on, dated and with its source.

    Coordinators correct them (a new study, a better source) through
    ``reference_value_update``; the version refuses an edit made on a stale form.
    """

    class Key(models.TextChoices):
        CRIME_VICTIMS = "crime_victims", _("Residents who report having suffered a crime")
        COMPLAINTS = "complaints", _("Complaints registered with the police")
        SPACES_FAIR = "spaces_fair", _("Residents who rate public spaces as fair")
        SPACES_BAD = "spaces_bad", _("Residents who rate public spaces as bad or very bad")
        COMPANIES = "companies", _("Companies in the district")
        PARKS = "parks", _("Parks in the district")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="reference_values",
    )
    key = models.CharField(_("figure"), max_length=20, choices=Key.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=1)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    observed_on = models.DateField(_("date of the figure"))
    period = models.CharField(
        _("period it covers"), max_length=100, blank=True, help_text=_("e.g. January–March 2023")
    )
    source = models.CharField(_("source"), max_length=300)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reference value")
        verbose_name_plural = _("reference values")
        ordering = ("district", "key")
        constraints = (
            models.UniqueConstraint(fields=("district", "key"), name="reference_value_unique_key"),
        )

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.display_value}"

    @property
    def display_value(self) -> str:
        whole = self.value == self.value.to_integral()
        text = f"{self.value.normalize():f}" if whole else f"{self.value:f}"
        return f"{text} {self.unit}".strip()
