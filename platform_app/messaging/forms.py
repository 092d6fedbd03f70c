from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from platform_app.messaging.models import Channel, Purpose
from platform_app.messaging.services import TEXT_CHANNELS
from santaanita.phones import parse_mobile

# Messages about one's own registration and account cannot be refused here: they answer
# what the person asked for.
CHOOSABLE_PURPOSES = [(value, label) for value, label in Purpose.choices if value != "account"]


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(label=_("Write to me by"), choices=Channel.choices)
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        help_text=_("A Peruvian mobile number, for SMS or WhatsApp."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Messages I accept"),
        choices=CHOOSABLE_PURPOSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        phone = parse_mobile(raw)
        if not phone:
            raise forms.ValidationError(_("Write a mobile number, such as 987 654 321."))
        return phone

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("channel") in TEXT_CHANNELS and not cleaned.get("phone"):
            self.add_error("phone", _("SMS and WhatsApp need your mobile number."))
        return cleaned
