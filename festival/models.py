"""The "Zapatea Santa Anita" festival: editions, stages, teams and their proposals, the
pre-festival workshop, the evaluation committee, criteria and score sheets.

Rules about one object live here; writes that touch several rows (registration, scoring,
locking a stage) are in ``festival.services``; rankings are computed in ``festival.results``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from festival.querysets import (
    EditionQuerySet,
    JudgeQuerySet,
    ScoreSheetQuerySet,
    StageQuerySet,
    TeamQuerySet,
)
from santaanita.files import PDF, StoredFileField, Visibility

# A team is multigenerational when at least this many of the four age groups each have at
# least MULTIGENERATIONAL_MIN_DANCERS dancers. Two dancers per group (not one) so that a
# single child or grandparent added for the label does not make a team multigenerational.
MULTIGENERATIONAL_MIN_GROUPS = 3
MULTIGENERATIONAL_MIN_DANCERS = 2


class Edition(models.Model):
    """One year's festival in one district, with its rules."""

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="festival_editions",
    )
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    # Published with the call for teams: public.
    rules_document = StoredFileField(
        _("rules document"), visibility=Visibility.PUBLIC, folder="festival", accept=PDF, blank=True
    )
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    starts_on = models.DateField(_("first festival day"))
    ends_on = models.DateField(_("last festival day"))
    workshop_attendance_required = models.BooleanField(
        _("workshop attendance required to compete"),
        default=True,
        help_text=_("Teams must attend at least one workshop session to compete."),
    )
    normalization_enabled = models.BooleanField(
        _("rank by normalized scores"),
        default=False,
        help_text=_(
            "Correct harsh or lenient judges with a z-score per judge. The raw ranking is "
            "always shown beside it."
        ),
    )
    outstanding_per_stage = models.PositiveSmallIntegerField(
        _("outstanding teams per stage"), default=3, validators=[MinValueValidator(1)]
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("festival edition")
        verbose_name_plural = _("festival editions")
        ordering = ("-year", "name")
        constraints = (
            models.UniqueConstraint(fields=("district", "year"), name="edition_unique_year"),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="edition_registration_period_order",
            ),
        )

    def __str__(self) -> str:
        return self.name

    def is_registration_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at


