"""Interventions: the three-month plan, the kit and its deliveries, the maintenance guide."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interventions.models.kits import ItemCategory
from interventions.querysets import (
    InterventionQuerySet,
    KitItemQuerySet,
    MaintenanceTaskQuerySet,
)
from santaanita.files import IMAGES, StoredFileField, Visibility


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, clamped to the month's last day (31 Jan + 1 → 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class Phase(models.TextChoices):
    CO_DESIGN = "co_design", _("Co-design")
    EXECUTION = "execution", _("Execution")
    CLOSING = "closing", _("Closing")


class Intervention(models.Model):
    """A citizen intervention in one public space: three months of co-design and work.

    One per public space (a space is improved once; later work is a new phase of the same
    intervention). At most one per district carries the "large-scale transformation" flag,
    enforced by a partial unique constraint so two coordinators cannot both set it.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CO_DESIGN = "co_design", _("Co-design")
        EXECUTION = "execution", _("Execution")
        CLOSING = "closing", _("Closing")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="interventions",
    )
    public_space = models.OneToOneField(
        "mapping.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.PROTECT,
        related_name="intervention",
    )
    proposal = models.OneToOneField(
        "festival.Proposal",
        verbose_name=_("festival proposal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intervention",
    )
    lead_team = models.ForeignKey(
        "festival.Team",
        verbose_name=_("lead team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
    )
    lead_organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("lead organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what will be done"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    large_scale = models.BooleanField(_("large-scale transformation"), default=False)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    survey_before = models.ForeignKey(
        "mapping.Survey",
        verbose_name=_("survey before"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    survey_after = models.ForeignKey(
        "mapping.Survey",
        verbose_name=_("survey after"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ("title",)
        constraints = (
            models.UniqueConstraint(
                fields=("district",),
                condition=Q(large_scale=True),
                name="intervention_one_large_scale_per_district",
                violation_error_message=_(
                    "This district already has its large-scale transformation."
                ),
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="intervention_progress"),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def condition_change(self) -> int | None:
        """Change of the condition score between the surveys before and after (same method)."""
        before = getattr(self.survey_before, "condition_score", None)
        after = getattr(self.survey_after, "condition_score", None)
        if before is None or after is None:
            return None
        return int(after) - int(before)


class PlanPhase(models.Model):
    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="phases",
    )
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("plan phase")
        verbose_name_plural = _("plan phases")
        ordering = ("intervention", "starts_on")
        constraints = (
            models.UniqueConstraint(fields=("intervention", "phase"), name="plan_phase_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="plan_phase_dates"
            ),
        )

    def __str__(self) -> str:
        return self.get_phase_display()


class Milestone(models.Model):
    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices)
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ("intervention", "due_on")

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """A workshop or a technical support visit: date, who came, what was done."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        SUPPORT_VISIT = "support_visit", _("Technical support visit")

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    who = models.CharField(_("who took part"), max_length=300)
    what = models.TextField(_("what was done"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop or visit")
        verbose_name_plural = _("workshops and visits")
        ordering = ("intervention", "-date")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    image = StoredFileField(
        _("photo"), visibility=Visibility.PUBLIC, folder="activities", accept=IMAGES
    )

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return self.image.name or ""


class InterventionPhoto(models.Model):
    """Photos of the space before and after, shown side by side."""

    class Moment(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    moment = models.CharField(_("moment"), max_length=8, choices=Moment.choices)
    image = StoredFileField(
        _("photo"), visibility=Visibility.PUBLIC, folder="interventions", accept=IMAGES
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("before/after photo")
        verbose_name_plural = _("before/after photos")
        ordering = ("intervention", "moment", "pk")

    def __str__(self) -> str:
        return f"{self.get_moment_display()} · {self.intervention_id}"


class FundingSource(models.TextChoices):
    PRIVATE = "private", _("Private sector")
    MUNICIPAL = "municipal", _("Municipality")
    COMMUNITY = "community", _("Community")


class BudgetLine(models.Model):
    """Funding beyond the kit's pledges: the municipality's and the community's share.

    Company pledges reach an intervention through allocations to its kit items; a private
    budget line is for private money that did not pass through a pledge.
    """

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    description = models.CharField(_("description"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=FundingSource.choices)
    amount_pen = models.DecimalField(_("amount (S/)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ("intervention", "source", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(amount_pen__gte=0), name="budget_line_positive"),
        )

    def __str__(self) -> str:
        return self.description


class Kit(models.Model):
    intervention = models.OneToOneField(
        Intervention, verbose_name=_("intervention"), on_delete=models.CASCADE, related_name="kit"
    )
    template = models.ForeignKey(
        "interventions.KitTemplate",
        verbose_name=_("template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kits",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("kit")
        verbose_name_plural = _("kits")

    def __str__(self) -> str:
        return str(self.intervention)


class KitItem(models.Model):
    """One line of a kit. ``delivered`` only grows through ``kit_deliver``, which locks the
    row; the check constraint is the last guard: stock (quantity - delivered) never < 0."""

    kit = models.ForeignKey(
        Kit, verbose_name=_("kit"), on_delete=models.CASCADE, related_name="items"
    )
    name = models.CharField(_("item"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=ItemCategory.choices)
    unit = models.CharField(_("unit"), max_length=30)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_cost_pen = models.DecimalField(_("unit cost (S/)"), max_digits=12, decimal_places=2)
    delivered = models.DecimalField(
        _("delivered"), max_digits=10, decimal_places=2, default=Decimal(0), editable=False
    )
    care = models.TextField(_("how to care for it"), blank=True)

    objects = KitItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("kit item")
        verbose_name_plural = _("kit items")
        ordering = ("kit", "category", "name")
        constraints = (
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_cost_pen__gte=0), name="kit_item_positive"
            ),
            models.CheckConstraint(
                condition=Q(delivered__gte=0) & Q(delivered__lte=models.F("quantity")),
                name="kit_item_stock_not_negative",
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def cost_pen(self) -> Decimal:
        return self.quantity * self.unit_cost_pen

    @property
    def in_stock(self) -> Decimal:
        return self.quantity - self.delivered


class Allocation(models.Model):
    """Part of a pledge (valued in soles) financing one kit item. Written by pledge_allocate."""

    pledge = models.ForeignKey(
        "interventions.Pledge",
        verbose_name=_("pledge"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    item = models.ForeignKey(
        KitItem, verbose_name=_("kit item"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount_pen = models.DecimalField(_("amount (S/)"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ("item", "created_at")
        constraints = (
            models.CheckConstraint(condition=Q(amount_pen__gt=0), name="allocation_positive"),
        )

    def __str__(self) -> str:
        return f"{self.pledge_id} → {self.item}"


class KitDelivery(models.Model):
    """Handing over part of a kit item, signed by whoever received it."""

    item = models.ForeignKey(
        KitItem, verbose_name=_("kit item"), on_delete=models.PROTECT, related_name="deliveries"
    )
    date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    received_by = models.CharField(_("received by"), max_length=200)
    # A neighbour's handwriting and name: seen only by those who manage the intervention.
    signature = StoredFileField(
        _("signature"),
        visibility=Visibility.PRIVATE,
        folder="signatures",
        accept=IMAGES,
        blank=True,
    )
    signed_form = StoredFileField(
        _("photo of the signed form"),
        visibility=Visibility.PRIVATE,
        folder="signed-forms",
        accept=IMAGES,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("kit delivery")
        verbose_name_plural = _("kit deliveries")
        ordering = ("item", "-date")
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gt=0), name="kit_delivery_positive"),
            models.CheckConstraint(
                condition=~Q(signature="") | ~Q(signed_form=""), name="kit_delivery_signed"
            ),
        )

    def __str__(self) -> str:
        return f"{self.item} · {self.quantity} · {self.date}"


class MaintenanceGuide(models.Model):
    """The guide for the use and maintenance of the space, written with the team.

    ``responsible_email`` is where the calendar's reminders go; it is personal data and
    never printed on the public booklet.
    """

    intervention = models.OneToOneField(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="guide",
    )
    responsible_organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("responsible organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maintenance_guides",
    )
    responsible_email = models.EmailField(_("email for reminders"), blank=True)
    introduction = models.TextField(_("about the space"), blank=True)
    installed = models.TextField(_("what was installed"), blank=True)
    care = models.TextField(_("how to care for it"), blank=True)
    rules = models.TextField(_("rules of use"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("use and maintenance guide")
        verbose_name_plural = _("use and maintenance guides")

    def __str__(self) -> str:
        return str(self.intervention)


class MaintenanceTask(models.Model):
    """A recurring task of the maintenance calendar (every ``every_months`` from ``first_on``)."""

    guide = models.ForeignKey(
        MaintenanceGuide, verbose_name=_("guide"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("how"), blank=True)
    first_on = models.DateField(_("first date"))
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=1)
    active = models.BooleanField(_("active"), default=True)

    objects = MaintenanceTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance task")
        verbose_name_plural = _("maintenance tasks")
        ordering = ("guide", "first_on")
        constraints = (
            models.CheckConstraint(condition=Q(every_months__gte=1), name="maintenance_every"),
        )

    def __str__(self) -> str:
        return self.title

    def occurrences(self, until: date, count: int = 12) -> list[date]:
        """The task's dates from its first date up to ``until`` (at most ``count``, last ones)."""
        dates: list[date] = []
        step = 0
        current = self.first_on
        while current <= until:
            dates.append(current)
            step += 1
            current = add_months(self.first_on, self.every_months * step)
        return dates[-count:]

    def upcoming(self, start: date, count: int = 6) -> list[date]:
        dates: list[date] = []
        step = 0
        current = self.first_on
        while len(dates) < count and step < 1200:
            if current >= start:
                dates.append(current)
            step += 1
            current = add_months(self.first_on, self.every_months * step)
        return dates
