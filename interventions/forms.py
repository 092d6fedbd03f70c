"""Forms of interventions. Every file passes through santaanita.files (checked, re-encoded)."""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import TYPE_CHECKING, TypedDict, Unpack

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from PIL import Image

from interventions.models import (
    Activity,
    BudgetLine,
    Company,
    FundraisingEvent,
    Intervention,
    InterventionPhoto,
    Invitation,
    KitItem,
    KitTemplate,
    MaintenanceGuide,
    MaintenanceTask,
    Pledge,
    PledgeDocument,
)
from mapping.models import Survey
from santaanita.files import IMAGES, UploadField, check_upload, original_name_of
from santaanita.forms import FormData, FormFiles, FormOptions, ModelFormOptions, set_queryset
from santaanita.phones import normalize_phone

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from festival.models import Proposal
    from mapping.models import PublicSpace
    from platform_app.models import District

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_BYTES = 2_000_000


class CompanyForm(forms.ModelForm[Company]):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Company
        fields = (
            "name",
            "ruc",
            "activity",
            "website",
            "logo",
            "contact_name",
            "contact_email",
            "contact_phone",
        )

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        return normalize_phone(phone) if phone else ""


class PledgeTermsForm(forms.ModelForm[Pledge]):
    """A pledge's terms (``Pledge.TERMS``), the event offered among the district's."""

    class Meta:
        model = Pledge
        fields: tuple[str, ...] = Pledge.TERMS
        widgets = {"rate_date": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[ModelFormOptions[Pledge]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "event", district.fundraising_events.all())


class PledgeForm(PledgeTermsForm):
    """A new pledge: the company (of the district) and its terms."""

    class Meta(PledgeTermsForm.Meta):
        fields = ("company", *Pledge.TERMS)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[ModelFormOptions[Pledge]],
    ) -> None:
        super().__init__(data, files, district=district, **kwargs)
        set_queryset(self, "company", Company.objects.filter(district=district))


class PledgeEditForm(PledgeTermsForm):
    """Correct a pledge's terms. ``version`` is the pledge's version when the form was shown;
    ``pledge_update`` refuses it if someone saved the pledge in between."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        required=False,
        help_text=_("Kept in the pledge's history."),
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[ModelFormOptions[Pledge]],
    ) -> None:
        super().__init__(data, files, district=district, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def terms(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in Pledge.TERMS}


class PledgeStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=Pledge.State.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PledgeDocumentForm(forms.ModelForm[PledgeDocument]):
    class Meta:
        model = PledgeDocument
        fields = ("kind", "file")

    def clean_file(self) -> File[bytes]:
        # A required UploadField: a file checked by content.
        checked: File[bytes] = self.cleaned_data["file"]
        # Shown and offered back under this name; stored under a random one.
        self.instance.original_name = original_name_of(checked)
        return checked


class FundraisingEventForm(forms.ModelForm[FundraisingEvent]):
    class Meta:
        model = FundraisingEvent
        fields = FundraisingEvent.DETAILS
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class EventDetails(TypedDict):
    """An event's details (``FundraisingEvent.DETAILS``) as ``event_update`` takes them."""

    name: str
    date: datetime.date
    place: str
    description: str


class FundraisingEventEditForm(FundraisingEventForm):
    """Correct an event's details. ``version`` is the event's version when the form was
    shown; ``event_update`` refuses it if someone saved the event in between."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        **kwargs: Unpack[ModelFormOptions[FundraisingEvent]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def details(self) -> EventDetails:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "date": data["date"],
            "place": data["place"],
            "description": data["description"],
        }


class InviteCompaniesForm(forms.Form):
    companies = forms.ModelMultipleChoiceField(
        label=_("Companies to invite"),
        queryset=Company.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        companies: QuerySet[Company],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "companies", companies)


class InvitationAnswerForm(forms.ModelForm[Invitation]):
    """One company's answer and attendance. Each field also sends the value it was shown
    with (``show_hidden_initial``), so only the rows this coordinator changed are saved and
    a colleague's ticks made meanwhile on other rows are kept."""

    class Meta:
        model = Invitation
        fields = ("status", "attended")

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        **kwargs: Unpack[ModelFormOptions[Invitation]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True


InvitationAnswerFormSet = forms.modelformset_factory(
    Invitation, form=InvitationAnswerForm, extra=0, edit_only=True
)


class FromProposalForm(forms.Form):
    proposal: forms.ModelChoiceField[Proposal] = forms.ModelChoiceField(
        label=_("Outstanding team's proposal"), queryset=None
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        proposals: QuerySet[Proposal],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "proposal", proposals)
        self.fields["proposal"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.team.name} · {p.public_space.name}"
        )