class Stage(models.Model):
    """The festival's stop in one sector: a date, a time and a public space."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="stages"
    )
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="festival_stages",
    )
    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.ForeignKey(
        "mapping.PublicSpace",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="festival_stages",
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ("edition", "starts_at", "sector__number")
        constraints = (
            models.UniqueConstraint(fields=("edition", "sector"), name="stage_one_per_sector"),
        )
        permissions = (("lock_stage", _("Can lock a stage's scores")),)

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Team(models.Model):
    """A dance team (elenco) of one organization in one edition."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class DanceStyle(models.TextChoices):
        MARINERA = "marinera", _("Marinera")
        HUAYLAS = "huaylas", _("Huaylas")
        FESTEJO = "festejo", _("Festejo")
        SAYA = "saya", _("Saya")
        CAPORALES = "caporales", _("Caporales")
        TONDERO = "tondero", _("Tondero")
        HUAYNO = "huayno", _("Huayno")
        URBAN = "urban", _("Urban dance")
        CONTEMPORARY = "contemporary", _("Contemporary")
        OTHER = "other", _("Other")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="teams"
    )
    organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="festival_teams",
    )
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="festival_teams",
        help_text=_("The team's neighbourhood sector; its proposed space must lie in it."),
    )
    name = models.CharField(_("team name"), max_length=200)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="festival_teams",
    )
    dance_style = models.CharField(_("dance style"), max_length=20, choices=DanceStyle.choices)
    dancers_children = models.PositiveSmallIntegerField(_("dancers aged 0–12"), default=0)
    dancers_youth = models.PositiveSmallIntegerField(_("dancers aged 13–29"), default=0)
    dancers_adults = models.PositiveSmallIntegerField(_("dancers aged 30–59"), default=0)
    dancers_seniors = models.PositiveSmallIntegerField(_("dancers aged 60 and over"), default=0)
    staging_description = models.TextField(_("staging"), blank=True)
    music = models.CharField(_("music"), max_length=300, blank=True)
    needs = models.TextField(
        _("needs"), blank=True, help_text=_("Sound, space, dressing room, access…")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
    )
    slot = models.PositiveSmallIntegerField(
        _("slot in the running order"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # Set by the committee through festival.services.stages.outstanding_mark from the rankings;
    # the interventions app turns outstanding teams' proposals into candidate interventions.
    is_outstanding = models.BooleanField(_("outstanding team"), default=False)
    is_large_scale_winner = models.BooleanField(
        _("winner of the large-scale transformation"), default=False
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ("edition", "stage", "slot", "name")
        constraints = (
            models.UniqueConstraint(
                fields=("edition", "organization"), name="team_one_per_organization"
            ),
            # Two teams can never hold the same place in a stage's running order.
            models.UniqueConstraint(fields=("stage", "slot"), name="team_unique_slot"),
            models.UniqueConstraint(
                fields=("edition",),
                condition=Q(is_large_scale_winner=True),
                name="team_one_large_scale_winner",
            ),
        )
        permissions = (("mark_outstanding", _("Can mark outstanding teams and the winner")),)

    def __str__(self) -> str:
        return self.name

    @property
    def dancers_total(self) -> int:
        return (
            self.dancers_children + self.dancers_youth + self.dancers_adults + self.dancers_seniors
        )

    @property
    def is_multigenerational(self) -> bool:
        """At least three of the four age groups (0–12, 13–29, 30–59, 60+) with at least two
        dancers each (see MULTIGENERATIONAL_MIN_GROUPS and MULTIGENERATIONAL_MIN_DANCERS)."""
        groups = (
            self.dancers_children,
            self.dancers_youth,
            self.dancers_adults,
            self.dancers_seniors,
        )
        present = sum(1 for n in groups if n >= MULTIGENERATIONAL_MIN_DANCERS)
        return present >= MULTIGENERATIONAL_MIN_GROUPS

    @property
    def competes(self) -> bool:
        return self.status == self.Status.CONFIRMED and self.stage_id is not None

    @property
    def meets_workshop_rule(self) -> bool:
        """When the edition requires it, a team competes only after attending at least one
        workshop session. Uses the ``sessions_attended`` annotation when present."""
        if not self.edition.workshop_attendance_required:
            return True
        attended = getattr(self, "sessions_attended", None)
        if attended is None:
            attended = self.attendances.count()
        return attended >= 1


class Proposal(models.Model):
    """The public space of its neighbourhood a team wants improved, and how.

    The space must lie in the team's sector; a coordinator may override that with a reason
    (``sector_override_reason``, ``sector_overridden_by``). The interventions app reads
    outstanding teams' proposals as candidate interventions: keep these fields stable.
    """

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="proposal"
    )
    public_space = models.ForeignKey(
        "mapping.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.PROTECT,
        related_name="festival_proposals",
    )
    what = models.TextField(_("what we propose"))
    why = models.TextField(_("why"))
    who = models.TextField(_("who takes part"))
    materials = models.TextField(_("rough materials"), blank=True)
    sector_override_reason = models.TextField(
        _("reason for a space outside the sector"), blank=True
    )
    sector_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sector override by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ("team",)
        permissions = (
            ("override_proposal_sector", _("Can accept a proposed space outside the sector")),
        )

    def __str__(self) -> str:
        return f"{self.team} → {self.public_space}"


class WorkshopSession(models.Model):
    """A session of the pre-festival workshop on organizing cultural events."""

    edition = models.ForeignKey(
        Edition,
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="workshop_sessions",
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("workshop session")
        verbose_name_plural = _("workshop sessions")
        ordering = ("edition", "starts_at")

    def __str__(self) -> str:
        return self.title


class WorkshopAttendance(models.Model):
    """A team was present at a workshop session (one row per team and session)."""

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("workshop session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="attendances"
    )
    attendees = models.PositiveSmallIntegerField(_("people present"), default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop attendance")
        verbose_name_plural = _("workshop attendances")
        ordering = ("session", "team")
        constraints = (models.UniqueConstraint(fields=("session", "team"), name="attendance_once"),)

    def __str__(self) -> str:
        return f"{self.team} @ {self.session}"


class Judge(models.Model):
    """A member of an edition's evaluation committee, assigned to one stage.

    A judge never scores a team of their affiliated organization nor a team they declared a
    conflict with (``conflicts``); the judge screen does not offer those teams and
    ``score_submit`` refuses them.
    """

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="judges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="festival_judgeships",
    )
    organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("affiliated organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="festival_judges",
    )
    company = models.CharField(_("affiliated company"), max_length=200, blank=True)
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("assigned stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="judges",
    )
    is_chair = models.BooleanField(
        _("chair of the stage"), default=False, help_text=_("The chair locks the stage's scores.")
    )
    conflicts = models.ManyToManyField(
        Team,
        through="JudgeConflict",
        verbose_name=_("declared conflicts of interest"),
        blank=True,
        related_name="conflicted_judges",
    )

    objects = JudgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ("edition", "stage", "user__last_name")
        constraints = (models.UniqueConstraint(fields=("edition", "user"), name="judge_once"),)

    def __str__(self) -> str:
        return str(self.user)


class JudgeConflict(models.Model):
    """A conflict of interest a judge declared with a team (family, sponsor, teacher…)."""

    judge = models.ForeignKey(
        Judge, verbose_name=_("judge"), on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE)
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = (models.UniqueConstraint(fields=("judge", "team"), name="conflict_once"),)

    def __str__(self) -> str:
        return f"{self.judge} × {self.team}"


class Criterion(models.Model):
    """One evaluation criterion of an edition, with its weight and scale."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description for judges"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    is_organization = models.BooleanField(
        _("organization criterion"),
        default=False,
        help_text=_("Breaks ties after the first criterion (organization and punctuality)."),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ("edition", "order", "pk")
        constraints = (
            models.UniqueConstraint(fields=("edition", "order"), name="criterion_unique_order"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_order"
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)


class ScoreSheet(models.Model):
    """One judge's scores for one team: exactly one row per (judge, team).

    ``values`` maps criterion ids (as strings) to integers. The row holds the newest values
    by the tablet's clock (``client_updated_at``); every change is kept in ``ScoreChange``.
    Only ``festival.services.scoring.score_submit`` writes it.
    """

    judge = models.ForeignKey(
        Judge, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    values = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    client_updated_at = models.DateTimeField(_("changed on the tablet at"))
    idempotency_key = models.CharField(_("last change key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScoreSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ("team", "judge")
        constraints = (
            # The backstop that makes two tablets of the same judge converge on one sheet.
            models.UniqueConstraint(fields=("judge", "team"), name="scoresheet_one_per_judge"),
        )

    def __str__(self) -> str:
        return f"{self.judge} → {self.team}"

    def value_of(self, criterion: Criterion) -> int | None:
        value = self.values.get(str(criterion.pk))
        return int(value) if value is not None else None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_locked(self) -> bool:
        """A sheet is final once its team's stage is locked (the lock lives on the stage)."""
        return self.team.stage is not None and self.team.stage.is_locked


class StageReopening(models.Model):
    """A locked stage reopened by a coordinator: who, when, why, and the lock it undid."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="reopenings"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300)
    locked_at = models.DateTimeField(_("had been locked at"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("had been locked by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stage reopening")
        verbose_name_plural = _("stage reopenings")
        ordering = ("stage_id", "reopened_at")

    def __str__(self) -> str:
        return f"{self.stage} @ {self.reopened_at:%Y-%m-%d %H:%M}"


class ScoreChange(models.Model):
    """The audit history of a score sheet: who changed it, when, old and new values."""

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("received at"), auto_now_add=True)
    client_updated_at = models.DateTimeField(_("changed on the tablet at"))
    idempotency_key = models.CharField(_("change key"), max_length=64)
    old_values = models.JSONField(_("old scores"), default=dict)
    new_values = models.JSONField(_("new scores"), default=dict)
    old_comment = models.TextField(_("old comment"), blank=True)
    new_comment = models.TextField(_("new comment"), blank=True)
    submitted = models.BooleanField(_("submitted"), default=False)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        # sheet_id, not sheet: the sheet's own ordering reaches the edition twice (through
        # the team and the judge), which Django refuses as an ordering loop.
        ordering = ("sheet_id", "changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.sheet} @ {self.changed_at:%Y-%m-%d %H:%M:%S}"
