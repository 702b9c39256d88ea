"""A check constraint judged in Python (``icc_portal.conditions``) says what the database
says, for every check constraint of the project's models and values on each side of it."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import F, Q

from icc_portal.conditions import holds
from icc_portal.validation import PROJECT_APPS

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 1)


def check_constraints() -> list:
    return [
        pytest.param(model, constraint, id=constraint.name)
        for app_label in PROJECT_APPS
        for model in apps.get_app_config(app_label).get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint)
    ]


def lookups(condition):
    for child in condition.children:
        if isinstance(child, Q):
            yield from lookups(child)
        else:
            yield child


def candidates(path: str, expected) -> list:
    """Values around what ``path`` compares against: on it, each side of it, NULL."""
    _name, _sep, lookup = path.partition("__")
    if isinstance(expected, F):
        return [None, DAY - datetime.timedelta(days=1), DAY, DAY + datetime.timedelta(days=1)]
    if lookup == "isnull":
        return [None]
    if lookup == "in":
        return [None, *expected, "unknown"]
    if lookup in ("gte", "lte", "gt", "lt"):
        return [None, expected - 1, expected, expected + 1, Decimal(expected) + Decimal("0.5")]
    if lookup == "startswith":
        return [None, "", expected + "x", expected.upper() + "x", "ftp://x"]
    if lookup == "regex":
        return [None, "IT", "it", "I1"]
    return [None, expected, "", "other"] if isinstance(expected, str) else [None, expected]


def field_values(model, constraint) -> dict[str, list]:
    values: dict[str, list] = {}
    for path, expected in lookups(constraint.condition):
        name = path.split("__")[0]
        field = model._meta.get_field(name)
        found = values.setdefault(field.attname, [])
        for value in candidates(path, expected):
            if value not in found:
                found.append(value)
        if isinstance(expected, F):  # the other field of the comparison: the same dates
            values[model._meta.get_field(expected.name).attname] = list(found)
        if isinstance(field, models.ForeignKey):
            found.append(None)
    return values


@pytest.mark.parametrize("model, constraint", check_constraints())
def test_python_and_the_database_agree(model, constraint):
    values = field_values(model, constraint)
    names = list(values)
    judged = 0
    for combination in itertools.product(*(values[name] for name in names)):
        instance = model(**dict(zip(names, combination, strict=True)))
        verdict = holds(constraint, instance)
        if verdict is None:
            continue
        against = instance._get_field_expression_map(meta=model._meta)
        assert verdict == Q(constraint.condition).check(against), dict(
            zip(names, combination, strict=True)
        )
        judged += 1
    assert judged or "regex" in str(constraint.condition)


def test_a_field_left_out_of_the_validation_is_not_judged():
    from kpis.models import KPI

    (constraint,) = [c for c in KPI._meta.constraints if c.name == "kpi_target_non_negative"]
    kpi = KPI(target_value=Decimal("-1"), target_basis="absolute")
    assert holds(constraint, kpi) is False
    assert holds(constraint, kpi, exclude={"target_value"}) is True
