"""Measurement rows judged into matrix cells, city by city and for the totals.

Every figure is judged by :mod:`kpis.progress` and formatted by
:mod:`kpis.dashboards.figures`. Within a matrix, equal inputs give one judged cell
(:class:`JudgedCells`): the rules are pure, so a cell is a function of its inputs.

Stages: one stage, or ``latest``, where each city's cell holds its latest figure
(``progress.latest_reading``) judged against what that figure's own stage expects,
and a total rolls up its cities' latest figures, judged at the latest stage among
them. Baselines: a midway or final figure is judged from the city's own baseline
figure; a total from its cities' baselines (``progress.group_baseline``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from kpis import progress
from kpis.managers import driver_bool, driver_decimal
from kpis.progress import KpiRule, MeasurementStatus, Reading, ReportingLevel, Rollup, TargetScope
from kpis.vocabulary import LATEST, STAGES

from .figures import NO_CELL, Cell, Formatter
from .matrix import Column, has_consortium_cell

APPROVED = "approved"


REPORTED = MeasurementStatus.REPORTED.value


#: The stage names as the progress rules' enum, so no call converts them again.
STAGE_ENUMS = {stage: progress.Stage(stage) for stage in STAGES}


# Positions in a row of ``managers.OVERVIEW_COLUMNS``.
CITY, KPI_ID, STAGE, STATUS, VALUE, BOOLEAN, REVIEW, TEXT = range(8)


def rule_for(kpi) -> KpiRule:
    return KpiRule(
        value_type=kpi.value_type,
        target_value=kpi.target_value,
        target_scope=kpi.target_scope,
        direction=kpi.direction,
        rollup=kpi.rollup,
        reporting_level=kpi.reporting_level,
        target_basis=kpi.target_basis,
    )


def reading_for(status: str, value=None, boolean=None, text: str = "", reason: str = ""):
    """A measurement as the progress rules see it; N/A carries its reason as text."""
    if status == REPORTED:
        return Reading(REPORTED, value=value, boolean=boolean, text=text or "")
    return Reading(status, text=reason or "")


class Figures:
    """The measurement rows of one matrix, indexed by KPI and unit.

    Numbers and yes/no answers arrive as the database driver returns them; each
    distinct raw value is converted once.
    """

    def __init__(self, rows: Iterable[tuple], baselines: Iterable[tuple], stage: str) -> None:
        self.stage = stage
        self.shown: dict[int, dict[Any, tuple]] = defaultdict(dict)
        self.baseline: dict[int, dict[Any, Any]] = defaultdict(dict)
        self.by_stage: dict[int, dict[Any, dict[str, tuple]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self._decimals: dict[Any, Decimal | None] = {None: None}
        self._readings: dict[tuple, Reading] = {}
        for city, kpi_id, value in baselines:
            self.baseline[kpi_id][city] = value
        if stage == LATEST:
            for row in rows:
                self.by_stage[row[KPI_ID]][row[CITY]][row[STAGE]] = row
                if row[STAGE] == "baseline" and row[STATUS] == REPORTED and row[VALUE] is not None:
                    self.baseline[row[KPI_ID]][row[CITY]] = row[VALUE]
        else:
            for row in rows:
                self.shown[row[KPI_ID]][row[CITY]] = row

    def decimal(self, raw) -> Decimal | None:
        number = self._decimals.get(raw, False)
        if number is False:
            number = self._decimals[raw] = driver_decimal(raw)
        return number

    def reading(self, row: tuple | None) -> Reading | None:
        return None if row is None else self.reading_of(row[STATUS:])

    def reading_of(self, tail: tuple) -> Reading:
        """The reading of a row's tail: (status, value, yes/no, review state, text)."""
        key = (tail[0], tail[1], tail[2], tail[4])
        reading = self._readings.get(key)
        if reading is None:
            status, value, boolean, text = key
            reading = self._readings[key] = reading_for(
                status, self.decimal(value), driver_bool(boolean), text
            )
        return reading

    def pick(self, kpi_id: int, unit) -> tuple[tuple | None, str, Any]:
        """The row a unit's cell shows, the stage it is judged at, and its raw baseline."""
        baseline = self.baseline.get(kpi_id, {}).get(unit)
        if self.stage != LATEST:
            row = self.shown.get(kpi_id, {}).get(unit)
            return row, STAGE_ENUMS[self.stage], None if self.stage == "baseline" else baseline
        rows = self.by_stage.get(kpi_id, {}).get(unit, {})
        latest = progress.latest_reading({stage: self.reading(row) for stage, row in rows.items()})
        if latest is None:
            return None, progress.Stage.FINAL, None
        stage = latest[0]
        return rows[stage], stage, None if stage == "baseline" else baseline


