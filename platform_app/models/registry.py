"""The registry of the district's organizations: records, contacts, campaigns, history."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Unpack

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from platform_app.querysets import CampaignQuerySet, OrganizationQuerySet
from santaanita.model_save import SaveOptions

# Abbreviations people write in organization names, expanded before comparing, so that
# "Asoc. Vecinal Los Ficus" and "Asociación vecinal Los Ficus" normalise alike.
ABBREVIATIONS = {
    "asoc": "asociacion",
    "asoc.": "asociacion",
    "assoc": "asociacion",
    "asociac": "asociacion",
    "agrup": "agrupacion",
    "org": "organizacion",
    "orgz": "organizacion",
    "coop": "cooperativa",
    "cult": "cultural",
    "dep": "deportivo",
    "deport": "deportivo",
    "juv": "juvenil",
    "vec": "vecinal",
    "jjvv": "junta vecinal",
    "jv": "junta vecinal",
    "aahh": "asentamiento humano",
    "ah": "asentamiento humano",
    "urb": "urbanizacion",
    "coop.": "cooperativa",
    "av": "avenida",
    "jr": "jiron",
    "mz": "manzana",
    "pque": "parque",
    "sta": "santa",
    "sto": "santo",
    "club": "club",
    "soc": "sociedad",
    "fed": "federacion",
    "asent": "asentamiento",
    "cdra": "cuadra",
    # Spanish writes the plural of an abbreviation by doubling each letter: "JJ.VV." for
    # juntas vecinales, "AA.HH." for asentamientos humanos. A name means one of them, so
    # each folds to the singular written out ("jjvv" and "aahh" above).
    "ccpp": "centro poblado",
    "cp": "centro poblado",
    "ppjj": "pueblo joven",
    "pj": "pueblo joven",
    "aavv": "asociacion vivienda",
    "oovv": "organizacion vecinal",
    "ccvv": "comite vecinal",
}
# Words that carry no identity ("de", "los"): dropped so word order and articles don't matter.
STOPWORDS = frozenset({"de", "del", "la", "las", "el", "los", "y", "e", "en", "the", "of"})


def normalize_name(name: str) -> str:
    """Lower case, no accents, no punctuation, abbreviations expanded, no stopwords."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    # "J.J.V.V." and "AA.HH." are written with dots between letters: join them first.
    text = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", text)
    text = re.sub(r"[^\w\s]", " ", text)
    # "JJ.VV.", "JJ. VV." and "JJ VV" arrive here as doubled-letter pairs ("jj", "vv"):
    # glue consecutive pairs into one abbreviation ("jjvv") before looking it up.
    text = re.sub(r"\b(?:([a-z])\1\s+)+([a-z])\2\b", lambda m: m.group(0).replace(" ", ""), text)
    tokens: list[str] = []
    for raw in text.split():
        tokens.extend(ABBREVIATIONS.get(raw, raw).split())
    return " ".join(t for t in tokens if t not in STOPWORDS)


def validate_identifying_name(name: str) -> None:
    """A name must keep something once normalised: one made only of punctuation, symbols
    or articles ("¡¡¡ !!!", "de los") identifies no organization."""
    if name and not normalize_name(name):
        raise ValidationError(
            _("Write the organization's name with letters or digits."), code="empty_name"
        )


def name_similarity(typed: str, candidate: str) -> float:
    """How much of two normalised names is shared, 0 to 1; the last typed word may be partial.

    Token overlap rather than edit distance: registrations differ by dropped articles,
    abbreviations and word order far more often than by spelling.
    """
    typed_tokens = typed.split()
    other = set(candidate.split())
    if not typed_tokens or not other:
        return 0.0
    head, last = set(typed_tokens[:-1]), typed_tokens[-1]
    shared = len(head & other) + (1 if any(t.startswith(last) for t in other) else 0)
    return shared / max(len(set(typed_tokens)), len(other))


