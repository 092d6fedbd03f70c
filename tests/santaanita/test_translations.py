"""Spanish first: every interface string has a Spanish translation, none left fuzzy."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["es", "en"])
def test_catalogue_exists_and_parses(language):
    assert polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")) is not None


def test_every_string_is_translated_to_spanish():
    catalogue = polib.pofile(str(LOCALE / "es" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_each_message_is_defined_once_and_has_every_spanish_plural_form():
    # Spanish (Peru) in Django has three plural forms (one, millions, other); a message with
    # two shows English from two items on ("5 invitations updated."). A message defined twice
    # gets whichever translation the compiler meets last.
    catalogue = polib.pofile(str(LOCALE / "es" / "LC_MESSAGES" / "django.po"))
    keys = [(e.msgctxt, e.msgid) for e in catalogue if not e.obsolete]
    assert len(keys) == len(set(keys))
    short = [e.msgid for e in catalogue if e.msgid_plural and len(e.msgstr_plural) < 3]
    assert short == []


def test_a_count_reads_in_spanish_whatever_the_number():
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("es-pe"):
        for count, text in ((1, "1 invitación actualizada."), (5, "5 invitaciones actualizadas.")):
            message = ngettext(
                "%(count)d invitation updated.", "%(count)d invitations updated.", count
            )
            assert message % {"count": count} == text