class JudgedCells:
    """Judged cells of one matrix being built: equal inputs are judged once.

    The progress rules are pure, so a cell is a function of its inputs: the KPI's rule
    (value type, target, scope, direction, roll-up, reporting level), the stage, the
    baseline, the reading, its review state, and the language it is written in. A table
    per (language, rule, view) maps the rest of the inputs to the cell: the hundreds of
    empty or equal cells of a large matrix are judged once. Lives for one build only;
    what outlives a request is the rendered page or answer, kept by data version
    (:mod:`kpis.dashboards.versioned`), so nothing here compares raw inputs across
    requests or grows with the process.
    """

    def __init__(self) -> None:
        self._tables: dict[tuple, dict[tuple, tuple[Cell, Reading | None]]] = {}

    def table(self, language: str, rule: KpiRule, view: Any) -> dict:
        """The cells of one rule in one language and view (a stage, or the latest figures)."""
        key = (language, rule, view)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = {}
        return table


class Layout:
    """Where one solution's units sit in the matrix: computed once, used by each of its KPIs."""

    def __init__(self, columns: Sequence[Column], implementing: set[int]) -> None:
        self.city_slots = [
            (index, column.key)
            for index, column in enumerate(columns)
            if column.kind == "city" and column.key in implementing
        ]
        self.members = tuple(city for _index, city in self.city_slots)
        countries = {column.key: column.country for column in columns if column.kind == "city"}
        self.countries_by_city = countries
        self.member_countries = tuple(countries[city] for city in self.members)
        self.group_slots = [
            (index, column.kind, column.key)
            for index, column in enumerate(columns)
            if column.kind != "city"
        ]
        self.country_members = {
            country: tuple(city for city in self.members if countries[city] == country)
            for country in set(self.member_countries)
        }


_EMPTY: dict = {}


def kpi_cells(
    kpi,
    columns: Sequence[Column],
    layout: Layout,
    figures: Figures,
    formatter: Formatter,
    language,
    judged_cells: JudgedCells | None = None,
) -> list[Cell]:
    """One KPI's cells. Equal inputs share one judged cell within the build (see
    :class:`JudgedCells`): a city's cell is keyed by its stage, baseline and row, a roll-up
    by its members and their countries, rows and baselines."""
    judged_cells = judged_cells if judged_cells is not None else JudgedCells()
    rule = rule_for(kpi)
    kpi_id = kpi.pk
    latest = figures.stage == LATEST
    cells = [NO_CELL] * len(columns)
    if rule.reporting_level is ReportingLevel.CONSORTIUM:
        for index, kind, _key in layout.group_slots:
            if kind == "consortium":
                cells[index] = _consortium_reading_cell(kpi, rule, figures, formatter)
        return cells

    judged = judged_cells.table(language, rule, figures.stage)
    judged_get = judged.get
    shown_get = figures.shown.get(kpi_id, _EMPTY).get
    baseline_get = figures.baseline.get(kpi_id, _EMPTY).get
    page_stage = STAGE_ENUMS.get(figures.stage)
    grouped = any(
        (kind == "country" and rule.target_scope is TargetScope.COUNTRY)
        or (kind == "consortium" and has_consortium_cell(kpi))
        for _index, kind, _key in layout.group_slots
    )
    # Each city's inputs and cell key, then the cells: comprehensions over 200 cities.
    members = layout.members
    if latest:
        picked = [figures.pick(kpi_id, city) for city in members]
    else:
        picked = [
            (row, page_stage, baseline)
            for row, baseline in zip(
                map(shown_get, members), map(baseline_get, members), strict=True
            )
        ]
    keys_list = [
        (stage, baseline, None if row is None else row[STATUS:]) for row, stage, baseline in picked
    ]
    known = list(map(judged_get, keys_list))
    if None in known:  # judge what this process has not judged before
        for position, entry in enumerate(known):
            if entry is not None:
                continue
            row, stage, baseline = picked[position]
            reading = figures.reading(row)
            assessment = progress.assess(
                rule, reading, stage=stage, baseline=figures.decimal(baseline)
            )
            cell = formatter.cell(
                kpi,
                assessment,
                review=_review(row),
                stage=stage if latest and row is not None and stage != "final" else "",
            )
            known[position] = judged[keys_list[position]] = (cell, reading)
    for (index, _city), entry in zip(layout.city_slots, known, strict=True):
        cells[index] = entry[0]
    keys = dict(zip(members, keys_list, strict=True)) if grouped else {}
    if not grouped:
        return cells

    group_stage = _group_stage(figures.stage, keys.values())
    groups = judged_cells.table(language, rule, (figures.stage, "groups"))
    for index, kind, unit in layout.group_slots:
        if kind == "country":
            if rule.target_scope is not TargetScope.COUNTRY:
                continue
            members = layout.country_members.get(unit)
            if not members:
                continue
        elif has_consortium_cell(kpi) and layout.members:
            members = layout.members
        else:
            continue  # no unit to roll up: no cell (a solution no city implements yet)
        key = (
            unit,
            group_stage,
            members,
            tuple(map(keys.get, members)),
            layout.member_countries if kind == "consortium" else unit,
        )
        cell = groups.get(key)
        if cell is None:
            cell = groups[key] = _group_cell(
                kpi, rule, kind, unit, members, keys, group_stage, layout, figures, formatter
            )
        cells[index] = cell
    return cells


