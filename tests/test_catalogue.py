"""The Italian catalogue is complete and its compiled form is the one in use."""

import gettext
from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"


def _entries():
    return [entry for entry in polib.pofile(str(CATALOGUE / "django.po")) if not entry.obsolete]


def test_every_message_has_an_italian_translation():
    missing = [entry.msgid for entry in _entries() if not entry.translated() or "fuzzy" in entry.flags]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        entry.msgid
        for entry in _entries()
        if not entry.msgid_plural and entry.msgctxt is None and compiled.gettext(entry.msgid) != entry.msgstr
    ]
    assert stale == []
