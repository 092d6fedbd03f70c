"""Forms of problem reports. They parse what was typed; the services judge it (text rules,
contacts, photos, coordinates), and their errors land back on these fields."""

from __future__ import annotations

import uuid
from typing import Any, Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from mapping.models import PublicSpace
from mapping.reports_models import MunicipalArea, ReportCategory, ReportStatus
from platform_app.models import District, Organization
from santaanita.files import IMAGES, UploadField
from santaanita.forms import FormData, FormFiles, FormOptions, set_queryset

PHOTO_FIELDS = ("photo_1", "photo_2", "photo_3")


class ReportForm(forms.Form):
    """A resident's report, on a phone: the space (or a point), what, and how to answer."""

    space = forms.ModelChoiceField(
        label=_("Public space"),
        queryset=PublicSpace.objects.none(),
        required=False,
        empty_label=_("— Choose the space —"),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    category = forms.ChoiceField(
        label=_("What is the problem?"),
        choices=ReportCategory.choices,
        widget=forms.RadioSelect,
    )
    # No max_length here: the service refuses a long text with the count, in Spanish, and
    # the textarea keeps what was typed.
    description = forms.CharField(
        label=_("Describe it briefly"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        required=False,
    )
    # Checked by content (santaanita.files) as the form is read: a refused photo is an error
    # on its own field, and the service checks again whatever reaches it another way.
    photo_1 = UploadField(accept=IMAGES, label=_("Photo (optional)"), required=False)
    photo_2 = UploadField(accept=IMAGES, label=_("Second photo (optional)"), required=False)
    photo_3 = UploadField(accept=IMAGES, label=_("Third photo (optional)"), required=False)
    email = forms.CharField(
        label=_("Email (optional, never public)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("To tell you what happened. Leave it empty to report anonymously."),
    )
    phone = forms.CharField(
        label=_("Phone (optional, never public)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "space", PublicSpace.objects.in_district(district).only("pk", "name"))
        for name in PHOTO_FIELDS:
            self.fields[name].widget.attrs.update(
                {"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
            )

    def photo_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PHOTO_FIELDS]

    def photos(self) -> list[Any]:
        return [self.cleaned_data[name] for name in PHOTO_FIELDS if self.cleaned_data.get(name)]


class MeTooForm(forms.Form):
    email = forms.CharField(
        label=_("Email to hear what happens (optional, never public)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AcknowledgeForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Caring organization"), queryset=Organization.objects.none(), required=False
    )
    area = forms.ModelChoiceField(
        label=_("Municipal area"), queryset=MunicipalArea.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Public note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "organization", Organization.objects.filter(district=district))
        set_queryset(self, "area", MunicipalArea.objects.filter(district=district))


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (s.value, s.label)
            for s in (
                ReportStatus.IN_PROGRESS,
                ReportStatus.FIXED,
                ReportStatus.NOT_OURS,
                ReportStatus.DUPLICATE,
            )
        ],
    )
    note = forms.CharField(
        label=_("Public note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    duplicate_of = forms.IntegerField(
        label=_("Number of the report it repeats"), required=False, min_value=1
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), required=False)
    photo = forms.IntegerField(required=False, widget=forms.HiddenInput)
    update = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FollowupForm(forms.Form):
    fixed = forms.TypedChoiceField(
        label=_("Was it fixed?"),
        choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is still there"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class AreasForm(forms.Form):
    """The municipal area of each category, for one district (empty: none)."""

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        areas: dict[str, MunicipalArea],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        for value, label in ReportCategory.choices:
            area = areas.get(value)
            self.fields[f"name_{value}"] = forms.CharField(
                label=label, required=False, initial=area.name if area else ""
            )
            self.fields[f"email_{value}"] = forms.CharField(
                label=_("Email of the area for “%(category)s”") % {"category": label},
                required=False,
                initial=area.email if area else "",
                widget=forms.EmailInput,
            )
