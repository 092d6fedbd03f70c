"""Forms of the festival. They only parse and validate input; services do the writes."""

from __future__ import annotations

from typing import Unpack

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from festival.models import Edition, Stage, Team, WorkshopSession
from mapping.models import PublicSpace
from platform_app.models import Organization, Sector
from santaanita.forms import FormData, FormFiles, FormOptions, set_queryset


class SpaceSelect(forms.Select):
    """Each option carries its sector and centroid, so registration.js can offer only the
    team's sector and put the same choices on a map; the select stays the one input."""

    def create_option(
        self,
        name: str,
        value: object,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, object] | None = None,
    ) -> dict[str, object]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None:
            if instance.sector_id:
                option["attrs"]["data-sector"] = str(instance.sector_id)
            option["attrs"]["data-lat"] = f"{instance.centroid_lat:.6f}"
            option["attrs"]["data-lng"] = f"{instance.centroid_lon:.6f}"
        return option


class SpaceChoiceField(forms.ModelChoiceField[PublicSpace]):
    """Public spaces grouped by sector, so a representative finds theirs quickly."""

    def label_from_instance(self, obj: PublicSpace) -> str:
        sector = obj.sector.name if obj.sector is not None else _("no sector")
        return f"{obj.name} — {sector}"


class TeamRegistrationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("From the registry of organizations."),
    )
    new_organization_name = forms.CharField(
        label=_("Or register a new organization"),
        max_length=200,
        required=False,
        help_text=_("It is sent to the registry's review."),
    )
    new_organization_typology = forms.ChoiceField(
        label=_("Typology of the new organization"),
        choices=Organization.Typology.choices,
        required=False,
    )
    sector = forms.ModelChoiceField(label=_("Sector of the team"), queryset=Sector.objects.none())
    name = forms.CharField(label=_("Team name"), max_length=200)
    dance_style = forms.ChoiceField(label=_("Dance style"), choices=Team.DanceStyle.choices)
    dancers_children = forms.IntegerField(label=_("Dancers aged 0–12"), min_value=0, initial=0)
    dancers_youth = forms.IntegerField(label=_("Dancers aged 13–29"), min_value=0, initial=0)
    dancers_adults = forms.IntegerField(label=_("Dancers aged 30–59"), min_value=0, initial=0)
    dancers_seniors = forms.IntegerField(
        label=_("Dancers aged 60 and over"), min_value=0, initial=0
    )
    staging_description = forms.CharField(
        label=_("Staging"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    music = forms.CharField(label=_("Music"), max_length=300, required=False)
    needs = forms.CharField(
        label=_("Needs (sound, space…)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    public_space = SpaceChoiceField(
        label=_("Public space of your neighbourhood to improve"),
        queryset=PublicSpace.objects.none(),
        widget=SpaceSelect,
        help_text=_("It must lie in the team's sector."),
    )
    what = forms.CharField(
        label=_("What do you propose?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    why = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 3}))
    who = forms.CharField(label=_("Who takes part?"), widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.CharField(
        label=_("Rough materials"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    sector_override_reason = forms.CharField(
        label=_("Coordinator: reason to accept a space outside the sector"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        edition: Edition,
        may_override: bool,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        district = edition.district
        set_queryset(
            self,
            "organization",
            Organization.objects.filter(district=district).exclude(
                status__in=[Organization.Status.REJECTED, Organization.Status.MERGED]
            ),
        )
        set_queryset(self, "sector", Sector.objects.filter(district=district))
        set_queryset(
            self,
            "public_space",
            PublicSpace.objects.filter(district=district)
            .select_related("sector")
            .order_by("sector__number", "name"),
        )
        if not may_override:
            del self.fields["sector_override_reason"]

    def clean(self) -> dict[str, object]:
        super().clean()  # returns cleaned_data, but is typed optional (overrides may not)
        data = self.cleaned_data
        if not data.get("organization") and not data.get("new_organization_name", "").strip():
            self.add_error("organization", _("Choose an organization or register a new one."))
        return data


class TeamConfirmForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    slot = forms.IntegerField(label=_("Slot"), min_value=1)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        edition: Edition,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "stage", edition.stages.select_related("sector"))


class JudgeAppointForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the judge"),
        help_text=_(
            "Someone without an account gets one, and the email lets them choose a password."
        ),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    is_chair = forms.BooleanField(label=_("Chair of the stage"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Affiliated organization"), queryset=Organization.objects.none(), required=False
    )
    company = forms.CharField(label=_("Or affiliated company"), max_length=200, required=False)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        edition: Edition,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "stage", edition.stages.select_related("sector"))
        set_queryset(
            self,
            "organization",
            Organization.objects.filter(
                district=edition.district, status=Organization.Status.VERIFIED
            ),
        )


class AttendanceForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=WorkshopSession.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        edition: Edition,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "session", edition.workshop_sessions.all())
        set_queryset(self, "team", edition.teams.public())


class WinnerForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Large-scale transformation"), queryset=Team.objects.none()
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        edition: Edition,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "team", edition.teams.outstanding())


class ConflictForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        teams: QuerySet[Team],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "team", teams)