class InterventionForm(forms.ModelForm[Intervention]):
    class Meta:
        model = Intervention
        fields = (
            "public_space",
            "title",
            "description",
            "lead_organization",
            "starts_on",
            "large_scale",
        )
        widgets = {"starts_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        spaces: QuerySet[PublicSpace],
        **kwargs: Unpack[ModelFormOptions[Intervention]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.instance.district = district
        set_queryset(self, "public_space", spaces)
        set_queryset(self, "lead_organization", district.organizations.all())


class InterventionStatusForm(forms.ModelForm[Intervention]):
    """Status and progress, and the surveys that measure the change of condition.

    Only verified surveys of the intervention's own space may be linked: a draft or a
    returned survey is not a measurement yet, and another space's would compare two places.
    """

    class Meta:
        model = Intervention
        fields = ("status", "progress", "large_scale", "survey_before", "survey_after")

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        **kwargs: Unpack[ModelFormOptions[Intervention]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        surveys = (
            Survey.objects.verified()
            .filter(space_id=self.instance.public_space_id)
            .order_by("-observed_at")
        )
        set_queryset(self, "survey_before", surveys)
        set_queryset(self, "survey_after", surveys)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        before, after = data.get("survey_before"), data.get("survey_after")
        if before is not None and after is not None and after.observed_at <= before.observed_at:
            self.add_error(
                "survey_after",
                ValidationError(
                    _(
                        "The survey after the work must be later than the survey before it "
                        "(%(date)s)."
                    ),
                    params={
                        "date": formats.date_format(
                            localtime(before.observed_at), "SHORT_DATE_FORMAT"
                        )
                    },
                    code="after_not_later",
                ),
            )
        return data

    # django-stubs leaves out BaseModelForm's private _post_clean and _update_errors (the hook
    # where Django validates the instance), hence the two ignores below.
    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # The form has no "district" field, so Django skips the one-large-scale-per-district
        # constraint; check it here for a clear message (the database still has the last word).
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]


class KitFromTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Kit template"), queryset=KitTemplate.objects.none())

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "template", KitTemplate.objects.filter(district=district))


class KitItemForm(forms.ModelForm[KitItem]):
    class Meta:
        model = KitItem
        fields = ("name", "category", "unit", "quantity", "unit_cost_pen")


class AllocationForm(forms.Form):
    pledge = forms.ModelChoiceField(label=_("Pledge"), queryset=Pledge.objects.none())
    amount_pen = forms.DecimalField(
        label=_("Amount (S/)"), max_digits=12, decimal_places=2, min_value=0
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        pledges: QuerySet[Pledge],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "pledge", pledges)
        self.fields["pledge"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.company.name} · {p.get_kind_display()}"
            + (f" ({p.description})" if p.description else "")
            + f" · S/ {p.remaining_pen} / {p.value_pen}"
        )


class DeliveryForm(forms.Form):
    """A delivery signed on the tablet (``signature_data``, a PNG data URL drawn on the
    canvas by static/interventions/signature.js) or proven by a photo of the signed form."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2)
    received_by = forms.CharField(label=_("Received by"), max_length=200)
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    signed_form = UploadField(
        label=_("Or a photo of the signed form"), accept=IMAGES, required=False
    )

    def clean_signature_data(self) -> ContentFile[bytes] | None:
        data = self.cleaned_data.get("signature_data") or ""
        if not data:
            return None
        if not data.startswith(SIGNATURE_PREFIX) or len(data) > SIGNATURE_MAX_BYTES * 4 // 3 + 64:
            raise ValidationError(_("The signature could not be read; please sign again."))
        try:
            raw = base64.b64decode(data[len(SIGNATURE_PREFIX) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(_("The signature could not be read; please sign again.")) from exc
        upload = SimpleUploadedFile("signature.png", raw, content_type="image/png")
        cleaned = check_upload(upload, accept=IMAGES)
        with Image.open(cleaned) as image:
            # An untouched canvas is fully transparent: that is no signature.
            if image.convert("RGBA").getchannel("A").getbbox() is None:
                raise ValidationError(_("The signature is empty; please sign on the screen."))
        cleaned.seek(0)
        return cleaned

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("signature_data") and not data.get("signed_form") and not self.errors:
            raise ValidationError(_("Sign on the screen or upload a photo of the signed form."))
        return data


class ActivityForm(forms.ModelForm[Activity]):
    photo = UploadField(label=_("Photo"), accept=IMAGES, required=False)

    class Meta:
        model = Activity
        fields = ("kind", "date", "who", "what")
        widgets = {"date": DATE, "what": forms.Textarea(attrs={"rows": 3})}


class BudgetLineForm(forms.ModelForm[BudgetLine]):
    class Meta:
        model = BudgetLine
        fields = ("description", "source", "amount_pen")


class InterventionPhotoForm(forms.ModelForm[InterventionPhoto]):
    class Meta:
        model = InterventionPhoto
        fields = ("moment", "image", "caption")


class GuideForm(forms.ModelForm[MaintenanceGuide]):
    class Meta:
        model = MaintenanceGuide
        fields = (
            "responsible_organization",
            "responsible_email",
            "introduction",
            "installed",
            "care",
            "rules",
        )
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("introduction", "installed", "care", "rules")
        }

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[ModelFormOptions[MaintenanceGuide]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "responsible_organization", district.organizations.all())


class MaintenanceTaskForm(forms.ModelForm[MaintenanceTask]):
    class Meta:
        model = MaintenanceTask
        fields = ("title", "description", "first_on", "every_months")
        widgets = {"first_on": DATE, "description": forms.Textarea(attrs={"rows": 2})}
