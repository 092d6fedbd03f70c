"""Forms of the perception survey: one answer form for every channel, and the
coordinators' forms (questionnaire, wave, sector population, baseline figures)."""

from __future__ import annotations

import uuid
from typing import Unpack

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from interventions.models import (
    Dimension,
    ImpactPlan,
    PerceptionResponse,
    QuestionnaireVersion,
    ReferenceValue,
    Scale,
    Wave,
)
from mapping.models import PublicSpace
from platform_app.models import Sector
from santaanita.forms import FormData, FormFiles, FormOptions

LIKERT = [(str(v), str(v)) for v in range(1, 6)]


class AnswerForm(forms.Form):
    """The questions of one questionnaire version, then the optional profile.

    Nothing here asks for a name, phone or email: the answers are anonymous.
    """

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    sector: forms.ModelChoiceField[Sector] = forms.ModelChoiceField(
        label=_("Sector where you live (optional)"), queryset=None, required=False
    )
    public_space: forms.ModelChoiceField[PublicSpace] = forms.ModelChoiceField(
        label=_("The public space nearest to your home (optional)"), queryset=None, required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age (optional)"),
        choices=[("", _("Prefer not to say")), *PerceptionResponse.AgeBand.choices],
        required=False,
    )
    sex = forms.ChoiceField(
        label=_("Sex (optional)"),
        choices=[("", _("Prefer not to say")), *PerceptionResponse.Sex.choices],
        required=False,
    )
    consent = forms.BooleanField(label=_("I have read the consent text and agree to answer"))

    def __init__(
        self,
        data: FormData = None,
        files: FormFiles = None,
        *,
        version: QuestionnaireVersion,
        spaces: QuerySet[PublicSpace],
        sectors: QuerySet[Sector],
        **kwargs: Unpack[FormOptions],
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        if initial is None:
            initial = kwargs["initial"] = {}
        initial.setdefault("client_uuid", uuid.uuid4())
        initial.setdefault("version", version.number)
        super().__init__(data, files, **kwargs)
        self.questionnaire = version
        self.questions = list(version.questions.all())
        for question in self.questions:
            self.fields[f"q_{question.code}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(str(v), label) for v, label in enumerate(question.labels, start=1)],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
        self.fields["sector"].queryset = sectors  # type: ignore[attr-defined]
        self.fields["public_space"].queryset = spaces  # type: ignore[attr-defined]
        order = [f"q_{q.code}" for q in self.questions]
        self.order_fields(["client_uuid", "version", "consent", *order])

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.code}"] for q in self.questions]

    @property
    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("sector", "public_space", "age_band", "sex")]

    def answers(self) -> dict[str, int]:
        return {
            q.code: self.cleaned_data[f"q_{q.code}"]
            for q in self.questions
            if self.cleaned_data.get(f"q_{q.code}") not in (None, "")
        }


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    consent_text = forms.CharField(
        label=_("Consent text"), widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class QuestionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    text = forms.CharField(label=_("Question"), max_length=300)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices)
    in_index = forms.BooleanField(label=_("In the index"), required=False)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, can_delete=True)


class WaveForm(forms.ModelForm[Wave]):
    class Meta:
        model = Wave
        fields = ("name", "kind", "starts_on", "ends_on", "margin_of_error", "confidence")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


class PopulationForm(forms.Form):
    population = forms.IntegerField(label=_("Residents aged 18 or more"), min_value=1)
    source = forms.CharField(label=_("Source"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)


class ImpactPlanForm(forms.ModelForm[ImpactPlan]):
    class Meta:
        model = ImpactPlan
        fields = ("first_year", "results_year")


class ReferenceValueForm(forms.ModelForm[ReferenceValue]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReferenceValue
        fields = ("value", "unit", "observed_on", "period", "source")
        widgets = {"observed_on": forms.DateInput(attrs={"type": "date"})}
