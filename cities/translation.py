"""The words a programme writes itself, per language (django-modeltranslation).

The library makes one column per language (``baseline_label_en``, ``_it``, ``_sv``…)
and the admin's fields for them. No fallback to another language: a word left empty
in Italian reads as the portal's own Italian word (:mod:`cities.words`), never as the
programme's English one.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Programme
from .words import WORD_FIELDS


@register(Programme)
class ProgrammeWords(TranslationOptions):
    fields = WORD_FIELDS
    fallback_languages = {"default": ()}
