"""Forms of platform_app: the organization registry's entry forms and decisions."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Unpack, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from platform_app.models import DataRequest, District, Organization, Sector
from platform_app.models.registry import validate_identifying_name
from platform_app.places import organization_turf
from platform_app.services.registry import ContactData
from santaanita.files import SHEETS, CheckedFile, UploadField
from santaanita.forms import (
    FormData,
    FormFiles,
    FormOptions,
    LongSelectMultiple,
    ModelFormOptions,
    form_field,
    set_queryset,
)
from santaanita.peru import validate_ruc
from santaanita.phones import normalize_mobile, normalize_phone
from santaanita.sheets import read_sheet

MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]")


def validate_plain_text(value: str) -> None:
    """Names and descriptions are plain text: markup is refused, not silently escaped, so
    what is stored is what the person meant (templates escape on output anyway)."""
    if value and MARKUP.search(value):
        raise ValidationError(_("Write plain text, without HTML tags (< and >)."), code="markup")


class SectorChoiceField(forms.ModelChoiceField[Sector]):
    """A sector chosen by primary key; with ``known`` set, looked up there instead of in
    the database, so the import checks a hundred thousand rows without a query each."""

    known: dict[str, Sector] | None = None

    def to_python(self, value: object) -> Sector | None:
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.known[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class OrganizationForm(forms.ModelForm[Organization]):
    """The organization record as the public form, the desk and representatives enter it."""

    age_groups = forms.MultipleChoiceField(
        label=_("Age groups represented"),
        choices=Organization.AgeGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        help_text=_("Mobile (9 digits) or Lima landline."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    turf = forms.MultipleChoiceField(
        label=_("Public spaces it uses or cares for"),
        help_text=_("Parks, plazas or sports fields where the organization meets or works."),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = (
            "name",
            "typology",
            "sector",
            "address",
            "latitude",
            "longitude",
            "year_founded",
            "members_count",
            "age_groups",
            "activities",
            "newly_constituted",
            "legal_status",
            "ruc",
            "social_links",
            "directory_consent",
            "messages_consent",
        )
        widgets = {
            "activities": forms.Textarea(attrs={"rows": 3}),
            "social_links": forms.Textarea(attrs={"rows": 2}),
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "ruc": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {"ruc": _("11 digits; only if the organization has one.")}
        field_classes = {"sector": SectorChoiceField}

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        sectors: list[Sector] | None = None,
        **kwargs: Unpack[ModelFormOptions[Organization]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.district = district
        sector_field = form_field(self, "sector", SectorChoiceField)
        sector_field.queryset = district.sectors.all()
        if sectors is not None:
            sector_field.known = {str(sector.pk): sector for sector in sectors}
        sector_field.required = True
        # A per-instance override of the method, which Django supports; mypy reads it as
        # replacing the class's method (python/mypy#2427).
        sector_field.label_from_instance = lambda sector: sector.name  # type: ignore[method-assign,assignment]
        form_field(self, "typology", forms.ChoiceField).choices = Organization.Typology.choices
        self._turf = organization_turf()
        if self._turf is None:
            del self.fields["turf"]
        else:
            turf = self._turf
            # A callable: evaluated when the field is shown or a choice is checked, so the
            # registry import (a form per row, no turf column) never lists the spaces.
            form_field(self, "turf", forms.MultipleChoiceField).choices = lambda: [
                (place.key, place.name) for place in turf.offered(district)
            ]
        if self.instance.pk:
            contact = self.instance.contacts.filter(is_primary=True).first()
            if contact is not None:
                self.initial.setdefault("contact_name", contact.name)
                self.initial.setdefault("contact_phone", contact.phone)
                self.initial.setdefault("contact_email", contact.email)
            if self._turf is not None:
                self.initial.setdefault(
                    "turf", [place.key for place in self._turf.places(self.instance)]
                )
        elif not self.is_bound:
            self.initial["submission_token"] = uuid.uuid4()
        for name in ("name", "address", "activities", "contact_name", "social_links"):
            self.fields[name].validators.append(validate_plain_text)
        self.fields["name"].validators.append(validate_identifying_name)

    def clean_contact_phone(self) -> str:
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean_ruc(self) -> str:
        ruc = re.sub(r"\s", "", self.cleaned_data.get("ruc", ""))
        if ruc:
            validate_ruc(ruc)
        return ruc

    def clean_social_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["social_links"].splitlines()]
        check = URLValidator(schemes=["http", "https"])
        for line in filter(None, lines):
            try:
                check(line)
            except ValidationError:
                raise ValidationError(
                    _("“%(link)s” is not a web address (https://…)."), params={"link": line[:80]}
                ) from None
        return "\n".join(filter(None, lines))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("legal_status") == Organization.LegalStatus.RUC and not data.get("ruc"):
            self.add_error("ruc", _("Enter the RUC, or choose another legal status."))
        has_lat, has_lon = data.get("latitude") is not None, data.get("longitude") is not None
        if has_lat != has_lon:
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def rebind(self, data: Mapping[str, object]) -> None:
        """Check another set of values with this same form. The import checks thousands of
        rows; building the form anew for each (a deep copy of twenty fields) would cost
        more than checking them. Resets what ``BaseForm.__init__`` sets for bound data."""
        self.data = data
        self.is_bound = True
        self._errors = None
        self.instance = Organization()

    def organization_fields(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}

    def turf_keys(self) -> list[str] | None:
        return self.cleaned_data.get("turf") if "turf" in self.fields else None

    def contact(self) -> ContactData:
        return ContactData(
            name=self.cleaned_data["contact_name"],
            phone=self.cleaned_data["contact_phone"],
            email=self.cleaned_data.get("contact_email") or "",
        )

    def _post_clean(self) -> None:
        # The model's own validation runs in the service, with the district and channel set;
        # the form only puts its cleaned values on the instance.
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields)


class PublicRegistrationForm(OrganizationForm):
    """The public form: the submitter confirms an email (by a link) or, without one, a
    mobile (by a code sent by SMS); the consent to the processing of personal data
    (Law 29733) must be given explicitly."""

    privacy_consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and consent to the processing of these personal "
            "data for the purposes described."
        ),
        required=True,
    )

    field_order = (
        "contact_name",
        "contact_phone",
        "contact_email",
        "name",
        "typology",
        "sector",
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        sectors: list[Sector] | None = None,
        **kwargs: Unpack[ModelFormOptions[Organization]],
    ) -> None:
        super().__init__(data, files, district=district, sectors=sectors, **kwargs)
        self.fields["contact_email"].help_text = _(
            "Optional if you give a mobile: we will send you a link to confirm it and your "
            "registration code."
        )
        self.fields["contact_phone"].help_text = _(
            "Without an email, a mobile (9 digits starting with 9): we send you a code by SMS."
        )
        for name in ("latitude", "longitude"):
            del self.fields[name]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        phone = self.cleaned_data.get("contact_phone")
        if phone and not data.get("contact_email"):
            # The mobile is the only way to confirm the submission, so it must take codes.
            try:
                normalize_mobile(phone)
            except ValidationError as error:
                self.add_error(
                    "contact_phone",
                    ValidationError(
                        _("Without an email, give a mobile: %(reason)s")
                        % {"reason": " ".join(error.messages)},
                        code="mobile_needed",
                    ),
                )
        return data


class RegistrationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class DeskForm(OrganizationForm):
    """The desk form: name first (it drives the duplicate search), then the rest."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    typed_from_paper = forms.BooleanField(
        label=_("Typed from a paper form"),
        help_text=_("The organization filled in the printed form; keep the sheet."),
        required=False,
    )

    field_order = ("name", "typology", "sector", "contact_name", "contact_phone", "contact_email")

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        sectors: list[Sector] | None = None,
        **kwargs: Unpack[ModelFormOptions[Organization]],
    ) -> None:
        super().__init__(data, files, district=district, sectors=sectors, **kwargs)
        # Search-as-you-type for near-duplicates while the clerk types the name (htmx).
        self.fields["name"].widget.attrs.update(
            {
                "autofocus": True,
                "hx-get": reverse("platform_app:desk-search"),
                "hx-trigger": "input changed delay:250ms, load",
                "hx-target": "#desk-matches",
                "hx-vals": json.dumps({"exclude": self.instance.registration_code or ""}),
            }
        )


