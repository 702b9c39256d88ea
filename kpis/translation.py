"""The words a consortium writes for its KPIs, per language (django-modeltranslation).

The library makes one column per language (``name_en``, ``name_it``, ``name_sv``…) and
the admin's fields for them; reading ``kpi.name`` (or ``.only("name")``,
``.values("name")`` on the KPI's own manager) gives the active language's words, and
English, the default language, where a language has none. Existing rows keep their
words in the English column (migration 0005).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import KPI

#: A KPI's own words: what is measured, in what, and the target as the charter words it.
KPI_WORD_FIELDS = ("name", "unit", "target_text")


@register(KPI)
class KPIWords(TranslationOptions):
    fields = KPI_WORD_FIELDS
