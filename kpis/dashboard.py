"""The consortium matrix: measurement rows in, plain rows of judged cells out.

No ORM here. The views read with :mod:`kpis.querysets` (a fixed number of queries),
this module judges every figure with :mod:`kpis.progress` (the one set of rules the
API and the exports share), :mod:`kpis.figures` formats the cells, and the templates
only print them, so no query can run while a template renders.

Stages: a matrix shows one stage (``baseline``, ``midway``, ``final``) or ``latest``,
where each cell holds its unit's latest figure (``progress.latest_reading``), judged
against what that figure's own stage expects, and a country or consortium cell rolls
up its cities' latest figures, judged at the latest stage among them.

Baselines: a midway or final figure is judged from the unit's own baseline figure when
it has one (``progress.progress_ratio``); a country or the consortium from its cities'
baselines (``progress.group_baseline``).

Speed: an overview can hold 200 cities × 100 KPIs. Measurement rows arrive as plain
tuples; equal inputs give one judged city cell, kept between requests (the rules are
pure: :class:`CellMemo`); a whole matrix is reused while the figures and definitions
read for it are unchanged (:class:`MatrixMemo`); each row's cells are joined into one
piece of HTML for the template.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from operator import attrgetter
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import progress
from .figures import NO_CELL, STAGE_LABELS, STATUS_LABELS, Cell, Formatter
from .progress import (
    KpiRule,
    MeasurementStatus,
    ProgressStatus,
    Reading,
    ReportingLevel,
    Rollup,
    TargetScope,
)
from .querysets import plain_bool, plain_decimal

STAGES: tuple[str, ...] = ("baseline", "midway", "final")
LATEST = "latest"
STAGE_CHOICES = tuple((stage, STAGE_LABELS[stage]) for stage in (*STAGES, LATEST))
#: The statuses a summary line counts, in the order it shows them.
SUMMARY_STATUSES = (
    ProgressStatus.ACHIEVED,
    ProgressStatus.ON_TRACK,
    ProgressStatus.BEHIND,
    ProgressStatus.NOT_AVAILABLE,
    ProgressStatus.NO_DATA,
)
APPROVED = "approved"
REPORTED = MeasurementStatus.REPORTED.value

#: The stage names as the progress rules' enum, so no call converts them again.
STAGE_ENUMS = {stage: progress.Stage(stage) for stage in STAGES}

# Positions in a row of ``querysets.OVERVIEW_COLUMNS``.
CITY, KPI_ID, STAGE, STATUS, VALUE, BOOLEAN, REVIEW, TEXT = range(8)


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def parse_stage(value: str | None, *, default: str) -> str:
    """The stage a page was asked for; anything unknown falls back to the default."""
    return value if value in (*STAGES, LATEST) else default


def default_stage(stages_with_figures: Iterable[str]) -> str:
    """The latest stage at which anything was reported: where the consortium stands now."""
    present = set(stages_with_figures)
    return next((stage for stage in reversed(STAGES) if stage in present), "final")


def stages_to_read(stage: str) -> tuple[str, ...]:
    """The stages whose figures a matrix at ``stage`` shows."""
    return STAGES if stage == LATEST else (stage,)


def needs_baselines(stage: str) -> bool:
    """Midway and final figures are judged from the baselines (the latest view reads them all)."""
    return stage in ("midway", "final")


def reads_baseline(kpi) -> bool:
    """A baseline only moves a ratio, and only numbers with a target have one."""
    return kpi.value_type in ("count", "number", "percent") and kpi.target_value is not None


def link_maker(view_name: str, *, numeric: bool = False) -> Callable[[Any], str]:
    """Links to one view for many objects with a single ``reverse()`` (a matrix has hundreds)."""
    placeholder = "987654321" if numeric else "placeholder-slug"
    head, _found, tail = reverse(view_name, args=[placeholder]).rpartition(placeholder)
    return lambda value: f"{head}{value}{tail}"


def natural_key(code: str) -> tuple:
    """Sort "1.2" before "1.10" and "1.3" before "1.3a"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", code)
    )


