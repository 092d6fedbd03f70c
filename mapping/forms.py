"""Forms of the mapping app: the survey (ficha), its photos, reviews and assignments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mapping.models import EquipmentItem, NeedItem, Observation, PublicSpace, QualityItem
from mapping.services import SurveyData
from platform_app.models import District, User
from platform_app.permissions import Role
from santaanita.files import IMAGES, UploadField
from santaanita.forms import (
    FormData,
    FormFiles,
    FormOptions,
    ModelFormOptions,
    form_field,
    set_queryset,
)

if TYPE_CHECKING:
    from django.forms import BoundField
    from django_stubs_ext import StrOrPromise

    from santaanita.geo import GeoJSON

NEED_ROWS = 3

NOT_RECORDED = [("", _("Not recorded"))]


class SurveyForm(forms.Form):
    """The characterization form, flat so a phone can queue it as plain key/value pairs.

    Field names: ``eq_<feature>_count`` / ``eq_<feature>_condition``, ``q_<item>``,
    ``obs_<age>_<sex>_<activity>``, ``need_<n>`` / ``need_<n>_priority``.
    """

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    final = forms.BooleanField(required=False, widget=forms.HiddenInput)
    observed_at = forms.DateTimeField(
        label=_("Observed at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    zone = forms.CharField(
        label=_("Observed zone"),
        max_length=Observation._meta.get_field("zone").max_length,
        required=False,
        initial=_("Whole space"),
    )
    notes = forms.CharField(
        label=_("Condition summary and notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    typed_from_paper = forms.BooleanField(
        label=_("Typed from a paper form"),
        help_text=_("The ficha was filled in on paper in the space; keep the sheet."),
        required=False,
    )

    def __init__(
        self, data: FormData = None, files: FormFiles = None, **kwargs: Unpack[FormOptions]
    ) -> None:
        super().__init__(data, files, **kwargs)
        for value, label in EquipmentItem.Feature.choices:
            self.fields[f"eq_{value}_count"] = forms.IntegerField(
                label=_("%(feature)s: count") % {"feature": label},
                min_value=0,
                max_value=9999,
                required=False,
            )
            self.fields[f"eq_{value}_condition"] = forms.ChoiceField(
                label=_("%(feature)s: condition") % {"feature": label},
                choices=NOT_RECORDED + list(EquipmentItem.Condition.choices),
                required=False,
            )
        for value, label in QualityItem.Item.choices:
            self.fields[f"q_{value}"] = forms.TypedChoiceField(
                label=label,
                choices=NOT_RECORDED + [(str(v), lab) for v, lab in QualityItem.Rating.choices],
                coerce=int,
                empty_value=None,
                required=False,
            )
        for age, age_label in Observation.AgeGroup.choices:
            for sex, sex_label in Observation.Sex.choices:
                for activity, activity_label in Observation.Activity.choices:
                    self.fields[f"obs_{age}_{sex}_{activity}"] = forms.IntegerField(
                        label=f"{age_label} · {sex_label} · {activity_label}",
                        min_value=0,
                        max_value=999,
                        required=False,
                    )
        for n in range(1, NEED_ROWS + 1):
            self.fields[f"need_{n}"] = forms.CharField(
                label=_("Need %(n)s") % {"n": n}, max_length=255, required=False
            )
            self.fields[f"need_{n}_priority"] = forms.ChoiceField(
                label=_("Priority of need %(n)s") % {"n": n},
                choices=NeedItem.Priority.choices,
                initial=NeedItem.Priority.MEDIUM,
                required=False,
            )

    # Groups for the template (which holds no logic, only loops).
    def equipment_rows(self) -> list[tuple[StrOrPromise, BoundField, BoundField]]:
        return [
            (label, self[f"eq_{value}_count"], self[f"eq_{value}_condition"])
            for value, label in EquipmentItem.Feature.choices
        ]

    def quality_fields(self) -> list[BoundField]:
        return [self[f"q_{value}"] for value, _label in QualityItem.Item.choices]

    def observation_rows(self) -> list[tuple[str, list[BoundField]]]:
        rows = []
        for age, age_label in Observation.AgeGroup.choices:
            for sex, sex_label in Observation.Sex.choices:
                cells = [
                    self[f"obs_{age}_{sex}_{activity}"]
                    for activity, _l in Observation.Activity.choices
                ]
                rows.append((f"{age_label} · {sex_label}", cells))
        return rows

    def need_rows(self) -> list[tuple[BoundField, BoundField]]:
        return [(self[f"need_{n}"], self[f"need_{n}_priority"]) for n in range(1, NEED_ROWS + 1)]

    def clean(self) -> dict[str, object]:
        super().clean()  # returns cleaned_data, but is typed optional (overrides may not)
        data = self.cleaned_data
        for value, label in EquipmentItem.Feature.choices:
            count = data.get(f"eq_{value}_count")
            condition = data.get(f"eq_{value}_condition")
            if count and not condition:
                self.add_error(
                    f"eq_{value}_condition",
                    _("Give the condition of %(feature)s.") % {"feature": label},
                )
        return data

    def survey_data(self) -> SurveyData:
        data = self.cleaned_data
        equipment = {}
        for value, _label in EquipmentItem.Feature.choices:
            condition = data.get(f"eq_{value}_condition")
            if condition:
                equipment[value] = (data.get(f"eq_{value}_count") or 0, condition)
        quality = {
            value: data[f"q_{value}"]
            for value, _label in QualityItem.Item.choices
            if data.get(f"q_{value}") is not None
        }
        # The phone form counts one zone per survey (the usual case on a small park); the
        # API takes several.
        zone = data.get("zone") or ""
        observations = {}
        for age, _a in Observation.AgeGroup.choices:
            for sex, _s in Observation.Sex.choices:
                for activity, _ac in Observation.Activity.choices:
                    count = data.get(f"obs_{age}_{sex}_{activity}")
                    if count:
                        observations[(zone, age, sex, activity)] = count
        needs = [
            (data[f"need_{n}"].strip(), data.get(f"need_{n}_priority") or NeedItem.Priority.MEDIUM)
            for n in range(1, NEED_ROWS + 1)
            if data.get(f"need_{n}", "").strip()
        ]
        return SurveyData(
            observed_at=data["observed_at"],
            notes=data.get("notes", ""),
            equipment=equipment,
            quality=quality,
            observations=observations,
            needs=needs,
            typed_from_paper=data.get("typed_from_paper", False),
        )


class SurveyPhotoForm(forms.Form):
    # Judged by santaanita.files (a clear message for a decompression bomb or a polyglot);
    # cleaned_data["image"] is the re-encoded copy, without EXIF, that gets stored.
    image = UploadField(
        label=_("Photo"),
        accept=IMAGES,
        help_text=_("JPEG, PNG or WebP. Location and other metadata are removed."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)


class PublicSpaceForm(forms.ModelForm[PublicSpace]):
    """A space drawn on the map (or pasted as GeoJSON) by a coordinator."""

    class Meta:
        model = PublicSpace
        fields = (
            "name",
            "category",
            "address",
            "geometry",
            "sector",
            "sector_set_by_hand",
            "ownership",
            "administrator",
            "condition_summary",
            "organizations",
        )
        widgets = {
            "geometry": forms.Textarea(attrs={"rows": 3, "class": "geojson-input"}),
            "condition_summary": forms.Textarea(attrs={"rows": 3}),
            "organizations": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        **kwargs: Unpack[ModelFormOptions[PublicSpace]],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.district = district
        set_queryset(self, "sector", district.sectors.all())
        set_queryset(self, "organizations", district.organizations.order_by("name"))

    def clean_geometry(self) -> GeoJSON:
        from shapely.geometry import shape

        from mapping.models import check_span
        from santaanita.geo import normalize_geometry

        value = self.cleaned_data["geometry"]
        normalized = normalize_geometry(value)
        check_span(normalized.bbox)
        if self.district.boundary and not shape(self.district.boundary).intersects(
            shape(normalized.geojson)
        ):
            raise ValidationError(_("The space is outside the district."))
        return normalized.geojson


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return with comments"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self) -> dict[str, object]:
        super().clean()  # returns cleaned_data, but is typed optional (overrides may not)
        data = self.cleaned_data
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            raise ValidationError(_("Say what needs fixing when returning a survey."))
        return data


class AssignmentForm(forms.Form):
    surveyor = forms.ModelChoiceField(label=_("Surveyor"), queryset=User.objects.none())
    spaces = forms.ModelMultipleChoiceField(
        label=_("Spaces"), queryset=PublicSpace.objects.none(), widget=forms.SelectMultiple
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
        set_queryset(
            self,
            "surveyor",
            User.objects.filter(
                district=district, groups__name=Role.SURVEYOR, is_active=True
            ).order_by("email"),
        )
        set_queryset(self, "spaces", PublicSpace.objects.filter(district=district).order_by("name"))


class UncaredSpacesFilterForm(forms.Form):
    """Filter of the coordinator's list of spaces that no organization cares for."""

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
        # From the district's prefetched sectors: the filter costs no query of its own.
        form_field(self, "sector", forms.ChoiceField).choices = [("", _("All sectors"))] + [
            (sector.number, sector.name) for sector in district.sectors.all()
        ]
