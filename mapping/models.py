"""Public spaces and their characterization surveys (fichas de caracterización).

Geometry is GeoJSON (RFC 7946) normalised by ``santaanita.geo``; the bounding box and the
centroid are copied into indexed float columns so that a map window is a plain range query
on any database (no GDAL, no spatial extension).

The survey follows recognised methods instead of an invented form:
- equipment inventory by OpenStreetMap-style features (``Feature.osm_tag``), each with a
  count and a condition;
- observed uses counted SOPARC-style (System for Observing Play and Recreation in
  Communities): per target zone, age group, sex and activity level, at a date and time;
- quality and safety items in the spirit of the Community Park Audit Tool (CPAT);
- needs as concrete items with a priority; photos.

Condition score (0–100) of a survey, ``Survey.compute_condition_score``::

    equipment = mean(weight[condition] for each inventoried feature)
                with weight good = 1.0, fair = 0.6, bad = 0.2, missing = 0.0
    quality   = mean(rating / 3 for each quality item), ratings 0 (very poor) … 3 (good)
    score     = round(100 × (0.5 × equipment + 0.5 × quality))

When only one of the two parts was recorded, the score is that part alone (× 100); when
neither was, the survey has no score. The latest *verified* survey of a space sets the
space's ``condition_score``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Unpack

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape

from mapping.querysets import AssignmentQuerySet, PublicSpaceQuerySet, SurveyQuerySet
from santaanita.files import IMAGES, StoredFileField, Visibility, is_public, public_url
from santaanita.geo import length_m as geometry_length_m
from santaanita.geo import normalize_geometry
from santaanita.model_save import SaveOptions
from santaanita.page_cache import pages_changed

if TYPE_CHECKING:
    from platform_app.models import Sector

# Weights of the condition score (documented in the module docstring and docs/mapping.md).
CONDITION_WEIGHTS: dict[str, float] = {"good": 1.0, "fair": 0.6, "bad": 0.2, "missing": 0.0}
QUALITY_MAX_RATING = 3
EQUIPMENT_SHARE = 0.5


# No public space is wider than this (about 5.5 km; a longer canal bank is mapped in
# stretches). It bounds the window query on both sides of its leading index column.
MAX_SPAN_DEGREES = 0.05

# Cached map layers of a district live for this long at most; a save of one of its spaces
# moves the layer version on, so in practice they are replaced at once (bulk updates
# that bypass save() are the only ones that wait for the timeout).
LAYER_VERSION_SECONDS = 24 * 3600


# The page family (santaanita/page_cache.py) of what the public pages show about spaces:
# their surveys, photos, caring organizations and problem reports, and the district's spaces
# the registration form offers (moved on by every ``map_changed`` too).
SPACE_PAGES = "pages:spaces"

# The version of every district's spaces at once: the map window's cached grid cells
# (mapping.api.window_rows) cross district limits.
ALL_DISTRICTS = "*"


def layer_version(ubigeo: str) -> str:
    """The current version of a district's cached map layer, or of all of them
    (``ALL_DISTRICTS``); ``map_changed`` moves it on."""
    key = f"mapping:layer-version:{ubigeo}"
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, LAYER_VERSION_SECONDS)
        version = cache.get(key, version)
    return str(version)


def check_span(bbox: tuple[float, float, float, float]) -> None:
    min_lon, min_lat, max_lon, max_lat = bbox
    if max(max_lon - min_lon, max_lat - min_lat) > MAX_SPAN_DEGREES:
        raise ValidationError(
            _("A public space cannot be more than about 5 km across; map it in stretches."),
            code="too_wide",
        )


def map_changed(ubigeo: str) -> None:
    """Move the cached map of a district's spaces on, after any write that the map shows
    (a space's fields, its caring organizations).

    At once, so that the writing request (and anything it redirects to) sees its change,
    and again after commit, so that a reader who cached the old rows in between does not
    keep them under the new version.
    """

    def moved() -> None:
        cache.set_many(
            {
                f"mapping:layer-version:{ubigeo}": uuid.uuid4().hex,
                f"mapping:layer-version:{ALL_DISTRICTS}": uuid.uuid4().hex,
            },
            LAYER_VERSION_SECONDS,
        )

    moved()
    transaction.on_commit(moved)
    pages_changed(SPACE_PAGES)


class ConditionBand(models.TextChoices):
    """Bands of the condition score, used for the map's colours and its filter."""

    GOOD = "good", _("Good (70–100)")
    FAIR = "fair", _("Fair (40–69)")
    BAD = "bad", _("Bad (0–39)")
    UNKNOWN = "unknown", _("Not yet characterized")

    @classmethod
    def for_score(cls, score: int | None) -> ConditionBand:
        if score is None:
            return cls.UNKNOWN
        if score >= 70:
            return cls.GOOD
        if score >= 40:
            return cls.FAIR
        return cls.BAD


class PublicSpace(models.Model):
    """A park, plaza, pitch, berm, canal bank or playground of a district."""

    class Category(models.TextChoices):
        PARK = "park", _("Park")
        PLAZA = "plaza", _("Plaza")
        SPORTS_FIELD = "sports_field", _("Sports field")
        BERM = "berm", _("Boulevard / berm")
        CANAL_BANK = "canal_bank", _("Canal bank")
        PLAYGROUND = "playground", _("Playground")
        OTHER = "other", _("Other")

    class Ownership(models.TextChoices):
        MUNICIPAL = "municipal", _("District municipality")
        METROPOLITAN = "metropolitan", _("Metropolitan Lima")
        STATE = "state", _("National government")
        COMMUNITY = "community", _("Community / association")
        PRIVATE = "private", _("Private")
        UNKNOWN = "unknown", _("Unknown")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="public_spaces",
    )
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_spaces",
        help_text=_("Computed from the geometry unless set by hand."),
    )
    sector_set_by_hand = models.BooleanField(
        _("sector set by hand"),
        default=False,
        help_text=_("Keep the chosen sector instead of computing it from the geometry."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    address = models.CharField(_("address or reference"), max_length=255, blank=True)
    geometry = models.JSONField(
        _("geometry (GeoJSON)"), help_text=_("A GeoJSON Point, Polygon or MultiPolygon (WGS84).")
    )
    # Copied from the geometry on save; the map window query ranges over these columns.
    min_lon = models.FloatField(_("west longitude"), editable=False, default=0)
    min_lat = models.FloatField(_("south latitude"), editable=False, default=0)
    max_lon = models.FloatField(_("east longitude"), editable=False, default=0)
    max_lat = models.FloatField(_("north latitude"), editable=False, default=0)
    centroid_lon = models.FloatField(_("centroid longitude"), editable=False, default=0)
    centroid_lat = models.FloatField(_("centroid latitude"), editable=False, default=0)
    area_m2 = models.FloatField(_("area (m²)"), editable=False, default=0)
    ownership = models.CharField(
        _("ownership"), max_length=20, choices=Ownership.choices, default=Ownership.MUNICIPAL
    )
    administrator = models.CharField(
        _("administrator"),
        max_length=200,
        blank=True,
        help_text=_("Who runs the space day to day (an office, a park board…)."),
    )
    condition_score = models.PositiveSmallIntegerField(
        _("condition score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0–100, from the latest verified survey."),
    )
    condition_summary = models.TextField(_("condition summary"), blank=True)
    condition_updated_at = models.DateTimeField(_("condition updated at"), null=True, blank=True)
    latest_verified_survey = models.ForeignKey(
        "mapping.Survey",
        verbose_name=_("latest verified survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    needs = models.TextField(_("needs"), blank=True)
    organizations = models.ManyToManyField(
        "platform_app.Organization",
        verbose_name=_("caring organizations"),
        blank=True,
        related_name="public_spaces",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublicSpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("public space")
        verbose_name_plural = _("public spaces")
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("district", "slug"), name="publicspace_unique_slug"),
        )
        indexes = (
            # Window queries: min_lon <= east AND max_lon >= west AND min_lat <= north AND
            # max_lat >= south. The leading range column narrows the scan on any backend.
            models.Index(
                fields=("min_lon", "min_lat", "max_lon", "max_lat"), name="publicspace_bbox_idx"
            ),
            models.Index(fields=("district", "sector"), name="publicspace_sector_idx"),
        )
        permissions = (
            ("view_coverage", _("Can see the survey coverage of the district")),
            ("import_publicspace", _("Can import public spaces from GeoJSON or CSV")),
        )

    def __str__(self) -> str:
        return self.name

    def save(self, **kwargs: Unpack[SaveOptions]) -> None:
        normalized = normalize_geometry(self.geometry)
        check_span(normalized.bbox)
        self.geometry = normalized.geojson
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = normalized.bbox
        self.centroid_lon, self.centroid_lat = normalized.centroid
        self.area_m2 = round(normalized.area_m2, 1)
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "espacio"
        if not self.sector_set_by_hand:
            self.sector = self.sector_from_geometry()
        super().save(**kwargs)
        # Not domain logic: cache coherence.
        map_changed(self.district.ubigeo)

    def get_absolute_url(self) -> str:
        return reverse("mapping:space-detail", args=[self.pk])

    @property
    def paper_code(self) -> str:
        """The code printed on the space's paper ficha, by which the typist finds the space."""
        return f"EP-{self.pk:05d}"

    @property
    def length_m(self) -> float | None:
        """What a berm or a canal bank is measured by: its length. None for other categories
        and for a space drawn as a point, whose size is unknown."""
        if self.category not in {self.Category.BERM, self.Category.CANAL_BANK}:
            return None
        return round(geometry_length_m(self.geometry)) or None

    def delete(
        self, using: str | None = None, keep_parents: bool = False
    ) -> tuple[int, dict[str, int]]:
        ubigeo = self.district.ubigeo
        result = super().delete(using, keep_parents)
        map_changed(ubigeo)
        return result

    def sector_from_geometry(self) -> Sector | None:
        """The district's sector containing the centroid (None when outside all of them)."""
        point = Point(self.centroid_lon, self.centroid_lat)
        for sector in self.district.sectors.exclude(boundary=None):
            if shape(sector.boundary).covers(point):
                return sector
        return None

    @property
    def condition_band(self) -> ConditionBand:
        return ConditionBand.for_score(self.condition_score)


class Assignment(models.Model):
    """A coordinator asks a surveyor to characterize a space."""

    space = models.ForeignKey(
        PublicSpace,
        verbose_name=_("public space"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("surveyor"),
        on_delete=models.CASCADE,
        related_name="mapping_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ("space__name",)
        constraints = (
            models.UniqueConstraint(
                fields=("space", "surveyor"), name="assignment_unique_space_surveyor"
            ),
        )

    def __str__(self) -> str:
        return f"{self.space} → {self.surveyor}"


class Survey(models.Model):
    """One characterization (ficha) of a space by a surveyor at a date."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        VERIFIED = "verified", _("Verified")

    space = models.ForeignKey(
        PublicSpace,
        verbose_name=_("public space"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("surveyor"),
        on_delete=models.PROTECT,
        related_name="mapping_surveys",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Generated by the phone before the first attempt to send; a resend after a dropped
    # connection carries the same UUID, so the unique constraint makes it a no-op.
    client_uuid = models.UUIDField(_("client identifier"), unique=True, default=uuid.uuid4)
    observed_at = models.DateTimeField(_("observed at"))
    notes = models.TextField(_("notes"), blank=True)
    # Filled on the printed ficha in the field and typed in later: a doubtful figure is
    # checked against the sheet.
    typed_from_paper = models.BooleanField(_("typed from a paper form"), default=False)
    condition_score = models.PositiveSmallIntegerField(
        _("condition score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mapping_reviews",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("characterization survey")
        verbose_name_plural = _("characterization surveys")
        ordering = ("-observed_at",)
        indexes = (
            models.Index(fields=("space", "status", "observed_at"), name="survey_space_idx"),
        )
        permissions = (
            ("review_survey", _("Can approve or return characterization surveys")),
            # Coordinators fill in surveys of any space of their district; surveyors only
            # of the spaces assigned to them. Kept apart from review_survey so that a
            # reviewer never reviews data they could have produced themselves.
            (
                "survey_any_space",
                _("Can fill in surveys of any space of the district without an assignment"),
            ),
        )

    def __str__(self) -> str:
        return f"{self.space} ({self.observed_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("mapping:survey-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        """Only drafts and returned surveys can still be changed by their surveyor."""
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}

    def compute_condition_score(self) -> int | None:
        """The documented formula (see the module docstring)."""
        equipment = [CONDITION_WEIGHTS[item.condition] for item in self.equipment.all()]
        quality = [q.rating / QUALITY_MAX_RATING for q in self.quality_items.all()]
        parts: list[tuple[float, float]] = []
        if equipment:
            parts.append((EQUIPMENT_SHARE, sum(equipment) / len(equipment)))
        if quality:
            parts.append((1 - EQUIPMENT_SHARE, sum(quality) / len(quality)))
        if not parts:
            return None
        total_weight = sum(w for w, _v in parts)
        value = sum(w * v for w, v in parts) / total_weight
        return round(100 * value)


class EquipmentItem(models.Model):
    """One feature of the inventory, named after OpenStreetMap's tags."""

    class Feature(models.TextChoices):
        BENCH = "bench", _("Benches")
        LIGHTING = "lighting", _("Lighting")
        PLAYGROUND = "playground", _("Playground equipment")
        SPORTS_PITCH = "sports_pitch", _("Sports pitch")
        FITNESS = "fitness_station", _("Fitness station")
        DRINKING_WATER = "drinking_water", _("Drinking water")
        TOILETS = "toilets", _("Toilets")
        BINS = "waste_basket", _("Bins")
        SHADE_TREES = "shade_trees", _("Shade and trees")
        SURFACE = "surface", _("Surface (paths, grass)")
        WHEELCHAIR = "wheelchair", _("Wheelchair access")

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        BAD = "bad", _("Bad")
        MISSING = "missing", _("Missing")

    # The OpenStreetMap tag each feature corresponds to, for exports and for mappers.
    OSM_TAGS: dict[str, str] = {
        "bench": "amenity=bench",
        "lighting": "highway=street_lamp",
        "playground": "leisure=playground",
        "sports_pitch": "leisure=pitch",
        "fitness_station": "leisure=fitness_station",
        "drinking_water": "amenity=drinking_water",
        "toilets": "amenity=toilets",
        "waste_basket": "amenity=waste_basket",
        "shade_trees": "natural=tree",
        "surface": "surface=*",
        "wheelchair": "wheelchair=*",
    }

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="equipment"
    )
    feature = models.CharField(_("feature"), max_length=20, choices=Feature.choices)
    count = models.PositiveSmallIntegerField(_("count"), default=0)
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment items")
        ordering = ("survey", "feature")
        constraints = (
            models.UniqueConstraint(fields=("survey", "feature"), name="equipment_unique_feature"),
        )

    def __str__(self) -> str:
        return f"{self.get_feature_display()}: {self.count} ({self.get_condition_display()})"

    @property
    def osm_tag(self) -> str:
        return self.OSM_TAGS[self.feature]


class Observation(models.Model):
    """A SOPARC-style count: people seen in one zone at one moment, by group and activity."""

    class AgeGroup(models.TextChoices):
        CHILDREN = "children", _("Children")
        TEENS = "teens", _("Teens")
        ADULTS = "adults", _("Adults")
        OLDER = "older_adults", _("Older adults")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class Activity(models.TextChoices):
        SEDENTARY = "sedentary", _("Sedentary")
        WALKING = "walking", _("Walking")
        VIGOROUS = "vigorous", _("Vigorous")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="observations"
    )
    zone = models.CharField(_("zone"), max_length=100, default="")
    observed_at = models.DateTimeField(_("observed at"))
    age_group = models.CharField(_("age group"), max_length=16, choices=AgeGroup.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    activity = models.CharField(_("activity level"), max_length=12, choices=Activity.choices)
    count = models.PositiveSmallIntegerField(_("people"), default=0)

    class Meta:
        verbose_name = _("use observation")
        verbose_name_plural = _("use observations")
        ordering = ("survey", "observed_at", "zone")
        constraints = (
            models.UniqueConstraint(
                fields=("survey", "zone", "observed_at", "age_group", "sex", "activity"),
                name="observation_unique_cell",
            ),
        )

    def __str__(self) -> str:
        return f"{self.zone} {self.age_group}/{self.sex}/{self.activity}: {self.count}"


class QualityItem(models.Model):
    """A quality or safety item rated 0 (very poor) to 3 (good), after CPAT."""

    class Item(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        LITTER = "litter", _("Free of litter")
        GRAFFITI = "graffiti", _("Free of graffiti and vandalism")
        NIGHT_LIGHTING = "night_lighting", _("Lighting at night")
        SAFETY = "perceived_safety", _("Perceived safety")
        ACCESSIBILITY = "accessibility", _("Accessibility")

    class Rating(models.IntegerChoices):
        VERY_POOR = 0, _("Very poor")
        POOR = 1, _("Poor")
        FAIR = 2, _("Fair")
        GOOD = 3, _("Good")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="quality_items"
    )
    item = models.CharField(_("item"), max_length=20, choices=Item.choices)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quality item")
        verbose_name_plural = _("quality items")
        ordering = ("survey", "item")
        constraints = (
            models.UniqueConstraint(fields=("survey", "item"), name="quality_unique_item"),
        )

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_rating_display()}"


class NeedItem(models.Model):
    """A concrete need found by the survey (e.g. "replace 3 broken benches")."""

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="needs"
    )
    description = models.CharField(_("need"), max_length=255)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ("survey", "priority", "id")

    def __str__(self) -> str:
        return self.description


class SurveyReview(models.Model):
    """One reviewer's decision on a survey, kept for good: a survey returned with comments,
    corrected and then approved keeps both decisions and the comment that asked for the
    correction. (The survey's own ``reviewer``, ``reviewed_at`` and ``review_comment`` hold
    the latest decision, which the API shows.)"""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("survey review")
        verbose_name_plural = _("survey reviews")
        ordering = ("decided_at", "pk")

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_decision_display()}"


class SurveyPhoto(models.Model):
    """A photo taken during a survey, stored only once ``santaanita.files`` checked it."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="photos"
    )
    # Private while the survey is work in progress (a volunteer's, maybe showing people);
    # survey_review moves the photos of an approved survey to public/.
    image = StoredFileField(
        _("photo"), visibility=Visibility.PRIVATE, folder="surveys", accept=IMAGES
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    # Made on the phone when the photo is queued offline: a resent upload is stored once.
    client_uuid = models.UUIDField(_("client identifier"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey photo")
        verbose_name_plural = _("survey photos")
        ordering = ("survey", "created_at")
        constraints = (
            models.UniqueConstraint(fields=("survey", "client_uuid"), name="photo_once_per_uuid"),
        )

    def __str__(self) -> str:
        return self.caption or self.image.name or ""

    def get_image_url(self) -> str:
        """The public URL once the survey is approved, else the view that checks who asks."""
        if is_public(self.image.name or ""):
            return public_url(self.image)
        return reverse("mapping:survey-photo-file", args=[self.pk])


# Problem reports live in their own module; imported here so Django registers their models
# with the app.
from mapping.reports_models import (  # noqa: E402
    MunicipalArea,
    Report,
    ReportPhoto,
    ReportSupporter,
    ReportUpdate,
)

__all__ = [
    "Assignment",
    "EquipmentItem",
    "MunicipalArea",
    "NeedItem",
    "Observation",
    "PublicSpace",
    "QualityItem",
    "Report",
    "ReportPhoto",
    "ReportSupporter",
    "ReportUpdate",
    "Survey",
    "SurveyPhoto",
]