def ordered_kpis(kpis: Iterable, solutions: Sequence) -> list:
    """KPIs by solution number, then code in natural order; parts follow their composite."""
    number_of = {solution.pk: solution.number for solution in solutions}
    return sorted(kpis, key=lambda kpi: (number_of.get(kpi.solution_id, 0), natural_key(kpi.code)))


def rule_for(kpi) -> KpiRule:
    return KpiRule(
        value_type=kpi.value_type,
        target_value=kpi.target_value,
        target_scope=kpi.target_scope,
        direction=kpi.direction,
        rollup=kpi.rollup,
        reporting_level=kpi.reporting_level,
    )


def reading_for(status: str, value=None, boolean=None, text: str = "", reason: str = ""):
    """A measurement as the progress rules see it; N/A carries its reason as text."""
    if status == REPORTED:
        return Reading(REPORTED, value=value, boolean=boolean, text=text or "")
    return Reading(status, text=reason or "")


@dataclass(frozen=True, slots=True)
class Column:
    """A matrix column: a city, a country's cities together, or the whole consortium."""

    kind: str  # "city", "country", "consortium"
    key: Any  # city id, country code, None
    label: str
    country: str = ""
    slug: str = ""
    url: str = ""


@dataclass(slots=True)
class Summary:
    """How a column came out: (status, label, count) per ``SUMMARY_STATUSES`` entry."""

    counts: list[tuple[str, str, int]]
    total: int

    @property
    def html(self) -> str:
        if not self.total:
            return SafeString('<td class="summary"></td>')
        counts = "".join(
            f'<span class="count count-{status}{"" if count else " is-zero"}">'
            f'<span class="visually-hidden">{escape(label)}: </span>{count}</span>'
            for status, label, count in self.counts
        )
        return SafeString(f'<td class="summary">{counts}</td>')


@dataclass(slots=True)
class Row:
    """A matrix row: a solution heading, a composite KPI heading, or a KPI with cells."""

    kind: str  # "solution", "composite", "kpi"
    code: str
    name: str
    kpi_id: int | None = None
    url: str = ""
    unit: str = ""
    target: str = ""
    is_part: bool = False
    cells: list[Cell] = field(default_factory=list)

    reported_once: str = ""  # for a KPI the consortium reports once: what its city cells say

    @property
    def cells_html(self) -> str:
        """The row's cells; a KPI the consortium reports once spans its city and country
        columns with one cell saying so (they are not cities outside the solution)."""
        if not self.reported_once:
            return SafeString("".join([cell.html for cell in self.cells]))  # cells are escaped
        span = len(self.cells) - 1
        return SafeString(
            f'<td class="reported-once" colspan="{span}">{escape(self.reported_once)} &rarr;</td>'
            + self.cells[-1].html
        )


@dataclass(slots=True)
class Matrix:
    stage: str
    columns: list[Column]
    rows: list[Row]
    summaries: list[Summary]
    has_unapproved: bool
    _html: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def span(self) -> int:
        """Columns a heading row spans: the KPI column and every unit."""
        return len(self.columns) + 1

    @property
    def body_html(self) -> str:
        """The table's rows: solution headings, composite KPI headings, KPIs with cells.

        Built here rather than in the template because an overview can hold 20,000 cells;
        every text is escaped.
        """
        if "body" in self._html:
            return self._html["body"]
        solution, target = escape(_("Solution")), escape(_("Target:"))
        rows = []
        for row in self.rows:
            if row.kind == "solution":
                rows.append(
                    f'<tr class="solution-row"><th scope="rowgroup" colspan="{self.span}">'
                    f"<span>{solution} {escape(row.code)} · {escape(row.name)}</span></th></tr>"
                )
                continue
            name = f'<span class="code">{escape(row.code)}</span> {escape(row.name)}'
            link = f'<a href="{escape(row.url)}">{name}</a>' if row.url else name
            if row.kind == "composite":
                rows.append(
                    f'<tr class="composite-row"><th scope="rowgroup" colspan="{self.span}">'
                    f"{link}</th></tr>"
                )
                continue
            wording = (
                f'<span class="target">{target} {escape(row.target)}</span>' if row.target else ""
            )
            part = " part" if row.is_part else ""
            rows.append(
                f'<tr><th scope="row" class="kpi{part}">{link}{wording}</th>{row.cells_html}</tr>'
            )
        self._html["body"] = SafeString("".join(rows))
        return self._html["body"]

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)

    @property
    def is_large(self) -> bool:
        """Too big to read whole on one screen: scroll it, headings kept in view."""
        return len(self.columns) > 12 or len(self.rows) > 40

    @property
    def header_html(self) -> str:
        """The column headings: cities (linked, with their country), totals."""
        cells = []
        for column in self.columns:
            label = escape(column.label)
            if column.url:
                label = (
                    f'<a href="{escape(column.url)}">{label}</a> '
                    f'<span class="country">{escape(column.country)}</span>'
                )
            cells.append(f'<th scope="col" class="col-{column.kind}">{label}</th>')
        return SafeString("".join(cells))

    @property
    def summary_html(self) -> str:
        return SafeString("".join([summary.html for summary in self.summaries]))

    @property
    def kpi_rows(self) -> list[Row]:
        return [row for row in self.rows if row.kind == "kpi"]

    def cell(self, code: str, column_label: str) -> Cell:
        """The cell of a KPI code and a column label (for tests and exports)."""
        index = next(i for i, column in enumerate(self.columns) if column.label == column_label)
        return next(row for row in self.kpi_rows if row.code == code).cells[index]


