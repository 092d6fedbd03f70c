"""The perception survey: how residents feel about their neighbours and public spaces.

A questionnaire is versioned: coordinators edit it by publishing a new version, and every
answer keeps the version it answered, so a wave's figures are always read against the
questions people actually saw. Answers are anonymous: no name, phone or email is stored
with them; sector, age band and sex are optional. The social-cohesion index computed from
them is documented in docs/impact.md and in ``interventions.perception.index``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from interventions.querysets import PerceptionResponseQuerySet


class Dimension(models.TextChoices):
    TRUST = "trust", _("Trust in neighbours")
    SAFETY_IN = "safety_in", _("Perceived safety in public spaces")
    SAFETY_AROUND = "safety_around", _("Perceived safety around public spaces")
    USE = "use", _("Use of public spaces")
    PARTICIPATION = "participation", _("Participation in organizations")
    SATISFACTION = "satisfaction", _("Satisfaction with the nearest space")
    WILLINGNESS = "willingness", _("Willingness to care for the space")


class Scale(models.TextChoices):
    """Five-point Likert scales; 1 is always the least favourable answer."""

    AGREEMENT = "agreement", _("Agreement (1 strongly disagree – 5 strongly agree)")
    FREQUENCY = "frequency", _("Frequency (1 never – 5 every day)")
    SATISFACTION = "satisfaction", _("Satisfaction (1 very dissatisfied – 5 very satisfied)")


SCALE_LABELS: dict[str, tuple[StrOrPromise, ...]] = {
    Scale.AGREEMENT: (
        _("Strongly disagree"),
        _("Disagree"),
        _("Neither agree nor disagree"),
        _("Agree"),
        _("Strongly agree"),
    ),
    Scale.FREQUENCY: (
        _("Never"),
        _("Rarely"),
        _("Sometimes"),
        _("Often"),
        _("Every day"),
    ),
    Scale.SATISFACTION: (
        _("Very dissatisfied"),
        _("Dissatisfied"),
        _("Neither satisfied nor dissatisfied"),
        _("Satisfied"),
        _("Very satisfied"),
    ),
}


class QuestionnaireVersion(models.Model):
    """One published version of a district's perception questionnaire; never edited after
    answers exist (a coordinator's edit publishes the next version)."""

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="questionnaire_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    consent_text = models.TextField(
        _("consent text"), help_text=_("Read to or by each respondent before the questions.")
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ("district", "-number")
        constraints = (
            models.UniqueConstraint(
                fields=("district", "number"), name="questionnaire_version_unique_number"
            ),
        )

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Question(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("questionnaire version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # Stable across versions: the same code in two versions is the same question, so
    # figures can follow it from the baseline to later waves.
    code = models.SlugField(_("code"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices)
    text = models.CharField(_("question"), max_length=300)
    in_index = models.BooleanField(
        _("counts in the social-cohesion index"),
        default=False,
        help_text=_("See docs/impact.md: trust, safety, participation and willingness items."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("version", "position")
        constraints = (
            models.UniqueConstraint(fields=("version", "code"), name="question_unique_code"),
        )

    def __str__(self) -> str:
        return self.text

    @property
    def labels(self) -> tuple[StrOrPromise, ...]:
        return SCALE_LABELS[self.scale]


class SectorPopulation(models.Model):
    """How many people live in a sector: the frame of the sampling plan and the weight of
    the sector in the district's index."""

    sector = models.OneToOneField(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.CASCADE,
        related_name="population",
    )
    population = models.PositiveIntegerField(_("residents aged 18 or more"))
    source = models.CharField(_("source"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year of the figure"))

    class Meta:
        verbose_name = _("sector population")
        verbose_name_plural = _("sector populations")
        ordering = ("sector",)

    def __str__(self) -> str:
        return f"{self.sector}: {self.population}"


class Wave(models.Model):
    """One round of the perception survey: the baseline, then follow-up waves."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        FOLLOW_UP = "follow_up", _("Follow-up")

    class Confidence(models.IntegerChoices):
        NINETY = 90, "90 %"
        NINETY_FIVE = 95, "95 %"
        NINETY_NINE = 99, "99 %"

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="perception_waves",
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    questionnaire = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("questionnaire version"),
        on_delete=models.PROTECT,
        related_name="waves",
        help_text=_("New answers use this version; answers keep the version they answered."),
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    margin_of_error = models.DecimalField(
        _("margin of error (%)"), max_digits=4, decimal_places=1, default=10
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence level"), choices=Confidence.choices, default=Confidence.NINETY_FIVE
    )
    is_open = models.BooleanField(_("open for answers"), default=True)
    # The public link of the wave: unguessable, so a closed or future wave's link is not
    # found by counting.
    public_token = models.UUIDField(_("public link key"), default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ("district", "starts_on")
        constraints = (
            models.UniqueConstraint(
                fields=("district",),
                condition=Q(kind="baseline"),
                name="wave_one_baseline_per_district",
                violation_error_message=_("This district already has its baseline wave."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="wave_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(margin_of_error__gt=0) & Q(margin_of_error__lt=50),
                name="wave_margin_of_error_range",
            ),
        )

    def __str__(self) -> str:
        return self.name


class PerceptionResponse(models.Model):
    """One respondent's answers. Anonymous by construction: nothing here names a person."""

    class Channel(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer's phone")
        KIOSK = "kiosk", _("Kiosk (tablet at an event)")
        PUBLIC = "public", _("Public link")

    class AgeBand(models.TextChoices):
        YOUNG = "18_29", _("18–29")
        ADULT = "30_44", _("30–44")
        MIDDLE = "45_59", _("45–59")
        OLDER = "60_plus", _("60 or more")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")

    wave = models.ForeignKey(
        Wave, verbose_name=_("wave"), on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("questionnaire version"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    # Made by the phone or the page before the first send; a resend after a dropped
    # connection carries the same key and the unique constraint makes it a no-op.
    client_uuid = models.UUIDField(_("client identifier"), unique=True, default=uuid.uuid4)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    public_space = models.ForeignKey(
        "mapping.PublicSpace",
        verbose_name=_("nearest public space"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answers = models.JSONField(_("answers"), default=dict, help_text=_("Question code → 1–5."))
    # Computed once when the answer is recorded, from the version it answered (see
    # perception.index.respondent_score); stored so the index is a grouped count.
    cohesion_score = models.DecimalField(
        _("cohesion score (0–100)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    cohesive = models.BooleanField(_("counts as cohesive"), null=True, blank=True)
    duplicate_suspected = models.BooleanField(
        _("possible duplicate"),
        default=False,
        help_text=_("Public link only: the same browser had already answered this wave."),
    )
    collected_on = models.DateField(_("collected on"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = PerceptionResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("perception answer")
        verbose_name_plural = _("perception answers")
        ordering = ("wave", "pk")
        indexes = (models.Index(fields=("wave", "sector"), name="perception_wave_sector_idx"),)
        permissions = (
            (
                "collect_perceptionresponse",
                _("Can collect perception survey answers (phone or kiosk)"),
            ),
        )

    def __str__(self) -> str:
        return f"{self.wave} #{self.pk}"
