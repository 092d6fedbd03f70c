"""Forms of votes and polls; each view hands the cleaned data to one service."""

from __future__ import annotations

from typing import Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from platform_app.decisions.models import Poll, PollOption, Vote, VoteOption
from platform_app.decisions.services import PollOptionData
from platform_app.models import District, Sector
from platform_app.places import Place
from santaanita.forms import FormData, FormFiles, FormOptions, form_field, set_queryset


class SectorChoiceField(forms.ModelChoiceField[Sector]):
    """A sector of the district by its own name: the district is the poll's already."""

    def label_from_instance(self, obj: Sector) -> str:
        return obj.name


class VoteOpenForm(forms.Form):
    question = forms.CharField(label=_("Question put to the vote"), max_length=255)
    kind = forms.ChoiceField(
        label=_("Answers"),
        choices=Vote.Kind.choices,
        initial=Vote.Kind.YES_NO,
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label=_("Options (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Only for a vote between options."),
    )

    def cleaned_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines()]


class BallotForm(forms.Form):
    option = forms.ModelChoiceField(
        label=_("Your vote"),
        queryset=VoteOption.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        vote: Vote,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "option", vote.options.all())


class PollForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Question"), max_length=255)
    decision = forms.CharField(
        label=_("Decision it informs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the platform will decide with the answers."),
    )


class PollOptionForm(forms.Form):
    label = forms.CharField(label=_("Option"), max_length=200, required=False)
    sector = SectorChoiceField(
        label=_("Sector of the option"),
        queryset=Sector.objects.none(),
        required=False,
        empty_label=_("Whole district"),
    )
    place = forms.ChoiceField(label=_("Public space"), required=False)

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        district: District,
        places: list[Place],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.places = {place.key: place for place in places}
        set_queryset(self, "sector", Sector.objects.filter(district=district))
        form_field(self, "place", forms.ChoiceField).choices = [
            ("", _("None")),
            *[(place.key, place.name) for place in places],
        ]

    def option(self) -> PollOptionData | None:
        """The option typed in this row, or None for a row left empty."""
        data = self.cleaned_data
        place = self.places.get(data.get("place") or "")
        label = (data.get("label") or "").strip() or (place.name if place else "")
        if not label:
            return None
        return PollOptionData(
            label=label, sector=data.get("sector"), place_url=place.url if place else ""
        )


PollOptionFormSet = forms.formset_factory(PollOptionForm, extra=6, max_num=20)


class PollAnswerForm(forms.Form):
    option = forms.ModelChoiceField(
        label=_("Your answer"),
        queryset=PollOption.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    sector = SectorChoiceField(
        label=_("The sector where you live"),
        queryset=Sector.objects.none(),
        required=False,
        empty_label=_("I prefer not to say"),
        help_text=_("Only counted in the results by sector; nobody sees who answered what."),
    )

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        poll: Poll,
        **kwargs: Unpack[FormOptions],
    ) -> None:
        super().__init__(data, files, **kwargs)
        set_queryset(self, "option", poll.options.all())
        set_queryset(self, "sector", Sector.objects.filter(district_id=poll.district_id))
