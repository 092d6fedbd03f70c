"""The collaborative platform: members by stakeholder sector, meetings with agenda, attendance
and minutes, and the agreements followed up online."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from platform_app.decisions.quorum import Quorum
from platform_app.querysets import (
    AgreementQuerySet,
    MeetingQuerySet,
    MemberQuerySet,
    OrganizationInvitationQuerySet,
)
from santaanita.files import DOCUMENTS, StoredFileField, Visibility


class Axis(models.TextChoices):
    PLATFORM = "platform", _("Collaborative platform")
    FESTIVAL = "festival", _("Festival")
    INTERVENTIONS = "interventions", _("Citizen interventions")


class StakeholderSector(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    BUSINESS = "business", _("Business")
    COMMUNITY = "community", _("Community")
    ACADEMIA = "academia", _("Academia")
    YOUTH = "youth", _("Youth")
    CULTURE = "culture", _("Culture")


class PlatformSettings(models.Model):
    """How one district's platform works: quorum, reminder lead times, transparency."""

    district = models.OneToOneField(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="platform_settings",
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of active members)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Quorum is reached when more than this percentage of the active members attend "
            "(50 = simple majority)."
        ),
    )
    quorum_min_sectors = models.PositiveSmallIntegerField(
        _("quorum (stakeholder sectors present)"),
        default=0,
        validators=[MaxValueValidator(len(StakeholderSector.choices))],
        help_text=_(
            "Besides the share of members, at least this many of the six stakeholder sectors "
            "must have someone present (0 = no minimum)."
        ),
    )
    meeting_reminder_hours = models.CharField(
        _("meeting reminders (hours before)"),
        max_length=50,
        default="48,2",
        help_text=_("Comma-separated lead times in hours, for example 48,2."),
    )
    convocation_days = models.PositiveSmallIntegerField(
        _("convocation (days before)"),
        default=14,
        help_text=_("The convocation of a meeting goes out at most this many days before it."),
    )
    agreement_reminder_days = models.PositiveSmallIntegerField(
        _("agreement reminder (days before the due date)"), default=3
    )
    publish_agreements = models.BooleanField(
        _("publish the agreements on a public transparency page"), default=False
    )

    class Meta:
        verbose_name = _("platform settings")
        verbose_name_plural = _("platform settings")

    def __str__(self) -> str:
        return str(self.district)

    def clean(self) -> None:
        try:
            self.reminder_leads()
        except ValueError as exc:
            raise ValidationError(
                {"meeting_reminder_hours": _("Write whole numbers of hours separated by commas.")}
            ) from exc

    def reminder_leads(self) -> list[int]:
        """Lead times in hours, largest first."""
        values = [int(v) for v in self.meeting_reminder_hours.split(",") if v.strip()]
        if any(v <= 0 for v in values):
            raise ValueError("lead times must be positive")
        return sorted(set(values), reverse=True)

    def quorum(self, *, present: int, expected: int, sectors_present: int) -> Quorum:
        """The district's quorum rule applied to a meeting's attendance."""
        return Quorum(
            present=present,
            expected=expected,
            sectors_present=sectors_present,
            percent_required=self.quorum_percent,
            sectors_required=self.quorum_min_sectors,
        )


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Member(models.Model):
    """A person who takes part in the platform for one stakeholder sector."""

    class AgeGroup(models.TextChoices):
        YOUTH = "youth", _("Youth (15–29)")
        ADULT = "adult", _("Adult (30–59)")
        SENIOR = "senior", _("Older adult (60+)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        LEFT = "left", _("Has left the platform")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    sector = models.CharField(
        _("stakeholder sector"), max_length=16, choices=StakeholderSector.choices
    )
    organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    joined_on = models.DateField(_("joined on"), default=date.today)
    remind_meetings = models.BooleanField(_("remind me of meetings"), default=True)
    remind_agreements = models.BooleanField(_("remind me of my agreements"), default=True)
    receive_digest = models.BooleanField(
        _("weekly digest of overdue agreements (coordinators)"), default=True
    )
    feed_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=_new_token, editable=False
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform member")
        verbose_name_plural = _("platform members")
        ordering = ("user__first_name", "user__last_name", "user__email")
        constraints = (
            models.UniqueConstraint(fields=("district", "user"), name="member_unique_user"),
        )

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Invitation(models.Model):
    """An email invitation to join the platform; its signed link creates or reuses an account."""

    district = models.ForeignKey(
        "platform_app.District", verbose_name=_("district"), on_delete=models.CASCADE
    )
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    sector = models.CharField(
        _("stakeholder sector"), max_length=16, choices=StakeholderSector.choices
    )
    age_group = models.CharField(_("age group"), max_length=8, choices=Member.AgeGroup.choices)
    organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.email


