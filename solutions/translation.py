"""A solution's and an activity's titles, per language (django-modeltranslation).

As :mod:`kpis.translation`: one column per language (``title_en``, ``title_it``,
``title_sv``), the active language's title read as ``title``, English where a language
has none. Existing rows keep their titles in the English column (migration 0003).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Activity, Solution


@register(Solution)
class SolutionWords(TranslationOptions):
    fields = ("title",)


@register(Activity)
class ActivityWords(TranslationOptions):
    fields = ("title",)
