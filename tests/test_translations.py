"""The Italian and Swedish catalogues are complete, and the overview reads in the user's language.

Coordinators in Ravenna and Cervia work in Italian, those in Trollhättan and Vänersborg in
Swedish. An empty msgstr falls back to English (or, worse, to Django's own wording: an empty
"Log out" once read "Annulla l'accesso"), and a fuzzy one is ignored by gettext, so both
fail here with the entries named.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["it", "sv"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")
TAG = re.compile(r"</?[a-zA-Z]+")


def catalogue(language: str) -> polib.POFile:
    path = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
    return polib.pofile(str(path))


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = [entry for entry in catalogue(language) if not entry.obsolete]
    assert len(entries) > 500  # the file really was read

    empty = [describe(e) for e in entries if not all(text.strip() for text in translations(e))]
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]

    assert not empty, f"{len(empty)} empty msgstr in {language}:\n" + "\n".join(empty)
    assert not fuzzy, f"{len(fuzzy)} fuzzy msgstr in {language}:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_tags(language):
    """msgfmt --check compares python-format placeholders; this also covers HTML tags."""
    wrong = []
    for entry in catalogue(language):
        if entry.obsolete:
            continue
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        wanted_placeholders = {p for source in sources for p in PLACEHOLDER.findall(source)}
        wanted_tags = sorted(TAG.findall(entry.msgid))
        for text in filter(None, translations(entry)):  # empty ones fail the test above
            placeholders = set(PLACEHOLDER.findall(text))
            # A singular form may leave out the count ("%(counter)s città" keeps it anyway).
            if not placeholders <= wanted_placeholders or (
                not entry.msgid_plural and placeholders != wanted_placeholders
            ):
                wrong.append(f"{describe(entry)}: placeholders {sorted(placeholders)}")
            if sorted(TAG.findall(text)) != wanted_tags:
                wrong.append(f"{describe(entry)}: tags {sorted(TAG.findall(text))}")
    assert not wrong, "\n".join(wrong)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


ENGLISH_UI_WORDS = ["Achieved", "Behind", "No data", "Overview", "Show"]
EXPECTED = {
    "it": ["Panoramica", "Raggiunto", "Nessun dato", "Mostra", "Tabella di marcia"],
    "sv": ["Översikt", "Uppnått", "Inga data", "Visa", "Färdplan"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_overview_speaks_the_coordinators_language(client, sern, language):
    # override() restores the active language afterwards, whatever the middleware set.
    with translation.override("en"):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = visible_text(response.content.decode())

    left_in_english = [w for w in ENGLISH_UI_WORDS if re.search(rf"\b{w}\b", text)]
    assert not left_in_english, f"English on the {language} overview: {left_in_english}"
    missing = [word for word in EXPECTED[language] if word not in text]
    assert not missing, f"not on the {language} overview: {missing}"
