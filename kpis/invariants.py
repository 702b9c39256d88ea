"""What makes a KPI definition and a figure's place sensible: the rules behind ``clean()``.

The admin, the YAML loader and any later import validate through the models'
``clean()``, which asks these functions, so all of them refuse the same things in the
same words. Each returns field → errors (:data:`icc_portal.validation.FieldErrors`);
the database constraints on the models stay as the last line.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from icc_portal.numbers import plain
from icc_portal.validation import FieldErrors, add_error

from .progress import NUMERIC_TYPES

#: The roll-up rules that make sense for each value type.
ROLLUPS_BY_VALUE_TYPE = {
    "count": ("sum", "mean", "count_met", "none"),
    "number": ("sum", "mean", "count_met", "none"),
    "percent": ("sum", "mean", "count_met", "none"),
    "boolean": ("all", "any", "none"),
    "text": ("none",),
}


def kpi_errors(kpi) -> FieldErrors:
    """A KPI's value type, target, scope, reporting level, roll-up and composite fit together."""
    errors: FieldErrors = {}
    _target_errors(kpi, errors)
    _rollup_errors(kpi, errors)
    _part_errors(kpi, errors)
    return errors


def _choice_label(kpi, field: str) -> str:
    return str(dict(kpi._meta.get_field(field).flatchoices).get(getattr(kpi, field), ""))


def _target_errors(kpi, errors: FieldErrors) -> None:
    target = kpi.target_value
    change = getattr(kpi, "target_basis", "absolute") == "change"
    if change and kpi.value_type not in NUMERIC_TYPES:
        add_error(
            errors,
            "target_basis",
            _(
                "A %(value_type)s KPI cannot have a target relative to the baseline: only "
                "a count, number or percentage changes by a percentage. Choose “A figure "
                "to reach”."
            ),
            "change_only_for_numbers",
            value_type=_choice_label(kpi, "value_type").lower(),
        )
    if target is not None and kpi.value_type not in NUMERIC_TYPES:
        add_error(
            errors,
            "target_value",
            _(
                "A %(value_type)s KPI has no target value: leave it empty. For a yes/no KPI "
                "the direction says which answer is the goal."
            ),
            "target_only_for_numbers",
            value_type=_choice_label(kpi, "value_type").lower(),
        )
    elif change:
        if target is not None and target < -100:
            add_error(
                errors,
                "target_value",
                _(
                    "A change from the baseline is at least −100 %% (down to nothing); "
                    "%(value)s would make the target negative."
                ),
                "change_below_minus_100",
                value=plain(target),
            )
    elif target is not None and target < 0:
        add_error(errors, "target_value", _("A target cannot be negative."), "negative_target")
    elif target is not None and kpi.value_type == "percent" and target > 100:
        add_error(
            errors,
            "target_value",
            _("A percentage target is at most 100."),
            "percent_over_100",
        )
    if kpi.reporting_level == "consortium" and kpi.target_scope != "consortium":
        add_error(
            errors,
            "target_scope",
            _(
                "The consortium reports this KPI once, so its target is for the whole "
                "consortium: choose “Consortium-wide”, or let each city report."
            ),
            "consortium_reporting_needs_consortium_target",
        )


def _rollup_errors(kpi, errors: FieldErrors) -> None:
    allowed = ROLLUPS_BY_VALUE_TYPE.get(kpi.value_type)
    if allowed is None or kpi.rollup not in dict(kpi._meta.get_field("rollup").flatchoices):
        return  # the field's own choices already refuse an unknown value
    if kpi.rollup not in allowed:
        choices = dict(kpi._meta.get_field("rollup").flatchoices)
        add_error(
            errors,
            "rollup",
            _(
                "“%(rollup)s” does not fit a %(value_type)s KPI: choose %(allowed)s. "
                "Otherwise the country and consortium cells stay empty."
            ),
            "rollup_does_not_fit",
            rollup=choices[kpi.rollup],
            value_type=_choice_label(kpi, "value_type").lower(),
            allowed=", ".join(_("“%(choice)s”") % {"choice": choices[v]} for v in allowed),
        )
    elif kpi.rollup == "count_met" and kpi.value_type in NUMERIC_TYPES:
        if kpi.target_value is None or kpi.target_scope != "city":
            add_error(
                errors,
                "rollup",
                _(
                    "Counting the cities that met their target needs a target value for "
                    "each city: set the target value and choose “Each city” as its scope."
                ),
                "count_met_needs_city_target",
            )


