"""A consortium's previous round beside the new one: each carried-over KPI's last final.

A round that continues another (``Consortium.previous_round``) starts with new
baselines; a city's page and a KPI's page show, beside each baseline, the final figure
the same unit reported for the same KPI in the previous round. KPIs are matched across
the rounds by code (a framework carried over keeps its codes): a KPI without a namesake
in the previous round, or a unit that did not report it there, shows nothing. Only the
figures the reader may see in the previous round are read. One query, and none when no
consortium shown has a previous round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kpis.models import Measurement

from .figures import Formatter


@dataclass(frozen=True, slots=True)
class PreviousFinal:
    """A unit's final figure for a KPI in the previous round, in words."""

    figure: str
    round_name: str

    def __str__(self) -> str:
        return _("Final of the previous round (%(round)s): %(figure)s") % {
            "round": self.round_name,
            "figure": self.figure,
        }


def previous_finals(
    user,
    *,
    kpis: Iterable,
    solutions: Iterable,
    consortia: Iterable,
    formatter: Formatter | None = None,
) -> dict[tuple[int, int | None], PreviousFinal]:
    """(KPI id, city id or ``None`` for the consortium's own figure) -> the previous
    round's final, for ``kpis`` of ``solutions`` of ``consortia`` (with their
    ``previous_round`` loaded)."""
    previous_of = {
        consortium.pk: consortium.previous_round
        for consortium in consortia
        if consortium.previous_round_id is not None
    }
    if not previous_of:
        return {}
    consortium_of = {solution.pk: solution.consortium_id for solution in solutions}
    wanted = {}  # (previous consortium id, code) -> [current KPIs]
    for kpi in kpis:
        previous = previous_of.get(consortium_of.get(kpi.solution_id))
        if previous is not None:
            wanted.setdefault((previous.pk, kpi.code), []).append(kpi)
    if not wanted:
        return {}
    formatter = formatter or Formatter()
    names = {previous.pk: previous.display_name for previous in previous_of.values()}
    found = {}
    figures = (
        Measurement.objects.visible_to(user)
        .filter(
            stage="final",
            kpi__solution__consortium_id__in=list(names),
            kpi__code__in={code for _previous, code in wanted},
        )
        .exclude(status=Measurement.Status.NOT_REPORTED)
        .values(
            "kpi__solution__consortium_id",
            "kpi__code",
            "city_id",
            "status",
            "value",
            "boolean_value",
            "text_value",
        )
    )
    for row in figures:
        previous_id = row["kpi__solution__consortium_id"]
        for kpi in wanted.get((previous_id, row["kpi__code"]), ()):
            words = _in_words(row, kpi.value_type, formatter)
            found[(kpi.pk, row["city_id"])] = PreviousFinal(words, names[previous_id])
    return found


def _in_words(row: dict, value_type: str, formatter: Formatter) -> str:
    if row["status"] == Measurement.Status.NOT_AVAILABLE:
        return "N/A"
    if row["status"] == Measurement.Status.NOT_APPLICABLE:
        return formatter.labels["not_applicable"]
    parts = []
    if row["boolean_value"] is not None:
        parts.append(formatter.yes if row["boolean_value"] else formatter.no)
    if row["value"] is not None:
        number = formatter.number(row["value"])
        parts.append(f"{number} %" if value_type == "percent" else number)
    if row["text_value"] and row["value"] is None:
        parts.append(row["text_value"])
    return " – ".join(parts)
