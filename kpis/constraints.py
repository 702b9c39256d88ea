"""A KPI's database constraints on its target value and basis: the last line behind the
rules of ``clean()`` (:mod:`kpis.invariants`), in the words of :data:`kpis.explanations.REFUSED`.

Kept apart from :mod:`kpis.models` so the model reads as its fields.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from . import explanations as explain
from . import progress


def _values(members) -> list[str]:
    return [member.value for member in members]


def target_constraints() -> list[models.CheckConstraint]:
    """What a target value may be: none for yes/no and text KPIs; a figure to reach is
    never negative and at most 100 for a percentage; a change from the baseline (numeric
    KPIs only) may be negative down to -100, or beyond 100."""
    return [
        # A change from the baseline may be negative (-20) or beyond 100 (+150).
        models.CheckConstraint(
            condition=Q(target_value__isnull=True)
            | Q(target_value__gte=0)
            | Q(target_basis=progress.TargetBasis.CHANGE.value),
            name="kpi_target_non_negative",
            violation_error_message=explain.REFUSED["kpi_target_non_negative"],
        ),
        models.CheckConstraint(
            condition=~Q(value_type=progress.ValueType.PERCENT.value)
            | Q(target_value__isnull=True)
            | Q(target_value__lte=100)
            | Q(target_basis=progress.TargetBasis.CHANGE.value),
            name="kpi_percent_target_at_most_100",
            violation_error_message=explain.REFUSED["kpi_percent_target_at_most_100"],
        ),
        models.CheckConstraint(
            condition=~Q(target_basis=progress.TargetBasis.CHANGE.value)
            | Q(value_type__in=sorted(_values(progress.NUMERIC_TYPES))),
            name="kpi_change_only_for_numbers",
            violation_error_message=explain.REFUSED["kpi_change_only_for_numbers"],
        ),
        models.CheckConstraint(
            condition=~Q(target_basis=progress.TargetBasis.CHANGE.value)
            | Q(target_value__isnull=True)
            | Q(target_value__gte=-100),
            name="kpi_change_at_least_minus_100",
            violation_error_message=explain.REFUSED["kpi_change_at_least_minus_100"],
        ),
        models.CheckConstraint(
            condition=~Q(
                value_type__in=_values([progress.ValueType.TEXT, progress.ValueType.BOOLEAN])
            )
            | Q(target_value__isnull=True),
            name="kpi_target_only_for_numbers",
            violation_error_message=explain.REFUSED["kpi_target_only_for_numbers"],
        ),
    ]
