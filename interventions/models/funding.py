"""Companies, the fundraising breakfast, and the pledges that finance the kits."""

from __future__ import annotations

from decimal import Decimal
from typing import Unpack

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interventions.querysets import (
    CompanyQuerySet,
    FundraisingEventQuerySet,
    InvitationQuerySet,
    PledgeQuerySet,
)
from santaanita.files import IMAGES, PDF_OR_IMAGE, StoredFileField, Visibility
from santaanita.model_save import SaveOptions
from santaanita.money import quantize_cents
from santaanita.peru import validate_ruc


class Company(models.Model):
    """A company of the district that joins the platform and finances improvements.

    The contact person's name, email and phone are personal data: only coordinators see
    them; public pages and the public API show the company, its sector and its logo.
    """

    class Activity(models.TextChoices):
        COMMERCE = "commerce", _("Commerce")
        MARKET = "market", _("Wholesale market")
        INDUSTRY = "industry", _("Industry")
        CONSTRUCTION = "construction", _("Construction")
        SERVICES = "services", _("Services")
        TRANSPORT = "transport", _("Transport and logistics")
        FINANCE = "finance", _("Finance and banking")
        OTHER = "other", _("Other")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="companies",
    )
    name = models.CharField(_("name"), max_length=200)
    ruc = models.CharField(
        _("RUC"), max_length=11, unique=True, validators=[validate_ruc], help_text=_("11 digits.")
    )
    activity = models.CharField(_("sector of activity"), max_length=20, choices=Activity.choices)
    website = models.URLField(_("website"), blank=True)
    logo = StoredFileField(
        _("logo"), visibility=Visibility.PUBLIC, folder="logos", accept=IMAGES, blank=True
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class CompanyRepresentative(models.Model):
    """A person who acts for one company on the platform: sees its pledges, their documents
    and history, adds documents and answers its invitations, and nothing of other companies.

    Coordinators name the person by email (at the fundraising event, or in the admin); the row
    is tied to the account that signs in with that verified address (``user`` stays empty
    until then), so an invitation can be sent before the person has an account.
    """

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="representatives",
    )
    email = models.EmailField(_("email address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="company_representations",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company representative")
        verbose_name_plural = _("company representatives")
        ordering = ("company", "email")
        permissions = (("act_for_company", _("Can act for the companies one represents")),)
        constraints = (
            models.UniqueConstraint(
                fields=("company", "email"), name="company_representative_unique_email"
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} · {self.company}"


class FundraisingEvent(models.Model):
    """The crowdfunding breakfast (or a later one) where companies are asked to join."""

    # What a coordinator records and may later correct; the district never changes.
    DETAILS = ("name", "date", "place", "description")

    district = models.ForeignKey(
        "platform_app.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="fundraising_events",
    )
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Bumped by ``event_update``; the edit form carries the version it was read at, so a
    # stale form is refused instead of silently undoing a colleague's correction.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = FundraisingEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("fundraising event")
        verbose_name_plural = _("fundraising events")
        ordering = ("-date",)

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    event = models.ForeignKey(
        FundraisingEvent,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="invitations"
    )
    status = models.CharField(
        _("answer"), max_length=12, choices=Status.choices, default=Status.INVITED
    )
    attended = models.BooleanField(_("attended"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("event", "company__name")
        constraints = (
            models.UniqueConstraint(fields=("event", "company"), name="invitation_unique_company"),
        )

    def __str__(self) -> str:
        return f"{self.company} · {self.event}"


class Pledge(models.Model):
    """A company's promise to contribute money (PEN or USD) or goods in kind.

    Every pledge records the exchange rate of its day (soles per US dollar), so its value in
    both currencies never changes afterwards. ``value_pen`` and ``value_usd`` are normalised
    from the pledge's own fields on save. Allocations to kit items spend ``value_pen``;
    ``pledge_allocate`` locks the row so it is never spent twice.
    """

    # The terms: what a coordinator records and may later correct. The company and the state
    # are not terms; the state changes through its own transitions.
    TERMS = (
        "event",
        "kind",
        "currency",
        "amount",
        "exchange_rate",
        "rate_date",
        "description",
        "quantity",
        "unit",
        "estimated_value_pen",
        "note",
    )

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        IN_KIND = "in_kind", _("In kind")

    class Currency(models.TextChoices):
        PEN = "PEN", _("Soles (PEN)")
        USD = "USD", _("US dollars (USD)")

    class State(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        CONFIRMED = "confirmed", _("Confirmed")
        RECEIVED = "received", _("Received")
        PARTLY_USED = "partly_used", _("Partly used")
        FULLY_USED = "fully_used", _("Fully used")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # States in which what is left of a pledge may still be allocated to kit items.
    ALLOCATABLE = (State.CONFIRMED, State.RECEIVED, State.PARTLY_USED)

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="pledges"
    )
    event = models.ForeignKey(
        FundraisingEvent,
        verbose_name=_("fundraising event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledges",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.PEN
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    exchange_rate = models.DecimalField(
        _("exchange rate (S/ per US$)"),
        max_digits=8,
        decimal_places=4,
        help_text=_("The rate of the day the pledge was made (SBS), recorded once."),
    )
    rate_date = models.DateField(_("date of the exchange rate"))
    description = models.CharField(_("goods in kind"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    estimated_value_pen = models.DecimalField(
        _("estimated value (S/)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    value_pen = models.DecimalField(
        _("value (S/)"), max_digits=12, decimal_places=2, editable=False, default=Decimal(0)
    )
    value_usd = models.DecimalField(
        _("value (US$)"), max_digits=12, decimal_places=2, editable=False, default=Decimal(0)
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PLEDGED, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Bumped by every service that saves the pledge; an edit form carries the version it
    # was read at, so a stale form is refused instead of overwriting someone's change.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ("-created_at",)
        constraints = (
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0), name="pledge_positive_exchange_rate"
            ),
            models.CheckConstraint(
                condition=Q(kind="in_kind") | Q(amount__gt=0), name="pledge_money_has_amount"
            ),
            models.CheckConstraint(
                condition=Q(kind="money") | Q(estimated_value_pen__gte=0),
                name="pledge_in_kind_has_value",
            ),
            models.CheckConstraint(condition=Q(value_pen__gte=0), name="pledge_value_not_negative"),
        )

    def __str__(self) -> str:
        return f"{self.company} · {self.get_kind_display()} · S/ {self.value_pen}"

    def save(self, **kwargs: Unpack[SaveOptions]) -> None:
        self.value_pen, self.value_usd = self.compute_values()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "value_pen", "value_usd"}
        super().save(**kwargs)

    def clean(self) -> None:
        if self.kind == self.Kind.MONEY and not self.amount:
            raise ValidationError({"amount": _("A money pledge needs an amount.")})
        if self.kind == self.Kind.IN_KIND:
            if not self.description:
                raise ValidationError({"description": _("Describe the goods in kind.")})
            if self.estimated_value_pen is None:
                raise ValidationError(
                    {"estimated_value_pen": _("Estimate the value of the goods in soles.")}
                )

    def compute_values(self) -> tuple[Decimal, Decimal]:
        """(value in soles, value in dollars), converted with the rate recorded on the pledge."""
        rate = Decimal(self.exchange_rate)
        if self.kind == self.Kind.IN_KIND:
            pen = Decimal(self.estimated_value_pen or 0)
            return quantize_cents(pen), quantize_cents(pen / rate)
        amount = Decimal(self.amount or 0)
        if self.currency == self.Currency.USD:
            return quantize_cents(amount * rate), quantize_cents(amount)
        return quantize_cents(amount), quantize_cents(amount / rate)

    @property
    def display_currency(self) -> str:
        return self.currency if self.kind == self.Kind.MONEY else "PEN"


class PledgeDocument(models.Model):
    """A document that backs a pledge: the agreement letter, a receipt."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement letter")
        RECEIPT = "receipt", _("Receipt")
        OTHER = "other", _("Other")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Agreement letters and receipts name amounts and people: for the district's staff only.
    file = StoredFileField(
        _("file"), visibility=Visibility.PRIVATE, folder="pledges", accept=PDF_OR_IMAGE
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge document")
        verbose_name_plural = _("pledge documents")
        ordering = ("uploaded_at",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.pledge_id}"


class PledgeChange(models.Model):
    """The history of a pledge: who changed what, when. Written only by the services."""

    class Action(models.TextChoices):
        CREATED = "created", _("Recorded")
        UPDATED = "updated", _("Terms changed")
        STATE = "state", _("State changed")
        ALLOCATED = "allocated", _("Allocated to a kit item")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="history"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("pledge change")
        verbose_name_plural = _("pledge history")
        ordering = ("pledge", "at", "pk")

    def __str__(self) -> str:
        return f"{self.pledge_id} · {self.action}"

    def rows(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) of each change, with choices shown by their label."""
        labelled = []
        for name, (before, after) in self.changes.items():
            try:
                field = Pledge._meta.get_field(name.removesuffix("_id"))
            except FieldDoesNotExist:  # a field since removed: its history stays readable
                labelled.append((name, before, after))
                continue
            if not isinstance(field, models.Field):  # audited names are columns, not relations
                labelled.append((name, before, after))
                continue
            choices = {str(value): label for value, label in field.flatchoices or ()}
            labelled.append(
                (
                    str(field.verbose_name),
                    str(choices.get(before, before)),
                    str(choices.get(after, after)),
                )
            )
        return labelled