class Campaign(models.Model):
    """A registration call: a week at the desk, an online period, and its targets."""

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="campaigns",
    )
    name = models.CharField(_("name"), max_length=150)
    desk_starts = models.DateField(_("desk opens"))
    desk_ends = models.DateField(_("desk closes"))
    online_starts = models.DateField(_("online form opens"))
    online_ends = models.DateField(_("online form closes"))
    target_organizations = models.PositiveIntegerField(
        _("target: organizations mapped"), default=30
    )
    target_new_neighbourhood = models.PositiveIntegerField(
        _("target: new neighbourhood associations"), default=5
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration campaign")
        verbose_name_plural = _("registration campaigns")
        ordering = ("-desk_starts",)
        constraints = (
            models.CheckConstraint(
                condition=Q(desk_ends__gte=models.F("desk_starts")), name="campaign_desk_dates"
            ),
            models.CheckConstraint(
                condition=Q(online_ends__gte=models.F("online_starts")),
                name="campaign_online_dates",
            ),
        )

    def __str__(self) -> str:
        return self.name

    def desk_open_on(self, day: date) -> bool:
        return self.desk_starts <= day <= self.desk_ends


class Organization(models.Model):
    """A social, cultural, sports, youth, environmental or neighbourhood organization.

    Its public fields (name, typology, sector, activities, links) may appear in the directory
    once verified and only with ``directory_consent``; its contacts never do.
    """

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

    class LegalStatus(models.TextChoices):
        INFORMAL = "informal", _("Informal (not registered)")
        SUNARP = "sunarp", _("Registered with SUNARP")
        RUC = "ruc", _("Registered with SUNARP and holds a RUC")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online form")
        DESK = "desk", _("Registration desk")
        IMPORTED = "imported", _("Imported list")

    class AgeGroup(models.TextChoices):
        CHILDREN = "children", _("Children (0-11)")
        TEENS = "teens", _("Teenagers (12-17)")
        YOUTH = "youth", _("Young people (18-29)")
        ADULTS = "adults", _("Adults (30-59)")
        ELDERS = "elders", _("Older adults (60+)")

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
    normalized_name = models.CharField(
        _("normalised name"), max_length=255, editable=False, db_index=True, default=""
    )
    typology = models.CharField(_("typology"), max_length=20, choices=Typology.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    registration_code = models.CharField(
        _("registration code"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    members_count = models.PositiveIntegerField(
        _("number of members"), null=True, blank=True, validators=[MaxValueValidator(100000)]
    )
    age_groups = models.JSONField(_("age groups represented"), default=list, blank=True)
    activities = models.TextField(_("activities"), max_length=2000, blank=True)
    newly_constituted = models.BooleanField(_("newly constituted"), default=False)
    legal_status = models.CharField(
        _("legal status"), max_length=10, choices=LegalStatus.choices, default=LegalStatus.INFORMAL
    )
    ruc = models.CharField(_("RUC"), max_length=11, blank=True)
    social_links = models.TextField(
        _("social network links"), max_length=1000, blank=True, help_text=_("One per line.")
    )
    directory_consent = models.BooleanField(
        _("agrees to appear in the public directory"), default=False
    )
    messages_consent = models.BooleanField(_("agrees to receive messages"), default=False)
    channel = models.CharField(
        _("registration channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The desk types in forms that organizations filled on paper (the printable blank form):
    # recorded so that a doubtful entry is checked against the sheet, not the person.
    typed_from_paper = models.BooleanField(_("typed from a paper form"), default=False)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations_entered",
    )
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representatives"),
        blank=True,
        related_name="represented_organizations",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )
    # The token a form carries from render to submit: a double click or a retried POST
    # finds the first record through this unique column instead of creating a second one.
    submission_token = models.UUIDField(_("submission token"), unique=True, null=True, blank=True)
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    # Confirmed with the code sent by SMS to the contact's mobile, for a submission without
    # an email address.
    phone_confirmed_at = models.DateTimeField(_("mobile confirmed at"), null=True, blank=True)
    # Optimistic concurrency: every edit form carries the version it read; a save whose
    # version is no longer current is refused instead of silently overwriting.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ("name",)
        permissions = (
            ("use_desk", _("Can register organizations at the desk")),
            ("verify_organization", _("Can verify organizations")),
            ("view_contact_data", _("Can see organizations' contact data")),
            ("export_organization", _("Can export the registry")),
        )
        constraints = (
            # Two clerks saving the same organization at the same moment: a check-then-insert
            # lets both pass under READ COMMITTED (PostgreSQL), so the index decides. The
            # second INSERT waits for the first transaction and then fails. Rejected and
            # merged records step aside so the name can be registered again.
            models.UniqueConstraint(
                fields=("district", "normalized_name"),
                condition=Q(status__in=("pending", "verified")),
                name="organization_unique_name_per_district",
            ),
        )
        indexes = (models.Index(fields=("district", "status"), name="org_district_status_idx"),)

    def __str__(self) -> str:
        return self.name

    def save(self, **kwargs: Unpack[SaveOptions]) -> None:
        self.normalized_name = normalize_name(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "normalized_name"}
        super().save(**kwargs)

    def get_absolute_url(self) -> str:
        return reverse("platform_app:organization-detail", args=[self.registration_code])

    def clean(self) -> None:
        # Normalised here, in validation, not only in save(): the unique constraint on the
        # normalised name is checked against this value, and a name made only of
        # punctuation or symbols would otherwise be stored with an empty one that every
        # later registration of the district collides with.
        self.normalized_name = normalize_name(self.name)
        try:
            validate_identifying_name(self.name)
        except ValidationError as error:
            raise ValidationError({"name": error}) from None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.VERIFIED and self.directory_consent

    @property
    def social_link_list(self) -> list[str]:
        return [line.strip() for line in self.social_links.splitlines() if line.strip()]

    def age_group_labels(self) -> list[str]:
        labels = dict(self.AgeGroup.choices)
        return [str(labels.get(g, g)) for g in self.age_groups]

    def is_represented_by(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        return bool(user.is_authenticated) and self.representatives.filter(pk=user.pk).exists()


class Contact(models.Model):
    """A person to reach about an organization. Personal data: never shown in public."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("main contact"), default=True)
    anonymized_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ("-is_primary", "pk")

    def __str__(self) -> str:
        return self.name


class OrganizationEvent(models.Model):
    """The history of a record: who registered, changed or decided what, when and why."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        UPDATED = "updated", _("Updated")
        CONFIRMED = "confirmed", _("Email confirmed")
        PHONE_CONFIRMED = "by_phone", _("Mobile confirmed")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged")
        RETURNED = "returned", _("Returned to review")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changed fields"), default=list, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization history entry")
        verbose_name_plural = _("organization history")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_action_display()}"


class DataRequest(models.Model):
    """A data subject's request under Law 29733 (access, rectification, cancellation,
    opposition) about the personal data the registry holds for an email address.

    It counts only once the person confirms the email (so nobody can cancel someone else's
    data); the deadline runs from then.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (a copy of my data)")
        RECTIFICATION = "rectification", _("Rectification")
        CANCELLATION = "cancellation", _("Cancellation")
        OPPOSITION = "opposition", _("Opposition")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Email not confirmed")
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    # Working days to answer, as the regulation of Law 29733 sets them.
    DEADLINE_DAYS: dict[str, int] = {
        "access": 20,
        "rectification": 10,
        "cancellation": 10,
        "opposition": 10,
    }

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="data_requests",
    )
    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    due_on = models.DateField(_("answer due by"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        ordering = ("due_on", "created_at")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.email}"

    def is_overdue(self, today: date) -> bool:
        return self.status == self.Status.OPEN and self.due_on is not None and self.due_on < today


class RegistryImport(models.Model):
    """One import of a sheet of organizations (or its dry run), as the page follows it.

    The rows wait here, not in a task's arguments or the cache: the web process that shows
    the progress, the Celery worker and the embedded loop all read the same row, whichever
    process runs the import. The import writes its organizations in one transaction at the
    end, so an import that dies leaves none of them; the scan then marks it failed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="registry_imports",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    source = models.CharField(_("file"), max_length=255)
    dry_run = models.BooleanField(_("dry run"), default=False)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows = models.JSONField(_("rows waiting"), default=list, blank=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.source} · {self.get_status_display()}"
