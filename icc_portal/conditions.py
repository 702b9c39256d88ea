"""A check constraint's condition judged in Python, as the database would judge it.

Django validates each check constraint of a row with a query of its own
(``CheckConstraint.validate``): a data file of a few hundred rows spent a third of its
queries there. :func:`holds` reads the same ``Q`` over the row's values with SQL's
three-valued logic — a comparison with NULL is unknown, and a condition that is not
false holds, as ``COALESCE(condition, true)`` — and answers ``None`` for anything it
does not know for certain (another lookup, an expression, a value of an unexpected
type), so the caller asks the database then.
"""

from __future__ import annotations

import datetime
import operator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

#: SQL's unknown.
UNKNOWN = None
_ORDERED = (int, float, Decimal, datetime.date, datetime.datetime, datetime.time)
_COMPARISONS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class _Undecided(Exception):
    """The condition holds something :func:`holds` does not judge."""


def holds(
    constraint: models.CheckConstraint, instance: models.Model, exclude=(), meta=None
) -> bool | None:
    """Whether ``instance`` satisfies ``constraint`` (True, False), or None when only
    the database can say. A condition reading a field in ``exclude`` holds, as Django
    skips it; ``meta`` is the options of the model declaring the constraint."""
    values = {}
    for field in (meta or instance._meta).local_concrete_fields:
        if field.name in exclude:
            continue
        if field.generated:
            return None
        value = getattr(instance, field.attname)
        if hasattr(value, "resolve_expression"):
            return None
        try:
            values[field.name] = field.get_prep_value(value)  # as the query would send it
        except (TypeError, ValueError, ValidationError):
            return None
    try:
        return _judge(Q(constraint.condition), values) is not False
    except _Excluded:
        return True
    except _Undecided:
        return None


class _Excluded(Exception):
    """The condition reads a field left out of the validation."""


def _judge(node: Q, values: dict[str, Any]) -> bool | None:
    results = [
        _judge(child, values) if isinstance(child, Q) else _lookup(*child, values)
        for child in node.children
    ]
    if node.connector == Q.AND:
        result = False if False in results else UNKNOWN if UNKNOWN in results else True
    elif node.connector == Q.OR:
        result = True if True in results else UNKNOWN if UNKNOWN in results else False
    else:
        raise _Undecided
    if node.negated:
        return UNKNOWN if result is UNKNOWN else not result
    return result


def _value(name: str, values: dict[str, Any]) -> Any:
    if name == "pk" or "__" in name:
        raise _Undecided
    if name not in values:
        raise _Excluded
    return values[name]


def _lookup(path: str, expected: Any, values: dict[str, Any]) -> bool | None:
    name, _sep, lookup = path.partition("__")
    lookup = lookup or "exact"
    value = _value(name, values)
    if isinstance(expected, F):
        expected = _value(expected.name, values)
    elif hasattr(expected, "resolve_expression"):
        raise _Undecided
    if lookup == "isnull":
        if not isinstance(expected, bool):
            raise _Undecided
        return (value is None) == expected
    if value is None:
        return UNKNOWN
    if lookup == "exact":
        return _same_kind(value, expected) and value == expected
    if lookup == "in":
        if None in expected:
            raise _Undecided
        return any(_same_kind(value, choice) and value == choice for choice in expected)
    if lookup in ("gt", "gte", "lt", "lte", "range"):
        bounds = expected if lookup == "range" else (expected,)
        if any(bound is None for bound in bounds):
            return UNKNOWN
        if not all(_ordered(value, bound) for bound in bounds):
            raise _Undecided
        if lookup == "range":
            low, high = bounds
            return low <= value <= high
        return _COMPARISONS[lookup](value, expected)
    if lookup == "startswith" and isinstance(value, str) and isinstance(expected, str):
        starts = value.startswith(expected)
        if starts != value.casefold().startswith(expected.casefold()):
            raise _Undecided  # SQLite's LIKE ignores case, PostgreSQL's does not
        return starts
    raise _Undecided  # a regex among them: the databases' dialects differ from Python's


def _same_kind(value: Any, expected: Any) -> bool:
    """Values compared for equality are of one kind (text with text, numbers with
    numbers); anything else is the database's to judge."""
    if isinstance(value, str) and isinstance(expected, str):
        return True
    if _ordered(value, expected):
        return True
    raise _Undecided


def _ordered(value: Any, bound: Any) -> bool:
    """Both are numbers (never yes/no), or both dates or times of one kind."""
    if isinstance(value, bool) or isinstance(bound, bool):
        return False
    numbers = (int, float, Decimal)
    if isinstance(value, numbers) and isinstance(bound, numbers):
        return True
    return type(value) is type(bound) and isinstance(value, _ORDERED)
