"""What a text typed by someone may contain, for every form and serializer of the platform.

Control characters (the C0 range except tab, line feed and carriage return, DEL and the C1
range), lone surrogates and Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …) mean
nothing in a name or a description, and each format we write refuses some of them: XLSX
(XML 1.0) forbids the C0 controls, iCalendar (RFC 5545) forbids every control but tab, and
a terminal or a spreadsheet may act on an escape sequence. So they are refused where text
comes in, with a field error, and the writers (``santaanita.writers``) drop them again
for anything stored before this rule.

Django's form ``CharField`` and DRF's ``CharField`` each add a validator refusing the NUL
character to every text field (email, URL, slug and JSON fields included).
``install_text_rules`` widens that one validator to the whole set, so every form and every
serializer of every app applies the rule without declaring it.
"""

from __future__ import annotations

import re

from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Tab, LF and CR stay: text areas send line breaks as CR LF.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\ud800-\udfff"
    "\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
    "\U0004fffe\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff"
    "\U0007fffe\U0007ffff\U0008fffe\U0008ffff\U0009fffe\U0009ffff"
    "\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff"
    "\U0010fffe\U0010ffff]"
)


def strip_forbidden(value: str) -> str:
    """``value`` without the characters no text of the platform may hold."""
    return FORBIDDEN.sub("", value)


class ControlCharactersValidator(django_validators.ProhibitNullCharactersValidator):
    """Refuses every forbidden character, NUL included (a subclass, so Django and DRF still
    recognise it as their NUL rule)."""

    message = _("Remove the control or invisible characters from this text.")
    code = "control_characters"

    def __call__(self, value: object) -> None:
        if FORBIDDEN.search(str(value)):
            raise ValidationError(self.message, code=self.code)


def install_text_rules() -> None:
    """Make the NUL rule of every form and serializer text field the wider rule above.

    Called once from ``PlatformAppConfig.ready``, before any form or serializer class is
    built (the URL configuration imports them after the apps are ready). Both libraries
    look the validator up by name each time a text field is created.
    """
    from rest_framework import fields as drf_fields

    django_validators.ProhibitNullCharactersValidator = ControlCharactersValidator  # type: ignore[misc]
    drf_fields.ProhibitNullCharactersValidator = ControlCharactersValidator  # type: ignore[attr-defined]
