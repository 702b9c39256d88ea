"""One city's KPI table and one KPI's figures across cities, stage by stage.

Both are built from the same consortium matrix as the overview (one per stage, from
:func:`kpis.dashboards.build.build_matrix`), so a figure is judged the same way on every
page. No ORM here: the views read with :mod:`kpis.dashboards.readers` (the tables from one
record, :class:`~kpis.dashboards.readers.StageTableInputs`, which the exports of
:mod:`kpis.exchange` read too).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from icc_portal.codes import natural_key
from kpis.progress import ReportingLevel
from kpis.vocabulary import STAGES, needs_baselines, stage_heading

from . import build
from .figures import Cell, Formatter, is_change
from .matrix import Column, Matrix
from .readers import StageTableInputs


@dataclass(slots=True)
class Figure:
    """A judged figure with what the coordinator wrote beside it."""

    cell: Cell
    text: str = ""
    note: str = ""
    reason: str = ""
    evidence_url: str = ""
    as_of: datetime.date | None = None


@dataclass(slots=True)
class KpiLine:
    """A KPI (or a composite KPI's heading) with one figure per stage."""

    kind: str  # "kpi" or "composite"
    kpi_id: int
    code: str
    name: str
    unit: str = ""
    value_type: str = ""
    target: str = ""
    group_target: bool = False  # the target is per country or consortium-wide
    is_part: bool = False
    figures: list[Figure | None] = field(default_factory=list)
    previous_final: Any = None  # the previous round's final, beside the baseline (rounds.py)

    @property
    def by_stage(self) -> list[tuple[str, Figure | None]]:
        return _by_stage(self.figures)


@dataclass(slots=True)
class SolutionReport:
    """A solution as one city (or the consortium, for what it reports once) sees it."""

    solution: Any
    is_lead: bool
    city_lines: list[KpiLine]
    consortium_lines: list[KpiLine]
    activities: list


@dataclass(slots=True)
class UnitLine:
    """One unit (a city, a country's cities, the consortium) of a KPI across the stages."""

    column: Column
    figures: list[Figure | None]
    previous_final: Any = None  # the previous round's final, beside the baseline (rounds.py)

    @property
    def by_stage(self) -> list[tuple[str, Figure | None]]:
        return _by_stage(self.figures)


def _by_stage(figures: Sequence[Figure | None]) -> list[tuple[str, Figure | None]]:
    """Each figure with its stage's name, for pages that label every cell (phones)."""
    return [(stage_heading(stage), figure) for stage, figure in zip(STAGES, figures, strict=True)]


def overview_rows(details: Iterable[Mapping]) -> list[tuple]:
    """Detail rows (``managers.DETAIL_FIELDS``) as ``managers.OVERVIEW_COLUMNS`` tuples."""
    return [
        (
            row["city_id"],
            row["kpi_id"],
            row["stage"],
            row["status"],
            row["value"],
            row["boolean_value"],
            row["review_state"],
            row["text_value"] if row["value"] is None else "",
        )
        for row in details
    ]


def baseline_rows(details: Iterable[Mapping]) -> list[tuple]:
    """The reported baseline numbers among detail rows, as ``(city_id, kpi_id, value)``."""
    return [
        (row["city_id"], row["kpi_id"], row["value"])
        for row in details
        if row["stage"] == "baseline" and row["status"] == "reported" and row["value"] is not None
    ]


def stage_matrices(
    *,
    cities: Sequence,
    solutions: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    details: Sequence[Mapping],
    formatter: Formatter,
) -> dict[str, Matrix]:
    """The consortium matrix of each stage, from detail rows."""
    rows = overview_rows(details)
    baselines = baseline_rows(details)
    return {
        stage: build.build_matrix(
            cities=cities,
            solutions=solutions,
            kpis=kpis,
            implementing=implementing,
            rows=[row for row in rows if row[2] == stage],
            baselines=baselines if needs_baselines(stage) else (),
            stage=stage,
            formatter=formatter,
        )
        for stage in STAGES
    }


def _figure(cell: Cell, detail: Mapping | None) -> Figure | None:
    if cell.status == "none":
        return None
    if detail is None:
        return Figure(cell=cell)
    return Figure(
        cell=cell,
        text=detail["text_value"],
        note=detail["note"],
        reason=detail["reason"],
        evidence_url=detail["evidence_url"],
        as_of=detail["as_of"],
    )


def _details_by_unit(details: Iterable[Mapping]) -> dict[tuple, Mapping]:
    return {(row["kpi_id"], row["city_id"], row["stage"]): row for row in details}


def city_report(
    *, city, tables: StageTableInputs, formatter: Formatter | None = None
) -> list[SolutionReport]:
    """A city's solutions, each with its KPIs' three stages side by side against the target.

    Like the seed's "Assessment of solution maturity" tables: the city's own figures, and
    separately the figures the consortium reports once for a solution the city takes
    part in. A city's figure for a KPI whose target is per country or consortium-wide is
    shown without a judgement of its own (it counts towards that target). ``tables`` may
    hold other cities too (a consortium's, :func:`~kpis.dashboards.readers.
    consortium_stage_tables`): only the solutions this city implements are reported.
    """
    solutions = [
        solution
        for solution in tables.solutions
        if city.pk in tables.implementing.get(solution.pk, ())
    ]
    return _unit_report(city, solutions, tables, formatter or Formatter())


def member_reports(
    *, cities: Sequence, tables: StageTableInputs, formatter: Formatter | None = None
) -> tuple[dict[int, list[SolutionReport]], list[SolutionReport]]:
    """Every member city's reports (as :func:`city_report`) and the consortium's own (the
    figures it reports once, solution by solution, in each report's ``consortium_lines``:
    the seed's UPREST table), judged in one consortium matrix per stage.

    A city's cell is a function of its own figures and baseline only (so is a figure the
    consortium reports once), so it reads the same in the consortium's matrix as in the
    city's own: the deliverable of 200 cities judges three matrices, not six hundred.
    """
    formatter = formatter or Formatter()
    matrices = stage_matrices(
        cities=cities,
        solutions=tables.solutions,
        kpis=tables.kpis,
        implementing=tables.implementing,
        details=tables.details,
        formatter=formatter,
    )
    judged = _Judged(_cells_by_unit(matrices), _details_by_unit(tables.details))
    by_city = {
        city.pk: _unit_report(
            city,
            [s for s in tables.solutions if city.pk in tables.implementing.get(s.pk, ())],
            tables,
            formatter,
            judged,
        )
        for city in cities
    }
    return by_city, _unit_report(None, _reported_once(tables), tables, formatter, judged)


@dataclass(slots=True)
class _Judged:
    """Judged cells by (stage, KPI id, unit: a city id, ``None`` for the consortium's own
    figure), and the detail rows beside them by (KPI id, unit, stage)."""

    cells: dict[tuple, Cell]
    details: dict[tuple, Mapping]


def _reported_once(tables: StageTableInputs) -> list:
    """The solutions with a KPI the consortium reports once."""
    reported_once = {
        kpi.solution_id for kpi in tables.kpis if kpi.reporting_level == ReportingLevel.CONSORTIUM
    }
    return [solution for solution in tables.solutions if solution.pk in reported_once]


def _judge_unit(city, solutions: Sequence, tables: StageTableInputs, formatter) -> _Judged:
    """One unit's cells, judged in its own matrix per stage: a city's (with the figures
    the consortium reports once), or ``None``: the consortium's own figures alone."""
    solution_ids = {solution.pk for solution in solutions}
    kpis = [kpi for kpi in tables.kpis if kpi.solution_id in solution_ids]
    if city is None:
        # The consortium's own table holds what it reports once; the cities' KPIs of the
        # same solutions are in the cities' tables, and have no unit to judge here.
        kpis = [kpi for kpi in kpis if kpi.reporting_level == ReportingLevel.CONSORTIUM]
    unit_ids = {None} if city is None else {None, city.pk}
    details = [row for row in tables.details if row["city_id"] in unit_ids]
    matrices = stage_matrices(
        cities=[] if city is None else [city],
        solutions=solutions,
        kpis=kpis,
        implementing={solution.pk: set() if city is None else {city.pk} for solution in solutions},
        details=details,
        formatter=formatter,
    )
    return _Judged(_cells_by_unit(matrices), _details_by_unit(details))


def _unit_report(
    city,
    solutions: Sequence,
    tables: StageTableInputs,
    formatter: Formatter,
    judged: _Judged | None = None,
) -> list[SolutionReport]:
    """The reports of one unit: a city (its lines and the consortium's), or ``None`` for
    the consortium alone. ``judged``: cells judged already (:func:`member_reports`)."""
    if judged is None:
        judged = _judge_unit(city, solutions, tables, formatter)
    solution_ids = {solution.pk for solution in solutions}
    by_solution: dict[int, list] = {solution.pk: [] for solution in solutions}
    for kpi in tables.kpis:
        if kpi.solution_id in solution_ids:
            by_solution[kpi.solution_id].append(kpi)
    details_by_unit, cells = judged.details, judged.cells
    activities_by_solution: dict[int, list] = {solution.pk: [] for solution in solutions}
    for activity in sorted(tables.activities, key=lambda activity: natural_key(activity.code)):
        if activity.solution_id in activities_by_solution:
            activities_by_solution[activity.solution_id].append(activity)
    reports = []
    for solution in solutions:
        city_lines: list[KpiLine] = []
        consortium_lines: list[KpiLine] = []
        composites = {kpi.parent_id for kpi in by_solution[solution.pk] if kpi.parent_id}
        for kpi in build.ordered_kpis(by_solution[solution.pk], [solution]):
            consortium_level = kpi.reporting_level == ReportingLevel.CONSORTIUM
            line = KpiLine(
                kind="composite" if kpi.pk in composites else "kpi",
                kpi_id=kpi.pk,
                code=kpi.code,
                name=kpi.name,
                unit=kpi.unit,
                value_type=kpi.value_type,
                target=formatter.target_wording(kpi),
                group_target=kpi.target_scope != "city" and not consortium_level,
                is_part=kpi.parent_id is not None,
            )
            if line.kind == "kpi" and (city is not None or consortium_level):
                unit = None if consortium_level else city.pk
                line.figures = [
                    _figure(cell, details_by_unit.get((kpi.pk, unit, stage)))
                    if (cell := cells.get((stage, kpi.pk, unit))) is not None
                    else None
                    for stage in STAGES
                ]
                if is_change(kpi) and not line.group_target:
                    line.target = _own_target(line.figures) or line.target
            (consortium_lines if consortium_level else city_lines).append(line)
        if city is None:
            city_lines = []
        reports.append(
            SolutionReport(
                solution=solution,
                is_lead=city is not None and city.pk in tables.lead_cities.get(solution.pk, ()),
                city_lines=city_lines,
                consortium_lines=consortium_lines,
                activities=activities_by_solution[solution.pk],
            )
        )
    return reports


def _own_target(figures: Sequence[Figure | None]) -> str:
    """A unit's own target relative to its baseline, as its cells say it ("−20 % from
    72.5 = 58"); empty while it has no baseline figure."""
    return next(
        (f.cell.target for f in figures if f is not None and f.cell.baseline is not None), ""
    )


def _cells_by_unit(matrices: Mapping[str, Matrix]) -> dict[tuple, Cell]:
    """(stage, KPI id, unit) -> cell: a city's by its id, the consortium column's by ``None``
    (what the consortium reports once; a roll-up for the cities' KPIs, which no unit
    report reads)."""
    cells = {}
    for stage, matrix in matrices.items():
        slots = [
            (index, column.key if column.kind == "city" else None)
            for index, column in enumerate(matrix.columns)
            if column.kind in ("city", "consortium")
        ]
        for row in matrix.kpi_rows:
            row_cells = row.cells
            for index, unit in slots:
                cells[(stage, row.kpi_id, unit)] = row_cells[index]
    return cells


def kpi_report(
    *,
    kpi,
    solution,
    cities: Sequence,
    implementing: set[int],
    details: Sequence[Mapping],
    formatter: Formatter | None = None,
    city_url: Callable[[str], str] | None = None,
) -> list[UnitLine]:
    """One KPI: every implementing city (and the country and consortium totals its target
    needs), one figure per stage."""
    formatter = formatter or Formatter()
    matrices = stage_matrices(
        cities=cities,
        solutions=[solution],
        kpis=[kpi],
        implementing={solution.pk: set(implementing)},
        details=details,
        formatter=formatter,
    )
    details_by_unit = _details_by_unit(details)
    reference = matrices["final"]
    lines = []
    for index, column in enumerate(reference.columns):
        figures = []
        for stage in STAGES:
            matrix = matrices[stage]
            row = matrix.kpi_rows[0] if matrix.kpi_rows else None
            cell = row.cells[index] if row else None
            unit = column.key if column.kind == "city" else None
            detail = (
                details_by_unit.get((kpi.pk, unit, stage)) if column.kind != "country" else None
            )
            if column.kind == "consortium" and kpi.reporting_level != ReportingLevel.CONSORTIUM:
                detail = None
            figures.append(_figure(cell, detail) if cell is not None else None)
        if any(figure is not None for figure in figures):
            url = city_url(column.slug) if city_url and column.kind == "city" else ""
            lines.append(UnitLine(column=_with_url(column, url), figures=figures))
    return lines


def _with_url(column: Column, url: str) -> Column:
    if not url:
        return column
    return Column(column.kind, column.key, column.label, column.country, column.slug, url)


def chart_data(kpi, lines: Sequence[UnitLine]) -> dict:
    """What the KPI chart draws: each city's figure per stage, and the country and
    consortium totals, each unit with its target. Numbers only: the table on the page
    holds everything else; a figure that is not a number is not drawn, and one that is
    "not available" says so where its bar would stand."""

    def number(value: Decimal | None) -> float | None:
        return float(value) if isinstance(value, Decimal) else None

    def note(figure) -> str:
        if figure is None or figure.cell.value is not None:
            return ""
        return figure.cell.label if figure.cell.status == "not_available" else ""

    def series(units: Sequence[UnitLine]) -> dict:
        latest = [next((f for f in reversed(line.figures) if f), None) for line in units]
        return {
            "labels": [line.column.label for line in units],
            "datasets": [
                {
                    "label": stage_heading(stage),
                    "data": [
                        number(line.figures[position].cell.value)
                        if line.figures[position] is not None
                        else None
                        for line in units
                    ],
                    # Why a bar is missing, written where it would stand: "not available"
                    # must not look like a 0 (which is drawn as a thin bar).
                    "notes": [note(line.figures[position]) for line in units],
                }
                for position, stage in enumerate(STAGES)
            ],
            "targets": [
                number(figure.cell.target_value) if figure is not None else None
                for figure in latest
            ],
        }

    if not kpi.is_numeric:
        return {}
    cities = [line for line in lines if line.column.kind == "city"]
    totals = [line for line in lines if line.column.kind != "city"]
    return {
        "unit": kpi.unit,
        "cities": series(cities) if cities else None,
        "totals": series(totals) if totals else None,
    }
