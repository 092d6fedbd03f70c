"""Accounts, districts and sectors, and the delivery ledger of notifications."""

from __future__ import annotations

from typing import ClassVar, Unpack

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from platform_app.messaging.models import Channel
from platform_app.querysets import DeliveryQuerySet, DistrictQuerySet
from santaanita.geo import normalize_geometry
from santaanita.model_save import SaveOptions
from santaanita.peru import validate_phone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person with an account, who signs in with an email address or a mobile number (and
    a code sent to it); there are no usernames. Residents and representatives may have only
    one of the two, so each is unique only when present."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(
        _("mobile"),
        max_length=16,
        blank=True,
        help_text=_("In E.164 (+51…): the number sign-in codes are sent to."),
    )
    phone_verified = models.BooleanField(_("mobile confirmed"), default=False)
    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The district whose records this person works on."),
    )
    language = models.CharField(
        _("language for emails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Email instead of username: a BaseUserManager, as Django documents for custom users; the
    # stubs declare AbstractUser.objects as the username-based UserManager.
    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("email",)
        constraints = (
            models.UniqueConstraint(
                fields=("email",), condition=~models.Q(email=""), name="user_email_unique"
            ),
            models.UniqueConstraint(
                fields=("phone",), condition=~models.Q(phone=""), name="user_phone_unique"
            ),
        )

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.phone


class District(models.Model):
    """A district of Lima. Every record of the platform belongs to one, directly or not."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    ubigeo = models.CharField(
        _("UBIGEO code"), max_length=6, unique=True, help_text=_("INEI code, six digits.")
    )
    centre_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    centre_lon = models.FloatField(_("centre longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True, editable=False)
    # Where residents reach the registration desk in person: shown wherever the platform
    # sends them to the municipality (a registration refused as a duplicate, for one).
    desk_address = models.CharField(_("registration desk address"), max_length=255, blank=True)
    desk_hours = models.CharField(_("registration desk opening hours"), max_length=255, blank=True)
    desk_phone = models.CharField(
        _("registration desk phone"),
        max_length=16,
        blank=True,
        validators=[validate_phone],
        help_text=_("A mobile or a Lima landline; stored as +51…"),
    )

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def save(self, **kwargs: Unpack[SaveOptions]) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        if self.boundary:
            geometry = normalize_geometry(self.boundary)
            self.boundary = geometry.geojson
            self.area_m2 = geometry.area_m2
            if self.centre_lat is None or self.centre_lon is None:
                self.centre_lon, self.centre_lat = geometry.centroid
        super().save(**kwargs)

    @property
    def is_default(self) -> bool:
        return self.ubigeo == settings.DEFAULT_DISTRICT_UBIGEO


class Sector(models.Model):
    """One of a district's sectors (Santa Anita has five)."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.CASCADE, related_name="sectors"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ("district", "number")
        constraints = (
            models.UniqueConstraint(fields=("district", "number"), name="sector_unique_number"),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.district.name})"

    def save(self, **kwargs: Unpack[SaveOptions]) -> None:
        if self.boundary:
            geometry = normalize_geometry(self.boundary)
            self.boundary = geometry.geojson
            self.area_m2 = geometry.area_m2
        super().save(**kwargs)


class Delivery(models.Model):
    """One message (email, SMS or WhatsApp) to one recipient about one object.

    The unique key (recipient, kind, object key) makes scheduling idempotent: scheduling the
    same reminder twice finds the existing row. Sending claims the row first with a
    conditional update (see ``DeliveryQuerySet.claim``); only the worker whose update changed
    the row sends, so a duplicated or re-delivered task never sends twice. A worker that dies
    after claiming leaves the row "sending"; once its lease expires the scan claims it again.
    That worker may have handed the message to the provider already: the guarantee is at
    least once, and the stable ``message_key`` lets the duplicate be recognised.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    # An email address, or a mobile number in E.164 for SMS and WhatsApp.
    recipient = models.CharField(_("recipient"), max_length=254)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    kind = models.CharField(_("kind"), max_length=64)
    object_key = models.CharField(
        _("object"), max_length=200, help_text=_("What the email is about, with its occurrence.")
    )
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML text"), blank=True)
    # An iCalendar invitation sent as an attachment (a meeting's convocation); text, so the
    # ledger stays self-contained and a retried send attaches exactly what was scheduled.
    ics = models.TextField(_("calendar attachment (.ics)"), blank=True)
    # SMS: parts the body costs, counted when it is scheduled (the cost is known before).
    segments = models.PositiveSmallIntegerField(_("SMS segments"), null=True, blank=True)
    # WhatsApp: the approved template and its parameters; ``body`` is its readable text.
    template = models.CharField(_("template"), max_length=64, blank=True)
    template_params = models.JSONField(_("template parameters"), default=list, blank=True)
    # What the message is for (see messaging.models.Purpose): consent is checked by it.
    purpose = models.CharField(_("purpose"), max_length=16, blank=True, db_index=True)
    # The page the message is about (a path), reached through the signed short link
    # /m/<token> in text messages; /m/<token>/baja withdraws consent for the purpose.
    link = models.CharField(_("link"), max_length=300, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=64, blank=True)
    scheduled_for = models.DateTimeField(_("send at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The answer to a data-subject cancellation must reach the person, and then leave no
    # trace of them: the row is redacted (recipient and texts) as soon as it is sent.
    erase_after_sending = models.BooleanField(_("erase after sending"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("-scheduled_for",)
        constraints = (
            models.UniqueConstraint(
                fields=("recipient", "kind", "object_key"), name="delivery_unique_key"
            ),
        )
        indexes = (
            models.Index(fields=("status", "scheduled_for"), name="delivery_due_idx"),
            models.Index(fields=("provider_id",), name="delivery_provider_idx"),
        )

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"

    @property
    def message_id(self) -> str:
        """Stable Message-ID: if a send is ever repeated, mail clients show it once."""
        return f"<delivery-{self.pk}@santaanita.platform>"

    @property
    def message_key(self) -> str:
        """The stable key a provider receives with the message: the Message-ID for email,
        the client reference for SMS and WhatsApp."""
        return self.message_id if self.channel == Channel.EMAIL else f"delivery-{self.pk}"