def has_consortium_cell(kpi) -> bool:
    """The consortium column judges consortium targets and rolls up every judged KPI."""
    if kpi.reporting_level == ReportingLevel.CONSORTIUM:
        return True
    if kpi.rollup == Rollup.NONE or kpi.value_type == "text":
        return False
    if kpi.rollup == Rollup.COUNT_MET or kpi.target_value is not None:
        return True
    return kpi.value_type == "boolean" and kpi.rollup in (Rollup.ALL, Rollup.ANY)


def matrix_columns(
    cities: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    city_url: Callable[[str], str] | None = None,
) -> list[Column]:
    """Cities that report on any of the KPIs, grouped by country; a country column after
    them where a KPI's target is per country; a consortium column where a KPI is judged
    for the consortium."""
    reporting = {
        city_id
        for kpi in kpis
        if kpi.reporting_level == ReportingLevel.CITY
        for city_id in implementing.get(kpi.solution_id, ())
    }
    wants_country = any(
        kpi.target_scope == TargetScope.COUNTRY and kpi.reporting_level == ReportingLevel.CITY
        for kpi in kpis
    )
    shown = sorted(
        (city for city in cities if city.pk in reporting), key=lambda c: (c.country, c.name)
    )
    columns: list[Column] = []
    for index, city in enumerate(shown):
        url = city_url(city.slug) if city_url else ""
        columns.append(Column("city", city.pk, city.name, city.country, city.slug, url))
        last_of_country = index + 1 == len(shown) or shown[index + 1].country != city.country
        if wants_country and last_of_country:
            label = _("%(country)s total") % {"country": city.country}
            columns.append(Column("country", city.country, label, city.country))
    if any(has_consortium_cell(kpi) for kpi in kpis):
        columns.append(Column("consortium", None, _("Consortium")))
    return columns


class _Figures:
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
            number = self._decimals[raw] = plain_decimal(raw)
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
                status, self.decimal(value), plain_bool(boolean), text
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


class CellMemo:
    """Judged city cells, kept between requests.

    The progress rules are pure, so a city's cell is a function of its inputs: the
    KPI's rule (value type, target, scope, direction, roll-up, reporting level), the
    stage, the baseline, the reading, its review state, and the language it is written
    in. A table per (language, rule, view) maps the rest of the inputs to the cell, so
    nothing can go stale: a changed figure or target is a different key. The tables are
    dropped wholesale when they hold more than ``limit`` cells.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._tables: dict[tuple, dict[tuple, tuple[Cell, Reading | None]]] = {}

    def table(self, language: str, rule: KpiRule, view: Any) -> dict:
        """The cells of one rule in one language and view (a stage, or the latest figures)."""
        key = (language, rule, view)
        table = self._tables.get(key)
        if table is None:
            if sum(len(table) for table in self._tables.values()) > self.limit:
                self._tables.clear()
            table = self._tables[key] = {}
        return table

    def clear(self) -> None:
        self._tables.clear()


CELL_MEMO = CellMemo()

#: The KPI fields a matrix depends on.
KPI_SIGNATURE = (
    "pk",
    "solution_id",
    "parent_id",
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_scope",
    "target_text",
    "direction",
    "reporting_level",
    "rollup",
)


class MatrixMemo:
    """Built matrices, reused while everything they were built from is equal.

    The assembly is a pure function of what the view read (figures, baselines, KPI
    definitions, cities, implementing cities), the stage, the language and the link
    patterns. The view still reads the figures on every request and a matrix is only
    reused when those inputs compare equal, so nothing can go stale: a changed figure,
    target or city name is a different input. Keeps the last ``size`` matrices.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple, Matrix]] = OrderedDict()

    def get(self, key: tuple, inputs: tuple) -> Matrix | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != inputs:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: tuple, inputs: tuple, matrix: Matrix) -> None:
        self._entries[key] = (inputs, matrix)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


