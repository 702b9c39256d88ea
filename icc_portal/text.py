"""Free text read strictly: characters that make text read otherwise than it is stored.

Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) turn the text after
them around on screen (a note can show "fdp.exe" as "exe.pdf"), and zero-width characters
(U+200B–U+200D, U+2060, U+FEFF) hide inside words, so two notes that look alike differ.
Neither has a place in a figure's note, a comment or a title: text holding one is refused
with a message naming what was found, wherever it is written (forms, API, imports, the
admin and the data-file loader).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HIDDEN_CHARACTERS = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]")
CODE = "hidden_characters"


def hidden_characters(text: object) -> list[str]:
    """The hidden characters of ``text``, each once, as "U+202E RIGHT-TO-LEFT OVERRIDE"."""
    if not isinstance(text, str):
        return []
    found = dict.fromkeys(HIDDEN_CHARACTERS.findall(text))
    return [f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip() for char in found]


def hidden_characters_message(found: list[str]) -> str:
    return _(
        "This text holds invisible characters that change how it reads (%(characters)s): "
        "remove them, or type the text again rather than pasting it."
    ) % {"characters": ", ".join(found)}


def check_visible(text: object) -> None:
    """A validator: ``ValidationError`` (code ``hidden_characters``) for hidden characters."""
    found = hidden_characters(text)
    if found:
        raise ValidationError(hidden_characters_message(found), code=CODE)
