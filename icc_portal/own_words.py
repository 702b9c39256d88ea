"""Words consortia write themselves, per language (django-modeltranslation).

A KPI's name, unit and target wording and a solution's and an activity's title have one
column per language (``name_en``, ``name_it``, ``name_sv``; :mod:`kpis.translation`,
:mod:`solutions.translation`). Reading ``name`` gives the active language's words with
English as the fallback; *writing* ``name`` writes only the active language's column.
Code that copies or loads such words therefore names every language's column, so the
words land in the languages they were written in, whatever the reader's language is.
"""

from __future__ import annotations

from django.conf import settings
from modeltranslation.translator import NotRegistered, translator

#: The languages words may be given in, the default (English) first.
WORD_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def words_per_language(model) -> dict[str, tuple[str, ...]]:
    """The fields of ``model`` given per language, each with its columns (English first)."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    return {
        field: tuple(f"{field}_{language}" for language in WORD_LANGUAGES)
        for field in options.all_fields
    }


def with_every_language(model, names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` and, after each field given per language, its columns: copying them in
    this order copies the words in every language, not only the active one's."""
    columns = words_per_language(model)
    return tuple(column for name in names for column in (name, *columns.get(name, ())))