MATRIX_MEMO = MatrixMemo()


def build_matrix(
    *,
    cities: Sequence,
    solutions: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    rows: Iterable[tuple],
    stage: str,
    baselines: Iterable[tuple] = (),
    formatter: Formatter | None = None,
    city_url: Callable[[str], str] | None = None,
    kpi_url: Callable[[int], str] | None = None,
) -> Matrix:
    """KPIs grouped by solution down, cities (and the totals they need) across.

    ``rows`` are ``querysets.OVERVIEW_COLUMNS`` tuples of the stages
    :func:`stages_to_read` names; ``baselines`` are ``(city_id, kpi_id, value)`` of the
    reported baselines, where :func:`needs_baselines`. A city that does not implement a
    KPI's solution has no cell (``NO_CELL``), never a red one.
    """
    rows, baselines = list(rows), list(baselines)
    memo_key = inputs = None
    if formatter is None:  # the default formatting: the matrix may come from the memo
        memo_key = (get_language(), stage, tuple(solution.pk for solution in solutions))
        inputs = (
            rows,
            baselines,
            [tuple(getattr(kpi, name) for name in KPI_SIGNATURE) for kpi in kpis],
            [(city.pk, city.name, city.slug, city.country) for city in cities],
            [(solution.pk, solution.number, solution.title) for solution in solutions],
            {solution_id: frozenset(members) for solution_id, members in implementing.items()},
            city_url("-") if city_url else None,
            kpi_url(0) if kpi_url else None,
        )
        matrix = MATRIX_MEMO.get(memo_key, inputs)
        if matrix is not None:
            return matrix
    matrix = _build_matrix(
        cities=cities,
        solutions=solutions,
        kpis=kpis,
        implementing=implementing,
        rows=rows,
        stage=stage,
        baselines=baselines,
        formatter=formatter or Formatter(),
        city_url=city_url,
        kpi_url=kpi_url,
    )
    if memo_key is not None:
        MATRIX_MEMO.put(memo_key, inputs, matrix)
    return matrix


def _build_matrix(
    *,
    cities: Sequence,
    solutions: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    rows: Sequence[tuple],
    stage: str,
    baselines: Sequence[tuple],
    formatter: Formatter,
    city_url: Callable[[str], str] | None,
    kpi_url: Callable[[int], str] | None,
) -> Matrix:
    figures = _Figures(rows, baselines, stage)
    ordered = ordered_kpis(kpis, solutions)
    composite_ids = {kpi.parent_id for kpi in ordered if kpi.parent_id}
    columns = matrix_columns(
        cities, [kpi for kpi in ordered if kpi.pk not in composite_ids], implementing, city_url
    )
    layouts = {
        solution.pk: _Layout(columns, implementing.get(solution.pk, set()))
        for solution in solutions
    }
    solution_by_id = {solution.pk: solution for solution in solutions}
    language = get_language()
    reported_once = _("Reported once for the whole consortium")
    matrix_rows: list[Row] = []
    current_solution = None
    for kpi in ordered:
        if kpi.solution_id != current_solution:
            current_solution = kpi.solution_id
            solution = solution_by_id[kpi.solution_id]
            matrix_rows.append(Row("solution", str(solution.number), solution.title))
        url = kpi_url(kpi.pk) if kpi_url else ""
        if kpi.pk in composite_ids:
            matrix_rows.append(Row("composite", kpi.code, kpi.name, kpi_id=kpi.pk, url=url))
            continue
        row = Row(
            "kpi",
            kpi.code,
            kpi.name,
            kpi_id=kpi.pk,
            url=url,
            unit=kpi.unit,
            target=formatter.target_wording(kpi),
            is_part=kpi.parent_id is not None,
        )
        row.cells = _kpi_cells(kpi, columns, layouts[kpi.solution_id], figures, formatter, language)
        if kpi.reporting_level == ReportingLevel.CONSORTIUM and columns[-1].kind == "consortium":
            row.reported_once = reported_once
        matrix_rows.append(row)
    kpi_rows = [row for row in matrix_rows if row.kind == "kpi"]
    return Matrix(
        stage=stage,
        columns=columns,
        rows=matrix_rows,
        summaries=_summaries(columns, kpi_rows),
        has_unapproved=any(cell.review for row in kpi_rows for cell in row.cells),
    )


