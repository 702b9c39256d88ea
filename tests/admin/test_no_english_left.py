"""No English left on the Italian and Swedish admin, whoever wrote the words.

Each admin page the demo has (the index, every list and add page it links to, a user
without a password, the load-file page and its preview of a framework with a typo's
refusal) is rendered in English and in Italian or Swedish. A piece of text the page shows
the same in both (a text node, or a title, a label read out by screen readers, a
placeholder) is English left over, unless every word of it is the consortium's own (what
the database and the uploaded file hold: names, codes, e-mail addresses) or a word the
three languages share. This catches a string no catalogue lists, where a list of known
English strings cannot.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
import pytest
import yaml
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"
LOCALE = DATA.parent / "locale"
LOAD = "/admin/cities/consortium/load-file/"
WORD = re.compile(r"[^\W\d_][\w'’-]*")
#: A code or a key of the file ("1.4a", "lead_cities", "consortium.members[0]").
IDENTIFIER = re.compile(r"\S*[\d_.\[\]]\S*")
#: Words the same in English, Italian and Swedish, or names of things (the portal, the
#: formats, the libraries' products), never words to translate.
SHARED = {
    "icc", "kpi", "kpis", "api", "id", "url", "yaml", "csv", "json", "e-mail", "email",
    "password", "token", "sern", "django", "online", "ok", "iso", "utc", "pdf", "docx",
    "open", "data", "link", "status", "start", "test", "ld", "json-ld", "mail",
    "citykeys", "u4ssc", "sdg", "tokens", "version",  # "tokens", "version": also Swedish
}  # fmt: skip
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The text a person (or a screen reader) meets: text nodes and the attributes read
    out, not scripts, styles or hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: set[str] = set()
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skipping += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.pieces.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skipping:
            self.pieces.add(text)


def visible_text(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.pieces


def own_texts(*documents: str) -> dict[str, list[str]]:
    """What the consortia wrote: every text the database holds, and every string of the
    YAML ``documents``, indexed by their first word (longest first)."""
    texts: set[str] = set()
    for model in apps.get_models():
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*columns) if columns else ():
            texts |= {" ".join(str(value).split()) for value in row if value}
    for document in documents:
        texts |= set(strings_of(yaml.safe_load(document)))
    index: dict[str, list[str]] = {}
    for text in sorted(texts, key=len, reverse=True):
        words = WORD.findall(text)
        if words:
            index.setdefault(words[0].lower(), []).append(text)
    return index


def strings_of(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_of(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_of(item)]
    return [" ".join(str(value).split())] if value is not None else []


def same_in_every_language(language: str) -> set[str]:
    """The words the translators kept as in English ("Region" in Swedish, a licence's
    name): in our catalogue and in Django's, where the translation is the English."""
    catalogues = [LOCALE / language / "LC_MESSAGES" / "django.mo"]
    catalogues += Path(django.__file__).parent.glob(f"contrib/*/locale/{language}/*/django.mo")
    return {
        entry.msgid.lower()
        for path in catalogues
        for entry in polib.mofile(str(path))
        if entry.msgstr == entry.msgid
    }


def english_left(english: set[str], translated: set[str], own: dict, kept: set[str]) -> list:
    """The pieces shown the same in English and in the translation that are neither the
    consortium's own words (once those are taken out, no word but a shared one or a
    key of the file, ``target_scope``) nor kept as in English by the translators."""
    left = []
    for piece in sorted(english & translated):
        if piece.rstrip(":").lower() in kept:
            continue
        words = {word.lower() for word in WORD.findall(piece)}
        candidates = sorted({text for word in words for text in own.get(word, ())}, key=len)
        shortened = piece.rstrip("…").rstrip()  # a long text cut short for a list
        if any(text.startswith(shortened) for text in candidates):
            continue
        rest = piece
        for text in reversed(candidates):  # the longest first
            rest = rest.replace(text, " ")
        rest = IDENTIFIER.sub(" ", rest)
        if {word.lower() for word in WORD.findall(rest)} - SHARED:
            left.append(piece)
    return left


@pytest.fixture
def officer(client):
    from tests.cities.factories import UserFactory

    for data_file in ("sern.yaml", "letsgov.yaml"):
        call_command("load_demo", "--no-accounts", str(DATA / data_file), verbosity=0)
    # No password: a file's or an invitation's user, whose page offers to enable one.
    officer = UserFactory(username="officer", password=None, is_staff=True, is_superuser=True)
    client.force_login(officer)
    return client


def pages(client) -> dict[str, str]:
    """Every page of the walk, rendered in the client's language: path (or step) → HTML."""
    from django.contrib.auth import get_user_model

    index = client.get("/admin/").content.decode()
    links = dict.fromkeys(re.findall(r'href="(/admin/[^"?#]*)"', index))
    user = get_user_model().objects.get(username="officer")
    paths = ["/admin/", *links, f"/admin/auth/user/{user.pk}/change/"]
    rendered = {path: client.get(path).content.decode() for path in paths}
    framework = (DATA / "letsgov-framework.yaml").read_bytes()
    upload = SimpleUploadedFile("letsgov-framework.yaml", framework)
    rendered["preview"] = client.post(LOAD, {"file": upload}).content.decode()
    typo = framework.replace(b"target_scope:", b"target_scop:", 1)
    upload = SimpleUploadedFile("typo.yaml", typo)
    rendered["refusal"] = client.post(LOAD, {"file": upload}).content.decode()
    return rendered


@pytest.mark.parametrize("language", ["it", "sv"])
def test_no_english_is_left_on_the_admin(officer, language):
    officer.cookies["django_language"] = "en"
    english = pages(officer)
    officer.cookies["django_language"] = language
    translated = pages(officer)
    own = own_texts((DATA / "letsgov-framework.yaml").read_text(encoding="utf-8"))
    kept = same_in_every_language(language)

    assert english.keys() == translated.keys()
    assert "Load a data file" in visible_text(english["/admin/"])
    assert "target_scop" in english["refusal"]
    left = {
        page: english_left(visible_text(html), visible_text(translated[page]), own, kept)
        for page, html in english.items()
    }
    assert {page: pieces for page, pieces in left.items() if pieces} == {}