def _part_errors(kpi, errors: FieldErrors) -> None:
    parent = kpi.parent if kpi.parent_id or _has_unsaved_parent(kpi) else None
    if parent is None:
        return
    if kpi.pk and parent.pk == kpi.pk:
        add_error(errors, "parent", _("A KPI cannot be a part of itself."), "own_part")
    elif parent.parent_id:
        add_error(
            errors,
            "parent",
            _("A part cannot itself be part of another part: choose a KPI that is not a part."),
            "nested_part",
        )
    elif parent.solution_id and kpi.solution_id and parent.solution_id != kpi.solution_id:
        add_error(
            errors,
            "parent",
            _("A part belongs to the same solution as its composite KPI."),
            "part_other_solution",
        )
    elif kpi.pk and kpi.parts.exists():
        add_error(
            errors,
            "parent",
            _("This KPI has parts of its own, so it cannot be a part of another KPI."),
            "composite_as_part",
        )
    elif parent.code and kpi.code and not _is_part_code(kpi.code, parent.code):
        add_error(
            errors,
            "code",
            _(
                "A part's code is its composite's code and one letter: “%(first)s”, "
                "“%(second)s”… under %(parent)s."
            ),
            "part_code",
            first=f"{parent.code}a",
            second=f"{parent.code}b",
            parent=parent.code,
        )


#: What a part's code adds to its composite's: one letter ("1.5" → "1.5a").
_PART_CODE = re.compile(r"[a-z]")


def _is_part_code(code: str, composite_code: str) -> bool:
    suffix = code[len(composite_code) :]
    return code.startswith(composite_code) and bool(_PART_CODE.fullmatch(suffix))


def _has_unsaved_parent(kpi) -> bool:
    """A part being added together with its composite (the composite has no id yet)."""
    return kpi._state.fields_cache.get("parent") is not None


_NUMBER = re.compile(r"[-−–+]?\s?\d+(?:[.,]\d+)?")
_SCOPE_WORDS = {
    "city": re.compile(r"each city|every city|per city|ogni città|per città|varje stad|per stad"),
    "country": re.compile(
        r"per country|each country|every country|per paese|ogni paese|per land|varje land"
    ),
    "consortium": re.compile(r"consorti|konsorti"),
}


def _numbers(text: str) -> list[Decimal]:
    found = []
    for match in _NUMBER.findall(text):
        cleaned = re.sub(r"\s", "", match).replace("−", "-").replace("–", "-").replace(",", ".")
        try:
            found.append(Decimal(cleaned))
        except InvalidOperation:
            continue
    return found


def target_text_warning(kpi) -> str | None:
    """A "target as worded" that says something else than the target value and scope.

    Not an error: the charter's words may add context ("2 per country, one per city").
    But the entry grid shows the words as the target while the dashboards judge against
    the value, so a different number ("-20% in each city" for 20) or another scope is
    worth a warning.
    """
    text = (kpi.target_text or "").strip()
    if not text or kpi.value_type not in NUMERIC_TYPES:
        return None
    numbers = _numbers(text)
    value = kpi.target_value
    if value is None and numbers:
        return str(
            _(
                "“Target as worded” says “%(text)s” but the KPI has no target value, so "
                "the dashboards judge nothing against it. Set the target value."
            )
            % {"text": text}
        )
    if value is not None and value not in numbers:
        return str(
            _(
                "“Target as worded” says “%(text)s” but the target value is %(value)s: the "
                "entry grid shows the words, the dashboards judge against the value. Make "
                "them agree, or leave the words empty to have them said from the value."
            )
            % {"text": text, "value": plain(value)}
        )
    lowered = text.lower()
    said = [scope for scope, words in _SCOPE_WORDS.items() if words.search(lowered)]
    if said and kpi.target_scope not in said:
        return str(
            _(
                "“Target as worded” says “%(text)s” but the target scope is “%(scope)s”: "
                "make them agree, or leave the words empty."
            )
            % {"text": text, "scope": _choice_label(kpi, "target_scope")}
        )
    return None


def measurement_place_errors(measurement) -> FieldErrors:
    """A figure sits where its KPI is reported: the right unit, a city that implements it.

    Reads the KPI's parts and its solution's implementing cities whole, so a caller
    checking many figures prefetches them once (``datafiles.loader``)."""
    errors: FieldErrors = {}
    if not measurement.kpi_id:
        return errors
    kpi = measurement.kpi
    if kpi.parts.exists():
        add_error(
            errors,
            "kpi",
            _("KPI %(code)s is composite: enter the figures of its parts instead."),
            "composite",
            code=kpi.code,
        )
    elif kpi.reporting_level == "consortium" and measurement.city_id:
        add_error(
            errors,
            "city",
            _("The consortium reports KPI %(code)s once: leave the city empty."),
            "consortium_level",
            code=kpi.code,
        )
    elif kpi.reporting_level == "city" and not measurement.city_id:
        add_error(
            errors,
            "city",
            _("Each city reports KPI %(code)s: choose the city."),
            "city_level",
            code=kpi.code,
        )
    elif measurement.city_id and measurement.city_id not in {
        city.pk for city in kpi.solution.implementing_cities.all()
    }:
        add_error(
            errors,
            "city",
            _(
                "%(city)s does not implement solution %(number)s, so it reports none of "
                "its KPIs. Tick it among the solution's implementing cities first."
            ),
            "not_implementing",
            city=measurement.city,
            number=kpi.solution.number,
        )
    return errors