class RepresentativeForm(OrganizationForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VerificationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Organization.Status.VERIFIED, _("Verify")),
            (Organization.Status.REJECTED, _("Reject")),
            (Organization.Status.MERGED, _("Merge into another record")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_plain_text],
    )
    merged_into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Organization.objects.none(), required=False
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        organization: Organization,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(
            self,
            "merged_into",
            Organization.objects.filter(
                district_id=organization.district_id,
                status__in=(Organization.Status.PENDING, Organization.Status.VERIFIED),
            )
            .exclude(pk=organization.pk)
            .order_by("name"),
        )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == Organization.Status.REJECTED and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for the rejection."))
        if decision == Organization.Status.MERGED and not data.get("merged_into"):
            self.add_error("merged_into", _("Choose the record to merge into."))
        return data


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    typology = forms.ChoiceField(
        label=_("Typology"),
        required=False,
        choices=[("", _("All typologies")), *Organization.Typology.choices],
    )
    sector = forms.TypedChoiceField(label=_("Sector"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        form_field(self, "sector", forms.TypedChoiceField).choices = [
            ("", _("All sectors")),
            *((s.number, s.name) for s in district.sectors.all()),
        ]


class DataRequestForm(forms.ModelForm[DataRequest]):
    class Meta:
        model = DataRequest
        fields = ("kind", "name", "email", "details")
        widgets = {
            "kind": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "email": _("The address the registry has for you: we send the confirmation there."),
            "details": _("For a rectification, what should be corrected."),
        }

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        **kwargs: Unpack[ModelFormOptions[DataRequest]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["name"].validators.append(validate_plain_text)
        self.fields["details"].validators.append(validate_plain_text)


class DataRequestAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    anonymize = forms.BooleanField(
        label=_("Anonymise this person's contact data in every organization (cancellation)"),
        required=False,
    )


class RegistryImportForm(forms.Form):
    """Read in memory, never stored; judged by content like every upload (an HTML page
    called lista.csv is refused), so ``cleaned_data["sheet"]`` is a ``CheckedFile``."""

    MAX_BYTES = 20 * 1024 * 1024
    MAX_ROWS = 100_000

    sheet = UploadField(
        label=_("Sheet (CSV or XLSX)"),
        accept=SHEETS,
        max_bytes=MAX_BYTES,
        help_text=_(
            "Columns: nombre, tipología, sector, contacto, teléfono, correo, dirección, "
            "integrantes, directorio (sí/no)."
        ),
    )

    rows: list[dict[str, str]]

    def clean_sheet(self) -> CheckedFile:
        """The sheet is read here, so that a damaged, oversized or empty one is a field
        error on this form rather than a failure later; the rows are kept for the import."""
        from platform_app.services.registry_imports import IMPORT_COLUMNS

        sheet: CheckedFile = self.cleaned_data["sheet"]
        # A checked file is always named (upload.<ext>), though a File's name may be None.
        self.rows = read_sheet(cast(str, sheet.name), sheet.read(), max_rows=self.MAX_ROWS)
        if not self.rows:
            raise ValidationError(_("The sheet has a header but no rows."), code="no_rows")
        if not any(alias in self.rows[0] for alias in IMPORT_COLUMNS["name"]):
            raise ValidationError(
                _("The sheet has no “nombre” column (the first row must name the columns)."),
                code="no_name_column",
            )
        return sheet
