"""Forms of the collaborative platform: invitations, meetings, minutes, agreements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Unpack

from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from platform_app.models import (
    Activity,
    Agreement,
    Axis,
    District,
    Meeting,
    MeetingFile,
    Member,
    Organization,
    Sector,
    StakeholderSector,
)
from platform_app.places import Place
from santaanita.files import DOCUMENTS, UploadField
from santaanita.forms import FormData, FormFiles, FormOptions, form_field, set_queryset

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _datetime_field(label: StrOrPromise) -> forms.DateTimeField:
    # Every date field keeps to the platform's calendar (santaanita.dates): a year such as
    # 9999 is refused here, with a message, before a Lima time overflows on its way to UTC.
    return forms.DateTimeField(
        label=label, widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )


def _agenda_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    sector = forms.ChoiceField(label=_("Stakeholder sector"), choices=StakeholderSector.choices)
    age_group = forms.ChoiceField(label=_("Age group"), choices=Member.AgeGroup.choices)
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), required=False
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
            self, "organization", Organization.objects.filter(district=district).order_by("name")
        )


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language for emails"), choices=(("es-pe", "Español"), ("en", "English"))
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords do not match."))
        if data.get("password1"):
            password_validation.validate_password(data["password1"])
        return data


class PreferencesForm(forms.ModelForm[Member]):
    class Meta:
        model = Member
        fields = ("remind_meetings", "remind_agreements", "receive_digest")


class _MeetingPlaceForm(forms.Form):
    """Where a face-to-face meeting is held: one of the district's public spaces (see
    platform_app.places), which gives the coordinates and a link to its page, or a place
    written by hand. A written place wins over the space's name ("the sports slab of ...")."""

    public_place = forms.ChoiceField(
        label=_("Public space"),
        required=False,
        help_text=_("One of the district's public spaces, or write the place below."),
    )
    place = forms.CharField(label=_("Meeting place"), max_length=255, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        places: list[Place],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.places = {place.key: place for place in places}
        form_field(self, "public_place", forms.ChoiceField).choices = [("", _("Another place"))] + [
            (place.key, place.name) for place in places
        ]
        url = self.initial.get("place_url")
        self.initial.setdefault(
            "public_place", next((p.key for p in places if url and p.url == url), "")
        )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        place = self.places.get(data.pop("public_place", "") or "")
        data["place_url"] = place.url if place else ""
        if place:
            data["place"] = data.get("place") or place.name
            data["latitude"], data["longitude"] = place.latitude, place.longitude
        return data


class MeetingForm(_MeetingPlaceForm):
    field_order = (
        "kind", "title", "starts_at", "ends_at", "public_place", "place", "latitude",
        "longitude", "video_url", "agenda",
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    video_url = forms.URLField(label=_("Video call link"), required=False, assume_scheme="https")
    agenda = forms.CharField(
        label=_("Agenda (one item per line)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    def cleaned_agenda(self) -> list[str]:
        return _agenda_lines(self.cleaned_data.get("agenda", ""))


class MeetingSeriesForm(_MeetingPlaceForm):
    field_order = (
        "title", "first_starts_at", "duration_minutes", "count", "public_place", "place",
        "latitude", "longitude", "agenda",
    )  # fmt: skip
    title = forms.CharField(
        label=_("Title"), max_length=200, initial=_("Ordinary meeting of the platform")
    )
    first_starts_at = _datetime_field(_("First meeting starts at"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120
    )
    count = forms.IntegerField(
        label=_("Number of monthly meetings"), min_value=1, max_value=24, initial=6
    )
    agenda = forms.CharField(
        label=_("Standing agenda (one item per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if not data.get("place"):
            self.add_error("place", _("Choose a public space or write where the meetings are."))
        return data

    def cleaned_agenda(self) -> list[str]:
        return _agenda_lines(self.cleaned_data.get("agenda", ""))

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["duration_minutes"])


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("New agenda item"), max_length=255)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class MembersBySectorIterator(ModelChoiceIterator[Member]):
    """Members under their stakeholder sector (the widget's option groups), by name within
    it: a coordinator looks for "the person from the university", not through a flat list
    of twenty names."""

    # Django's choice iterators may yield option groups (a label and its options); the
    # stubs only know flat options.
    def __iter__(  # type: ignore[override]
        self,
    ) -> Iterator[tuple[StrOrPromise, list[tuple[ModelChoiceIteratorValue, str]]]]:
        by_sector: dict[str, list[tuple[ModelChoiceIteratorValue, str]]] = {}
        members = sorted(self.queryset, key=lambda m: str(m).casefold())
        for member in members:
            by_sector.setdefault(member.sector, []).append(self.choice(member))
        for sector, label in StakeholderSector.choices:
            if sector in by_sector:
                yield (label, by_sector[sector])


class MembersBySectorField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    iterator = MembersBySectorIterator


class AgreementForm(forms.Form):
    description = forms.CharField(label=_("Agreement"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = MembersBySectorField(
        label=_("Responsible members"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    axis = forms.ChoiceField(label=_("Axis"), choices=Axis.choices)

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
            "responsible",
            Member.objects.active().filter(district=district).select_related("user"),
        )


class ObjectiveForm(forms.Form):
    axis = forms.ChoiceField(label=_("Axis"), choices=Axis.choices)
    title = forms.CharField(label=_("Objective"), max_length=255)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=255)
    responsible = forms.ModelMultipleChoiceField(
        label=_("Responsible members"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("How much this activity counts in its objective."),
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
            "responsible",
            Member.objects.active().filter(district=district).select_related("user"),
        )


class ObjectiveEditForm(ObjectiveForm):
    # The version the form was read at; a save from an older copy is refused as stale.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ActivityEditForm(ActivityForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        activity: Activity,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        district = activity.objective.district
        super().__init__(data, files, district=district, **kwargs)
        # Members already responsible stay offered even if they have since left, so saving
        # a change of dates does not drop them without the coordinator unticking them.
        set_queryset(
            self,
            "responsible",
            Member.objects.filter(district=district)
            .filter(
                Q(pk__in=Member.objects.active().values("pk"))
                | Q(pk__in=activity.responsible.values("pk"))
            )
            .select_related("user"),
        )


class ActivityReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    new_status = forms.ChoiceField(label=_("Status"), choices=Agreement.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence_file = UploadField(label=_("Evidence file"), accept=DOCUMENTS, required=False)
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("comment") or data.get("evidence_file") or data.get("evidence_url")):
            raise forms.ValidationError(_("Write a comment or add evidence."))
        return data


class MeetingFileForm(forms.ModelForm[MeetingFile]):
    class Meta:
        model = MeetingFile
        fields = ("title", "file")


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *list(Agreement.Status.choices)], required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=Member.objects.none(), required=False
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting"), queryset=Meeting.objects.none(), required=False
    )
    axis = forms.ChoiceField(
        label=_("Axis"), choices=[("", _("All")), *list(Axis.choices)], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        members: QuerySet[Member],
        meetings: QuerySet[Meeting],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "responsible", members)
        set_queryset(self, "meeting", meetings)


class RoleGuideIntroForm(forms.Form):
    introduction = forms.CharField(
        label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    change_summary = forms.CharField(
        label=_("What changes and why"), widget=forms.Textarea(attrs={"rows": 3})
    )


class GuideRoleForm(forms.Form):
    name = forms.CharField(label=_("Role"), max_length=120)
    functions = forms.CharField(label=_("Functions"), widget=forms.Textarea(attrs={"rows": 3}))
    responsibilities = forms.CharField(
        label=_("Responsibilities"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


GuideRoleFormSet = forms.formset_factory(GuideRoleForm, extra=1)


class OrganizationInviteForm(forms.Form):
    """Which organizations of the registry to invite: a typology, a sector, or both."""

    typology = forms.ChoiceField(
        label=_("Typology"),
        required=False,
        choices=[("", _("All typologies")), *Organization.Typology.choices],
    )
    sector: forms.ModelChoiceField[Sector] = forms.ModelChoiceField(
        label=_("Sector"), required=False, queryset=None, empty_label=_("All sectors")
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
        set_queryset(self, "sector", district.sectors.order_by("number"))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("typology") and not data.get("sector"):
            raise forms.ValidationError(_("Choose a typology, a sector or both."))
        return data
