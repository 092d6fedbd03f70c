from __future__ import annotations

from typing import Unpack

from django import forms
from django.utils.translation import gettext_lazy as _

from platform_app.models import District, Organization, Sector
from platform_app.outreach.models import Announcement
from platform_app.permissions import Role
from santaanita.forms import FormData, FormFiles, FormOptions, form_field


class AnnouncementForm(forms.ModelForm[Announcement]):
    publish = forms.BooleanField(
        label=_("Publish now on the home page and the district's pages"),
        required=False,
        initial=True,
    )

    class Meta:
        model = Announcement
        fields = ("title", "text", "image", "event_date")
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class AnnouncementSendForm(forms.Form):
    """The segment: a sector and/or a typology of organizations, or a role; nothing is
    everyone who consented."""

    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.none(), required=False
    )
    typology = forms.ChoiceField(
        label=_("Organization typology"),
        choices=[("", _("Any typology")), *Organization.Typology.choices],
        required=False,
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Any role")), *Role.choices], required=False
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
        form_field(self, "sector", forms.ModelChoiceField).queryset = district.sectors.order_by(
            "number"
        )