def _group_cell(
    kpi,
    rule: KpiRule,
    kind: str,
    unit,
    members: tuple,
    keys: Mapping[Any, tuple],
    stage: progress.Stage,
    layout: Layout,
    figures: Figures,
    formatter: Formatter,
) -> Cell:
    """A country's or the consortium's cell: its implementing cities rolled up.

    ``keys`` are the member cities' cell keys, which end with (raw baseline, row tail).
    Where the rules give the unit no cell (``None``: no implementing city in it), the
    cell is ``NO_CELL``, as for a city outside the solution, never a judged ``None``.
    """
    chosen: dict[Any, Reading] = {}
    baselines: dict[Any, Any] = {}
    mixed = False
    for city in members:
        key = keys.get(city)
        if key is None:
            continue
        baseline, tail = key[-2], key[-1]
        if tail is not None:
            chosen[city] = figures.reading_of(tail)
            mixed = mixed or tail[REVIEW - STATUS] != APPROVED
        if baseline is not None:
            baselines[city] = baseline
    baseline = _group_baseline(rule, baselines, members, stage, figures)
    # Each city's own baseline, to judge a target per unit city by city.
    own_baselines = (
        {} if stage == "baseline" else {c: figures.decimal(raw) for c, raw in baselines.items()}
    )
    if kind == "country":
        assessment = progress.assess_country(
            rule,
            chosen,
            country=unit,
            countries_by_city=layout.countries_by_city,
            implementing=members,
            stage=stage,
            baseline=baseline,
            baselines_by_city=own_baselines,
        )
    else:
        assessment = progress.assess_consortium(
            rule,
            chosen,
            implementing=members,
            stage=stage,
            countries_by_city=layout.countries_by_city,
            baseline=baseline,
            baselines_by_city=own_baselines,
        )
    if assessment is None:
        return NO_CELL
    return formatter.cell(
        kpi,
        assessment,
        review="mixed" if mixed else "",
        rollup=True,
        count_met=rule.rollup is Rollup.COUNT_MET,
    )


def _consortium_reading_cell(kpi, rule: KpiRule, figures: Figures, formatter: Formatter) -> Cell:
    """The cell of a KPI the consortium reports once."""
    row, stage, baseline = figures.pick(kpi.pk, None)
    assessment = progress.assess(
        rule, figures.reading(row), stage=stage, baseline=figures.decimal(baseline)
    )
    latest = figures.stage == LATEST
    return formatter.cell(
        kpi,
        assessment,
        review=_review(row),
        stage=stage if latest and row is not None and stage != "final" else "",
    )


def _review(row: tuple | None) -> str:
    return "" if row is None or row[REVIEW] == APPROVED else row[REVIEW]


def _group_stage(page_stage: str, keys: Iterable[tuple]) -> progress.Stage:
    """A roll-up is judged at the page's stage; in the latest view, at the latest stage
    at which one of its cities reported (each key starts with its cell's stage)."""
    if page_stage != LATEST:
        return STAGE_ENUMS[page_stage]
    reported = {key[0] for key in keys if key[-1] is not None and key[-1][0] == REPORTED}
    return next(
        (STAGE_ENUMS[stage] for stage in reversed(STAGES) if stage in reported),
        progress.Stage.FINAL,
    )


def _group_baseline(
    rule: KpiRule, baselines: Mapping[Any, Any], members: Sequence, stage: str, figures: Figures
) -> Decimal | None:
    if stage == "baseline" or len(baselines) < len(members):
        return None  # a member without a baseline: the group has none (progress.group_baseline)
    converted = {city: figures.decimal(raw) for city, raw in baselines.items()}
    return progress.group_baseline(rule, converted, members)
