"""The guide of roles and functions (versioned) and the work plan of the platform."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from platform_app.models.meetings import Axis
from platform_app.querysets import ActivityQuerySet, ObjectiveQuerySet


class RoleGuideVersion(models.Model):
    """One version of the guide. A member proposes, a meeting approves; old versions stay."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("In force")
        SUPERSEDED = "superseded", _("Superseded")
        REJECTED = "rejected", _("Rejected")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="role_guides",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    introduction = models.TextField(_("introduction"), blank=True)
    change_summary = models.TextField(_("what changes"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_in = models.ForeignKey(
        "platform_app.Meeting",
        verbose_name=_("approved in meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_role_guides",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guide of roles and functions")
        verbose_name_plural = _("guides of roles and functions")
        ordering = ("district", "-number")
        constraints = (
            models.UniqueConstraint(fields=("district", "number"), name="roleguide_unique_number"),
        )

    def __str__(self) -> str:
        return f"{_('Guide of roles and functions')} v{self.number}"


class GuideRole(models.Model):
    """A role of the platform as one version of the guide describes it."""

    guide = models.ForeignKey(
        RoleGuideVersion, verbose_name=_("guide"), on_delete=models.CASCADE, related_name="roles"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("role"), max_length=120)
    functions = models.TextField(_("functions"))
    responsibilities = models.TextField(_("responsibilities"), blank=True)

    class Meta:
        verbose_name = _("role of the guide")
        verbose_name_plural = _("roles of the guide")
        ordering = ("guide", "order", "pk")

    def __str__(self) -> str:
        return self.name


class RoleHolder(models.Model):
    """Who holds a role of the guide, and since when."""

    role = models.ForeignKey(
        GuideRole, verbose_name=_("role"), on_delete=models.CASCADE, related_name="holders"
    )
    member = models.ForeignKey(
        "platform_app.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="guide_roles",
    )
    since = models.DateField(_("since"), default=date.today)

    class Meta:
        verbose_name = _("role holder")
        verbose_name_plural = _("role holders")
        ordering = ("role", "since")

    def __str__(self) -> str:
        return f"{self.member} · {self.role}"


class Objective(models.Model):
    """An objective of the work plan; its progress is the weighted mean of its activities."""

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    axis = models.CharField(_("axis"), max_length=16, choices=Axis.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    # Bumped by every edit: an edit made from an older copy of the objective is refused
    # instead of silently overwriting the newer one (services.objective_update).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("work-plan objective")
        verbose_name_plural = _("work-plan objectives")
        ordering = ("district", "axis", "order", "pk")

    def __str__(self) -> str:
        return self.title

    def rolled_up_progress(self) -> int:
        """Weighted mean of the activities' progress; cancelled activities do not count.

        Reads ``self.activities.all()`` so a prefetch serves it without queries.
        """
        activities = [a for a in self.activities.all() if a.status != Activity.Status.CANCELLED]
        total_weight = sum(a.weight for a in activities)
        if not total_weight:
            return 0
        return round(sum(a.progress * a.weight for a in activities) / total_weight)


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=255)
    responsible = models.ManyToManyField(
        "platform_app.Member",
        verbose_name=_("responsible members"),
        related_name="activities",
        blank=True,
    )
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("How much this activity counts in its objective.")
    )
    # Bumped by every progress report and every change of plan: a report or an edit made
    # from an older copy of the activity is refused instead of silently overwriting the
    # newer one (services.activity_report, services.activity_update).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("work-plan activity")
        verbose_name_plural = _("work-plan activities")
        ordering = ("objective", "starts_on", "pk")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": _("The due date cannot come before the start.")})
