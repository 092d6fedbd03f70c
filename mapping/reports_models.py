"""Problem reports on public spaces, in the way of Open311 and FixMyStreet.

A resident reports a problem (a broken light, a damaged bench, rubbish…) in a space; the
report goes to the organization that cares for the space and, by its category, to the
municipal area that handles it (``MunicipalArea``, one per district and category). Its status
moves received → acknowledged → in progress → fixed / not ours / duplicate, each change
with a public note (``ReportUpdate``), and everyone who reported it or said "me too"
(``ReportSupporter``) hears of it. Some days after "fixed" the reporter is asked whether it
really was; a "no" reopens it.

A reporter's contact lives only on ``ReportSupporter`` and is never serialised by a public
page, layer, export or API: the report itself carries nothing personal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mapping.reports_querysets import ReportQuerySet
from santaanita.files import IMAGES, StoredFileField, Visibility


class ReportCategory(models.TextChoices):
    """Categories of problems; also the Open311 ``service_code`` of each."""

    LIGHTING = "lighting", _("Lighting")
    EQUIPMENT = "equipment", _("Broken equipment")
    RUBBISH = "rubbish", _("Rubbish")
    GREEN = "green", _("Green areas and watering")
    SAFETY = "safety", _("Safety")
    WATER = "water", _("Water and drainage")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    NOT_OURS = "not_ours", _("Not ours")
    DUPLICATE = "duplicate", _("Duplicate")


# Statuses after which the report is closed (Open311's "closed").
CLOSED_STATUSES = frozenset({ReportStatus.FIXED, ReportStatus.NOT_OURS, ReportStatus.DUPLICATE})
OPEN_STATUSES = frozenset(set(ReportStatus) - CLOSED_STATUSES)


class MunicipalArea(models.Model):
    """The municipal office that handles one category of problems in a district (lighting
    goes to public works, rubbish to sanitation…); coordinators keep it current."""

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="report_areas",
    )
    category = models.CharField(_("category"), max_length=16, choices=ReportCategory.choices)
    name = models.CharField(_("municipal area"), max_length=200)
    email = models.EmailField(_("area email"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("municipal area for reports")
        verbose_name_plural = _("municipal areas for reports")
        ordering = ("district", "category")
        constraints = (
            models.UniqueConstraint(
                fields=("district", "category"), name="municipalarea_unique_category"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.name}"


class Report(models.Model):
    """One problem reported in a public space."""

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    space = models.ForeignKey(
        "mapping.PublicSpace",
        verbose_name=_("public space"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    # Copied from the space when reported: measures per sector stay as they were even if
    # the space is later redrawn into another sector.
    sector = models.ForeignKey(
        "platform_app.Sector",
        verbose_name=_("sector"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    category = models.CharField(
        _("category"), max_length=16, choices=ReportCategory.choices, db_index=True
    )
    description = models.TextField(_("description"), max_length=1000)
    # Where the resident pointed; the space's centre when they picked the space instead.
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.RECEIVED,
        db_index=True,
    )
    organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("caring organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    area = models.ForeignKey(
        MunicipalArea,
        verbose_name=_("municipal area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    # Moderation: a hidden report keeps its row (and its measures) but leaves every public
    # page; the reason is kept for the other coordinators.
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    # Sent twice (the answer to the first send was lost), the same UUID makes one report.
    client_uuid = models.UUIDField(_("client identifier"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    # When the follow-up question is due; cleared once the scan has scheduled it.
    followup_due_at = models.DateTimeField(
        _("follow-up due at"), null=True, blank=True, db_index=True
    )
    confirmed_fixed = models.BooleanField(_("confirmed fixed by the reporter"), null=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        ordering = ("-created_at",)
        indexes = (
            # The map layer: open reports of a district in a window.
            models.Index(
                fields=("district", "status", "longitude", "latitude"), name="report_layer_idx"
            ),
            models.Index(fields=("space", "status"), name="report_space_idx"),
        )
        permissions = (
            ("moderate_report", _("Can moderate, route and update problem reports")),
            ("view_report_contact", _("Can see the contact of those who reported a problem")),
        )

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} – {self.space_id}"

    def get_absolute_url(self) -> str:
        return reverse("mapping:report-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReportSupporter(models.Model):
    """Someone who reported the problem or said "me too": the only place contacts live.

    ``token`` is the key of their private link (the follow-up question), so answering needs
    no account. A device says "me too" once per report.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="supporters"
    )
    is_reporter = models.BooleanField(_("original reporter"), default=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token = models.UUIDField(_("private link key"), unique=True, default=uuid.uuid4)
    confirmed_fixed = models.BooleanField(_("says it was fixed"), null=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporter or supporter")
        verbose_name_plural = _("reporters and supporters")
        ordering = ("report", "created_at")
        constraints = (
            models.UniqueConstraint(
                fields=("report", "device"),
                condition=~models.Q(device=""),
                name="supporter_once_per_device",
            ),
        )

    def __str__(self) -> str:
        return f"#{self.report_id} ({_('reporter') if self.is_reporter else _('me too')})"


class ReportPhoto(models.Model):
    """A photo of the problem, checked and re-encoded by ``santaanita.files`` and stored
    privately under a random name: it may show a face or a licence plate, so it leaves only
    through ``mapping:report-photo``, which shows it to the public while its report is
    visible and the photo is not hidden by a moderator."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    image = StoredFileField(
        _("photo"), visibility=Visibility.PRIVATE, folder="reports", accept=IMAGES
    )
    hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ("report", "created_at")

    def __str__(self) -> str:
        return self.image.name or ""

    def get_absolute_url(self) -> str:
        return reverse("mapping:report-photo", args=[self.pk])


class ReportUpdate(models.Model):
    """One change of a report (status, routing, moderation) with its public note."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices)
    note = models.TextField(_("public note"), max_length=1000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A note hidden by a moderator stays for the record but leaves the public page.
    hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")
        ordering = ("report", "created_at", "pk")

    def __str__(self) -> str:
        return f"#{self.report_id} → {self.get_status_display()}"