class Meeting(models.Model):
    """A meeting of the platform: monthly face-to-face (ordinary) or virtual (extraordinary).

    ``uid`` never changes, so calendars update the same event; ``sequence`` grows with every
    change of time or place (RFC 5545 SEQUENCE), so calendar clients replace the old copy.
    """

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary (face-to-face)")
        EXTRAORDINARY = "extraordinary", _("Extraordinary (virtual)")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ORDINARY)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    place_url = models.CharField(
        _("page of the place"),
        max_length=200,
        blank=True,
        help_text=_("The public space's page, when the meeting is held at one."),
    )
    video_url = models.URLField(_("video call link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    uid = models.UUIDField(
        _("calendar identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    series = models.UUIDField(_("series"), null=True, blank=True, editable=False)
    minutes_approved_in = models.ForeignKey(
        "self",
        verbose_name=_("minutes approved in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_minutes_of",
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

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ("-starts_at",)

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.title} ({local:%d/%m/%Y})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
        if self.kind == self.Kind.ORDINARY and not self.place:
            raise ValidationError({"place": _("An ordinary meeting needs a place.")})
        if self.kind == self.Kind.EXTRAORDINARY and not self.video_url:
            raise ValidationError({"video_url": _("A virtual meeting needs a video call link.")})

    @property
    def occurrence(self) -> str:
        """The start time as it appears in delivery keys: moving the meeting changes it."""
        return self.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SCHEDULED


class AgendaItem(models.Model):
    """One point of a meeting's agenda, with its minutes; may carry an open agreement."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    carried_agreement = models.ForeignKey(
        "platform_app.Agreement",
        verbose_name=_("follow-up of agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carried_to",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ("meeting", "order", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("meeting", "carried_agreement"), name="agenda_unique_carried_agreement"
            ),
        )

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """One member on a meeting's attendance sheet; the sheet lists the members active then."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="attendances"
    )
    present = models.BooleanField(_("present"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ("meeting", "member")
        constraints = (
            models.UniqueConstraint(fields=("meeting", "member"), name="attendance_unique_member"),
        )

    def __str__(self) -> str:
        return f"{self.member} · {self.meeting}"


class MeetingFile(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="files"
    )
    title = models.CharField(_("title"), max_length=200)
    # Minutes, presentations, sheets and photos of a session: for the district's members only.
    file = StoredFileField(
        _("file"), visibility=Visibility.PRIVATE, folder="meetings", accept=DOCUMENTS
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ("meeting", "title")

    def __str__(self) -> str:
        return self.title


class Agreement(models.Model):
    """A decision recorded in the minutes of an agenda item, followed up until it is closed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.BLOCKED)

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    description = models.TextField(_("description"))
    responsible = models.ManyToManyField(
        Member, verbose_name=_("responsible members"), related_name="agreements", blank=True
    )
    responsible_organizations = models.ManyToManyField(
        "platform_app.Organization",
        verbose_name=_("responsible organizations"),
        related_name="agreements",
        blank=True,
    )
    axis = models.CharField(_("axis"), max_length=16, choices=Axis.choices, default=Axis.PLATFORM)
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ("due_date", "pk")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


class AgreementFollowUp(models.Model):
    """One entry of an agreement's history: a comment, evidence and the status it set."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="followups"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    evidence_file = StoredFileField(
        _("evidence file"),
        visibility=Visibility.PRIVATE,
        folder="evidence",
        accept=DOCUMENTS,
        blank=True,
    )
    evidence_name = models.CharField(
        _("evidence file name"), max_length=200, blank=True, editable=False
    )
    evidence_url = models.URLField(_("evidence link"), blank=True)
    old_status = models.CharField(
        _("previous status"), max_length=12, choices=Agreement.Status.choices, blank=True
    )
    new_status = models.CharField(_("new status"), max_length=12, choices=Agreement.Status.choices)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement follow-up")
        verbose_name_plural = _("agreement follow-ups")
        ordering = ("agreement", "created_at", "pk")

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.get_new_status_display()}"


class OrganizationInvitation(models.Model):
    """An organization of the registry invited to a meeting or workshop by its typology,
    and whether it came: attendance is per organization, not per person, because the
    registry knows organizations and their contacts, not which member will show up."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="organization_invitations",
    )
    organization = models.ForeignKey(
        "platform_app.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="meeting_invitations",
    )
    present = models.BooleanField(_("present"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization invitation")
        verbose_name_plural = _("organization invitations")
        ordering = ("meeting", "organization__name")
        constraints = (
            # Inviting a typology twice (or a typology and then a sector that overlaps it)
            # keeps one row per organization, with its attendance tick.
            models.UniqueConstraint(
                fields=("meeting", "organization"), name="organization_invitation_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.organization} · {self.meeting}"