class _Layout:
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


def _kpi_cells(
    kpi,
    columns: Sequence[Column],
    layout: _Layout,
    figures: _Figures,
    formatter: Formatter,
    language,
) -> list[Cell]:
    """One KPI's cells. Equal inputs share one judged cell, kept between requests (see
    :class:`CellMemo`): a city's cell is keyed by its stage, baseline and row, a roll-up by
    its members and their countries, rows and baselines."""
    rule = rule_for(kpi)
    kpi_id = kpi.pk
    latest = figures.stage == LATEST
    cells = [NO_CELL] * len(columns)
    if rule.reporting_level is ReportingLevel.CONSORTIUM:
        for index, kind, _key in layout.group_slots:
            if kind == "consortium":
                cells[index] = _consortium_reading_cell(kpi, rule, figures, formatter)
        return cells

    judged = CELL_MEMO.table(language, rule, figures.stage)
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
    groups = CELL_MEMO.table(language, rule, (figures.stage, "groups"))
    for index, kind, unit in layout.group_slots:
        if kind == "country":
            if rule.target_scope is not TargetScope.COUNTRY:
                continue
            members = layout.country_members.get(unit)
            if not members:
                continue
        elif has_consortium_cell(kpi):
            members = layout.members
        else:
            continue
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
    layout: _Layout,
    figures: _Figures,
    formatter: Formatter,
) -> Cell:
    """A country's or the consortium's cell: its implementing cities rolled up.

    ``keys`` are the member cities' cell keys, which end with (raw baseline, row tail).
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
    if kind == "country":
        assessment = progress.assess_country(
            rule,
            chosen,
            country=unit,
            countries_by_city=layout.countries_by_city,
            implementing=members,
            stage=stage,
            baseline=baseline,
        )
    else:
        assessment = progress.assess_consortium(
            rule,
            chosen,
            implementing=members,
            stage=stage,
            countries_by_city=layout.countries_by_city,
            baseline=baseline,
        )
    return formatter.cell(
        kpi,
        assessment,
        review="mixed" if mixed else "",
        rollup=True,
        count_met=rule.rollup is Rollup.COUNT_MET,
    )


def _consortium_reading_cell(kpi, rule: KpiRule, figures: _Figures, formatter: Formatter) -> Cell:
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
    rule: KpiRule, baselines: Mapping[Any, Any], members: Sequence, stage: str, figures: _Figures
) -> Decimal | None:
    if stage == "baseline" or len(baselines) < len(members):
        return None  # a member without a baseline: the group has none (progress.group_baseline)
    converted = {city: figures.decimal(raw) for city, raw in baselines.items()}
    return progress.group_baseline(rule, converted, members)


def _summaries(columns: Sequence[Column], rows: Sequence[Row]) -> list[Summary]:
    labels = {status: str(STATUS_LABELS[status]) for status in SUMMARY_STATUSES}
    by_column = zip(*[row.cells for row in rows], strict=True) if rows else [()] * len(columns)
    summaries = []
    for cells in by_column:
        counts = Counter(map(attrgetter("status"), cells))
        summaries.append(
            Summary(
                counts=[
                    (str(status), labels[status], counts[status]) for status in SUMMARY_STATUSES
                ],
                total=len(cells) - counts["none"],
            )
        )
    return summaries
