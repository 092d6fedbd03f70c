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
