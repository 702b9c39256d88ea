"""A consortium matrix as a page prints it: columns, rows of judged cells, summaries.

Built by :func:`kpis.dashboards.build.build_matrix`; plain objects, no ORM. The rows, the
column headings and the summary line carry their own HTML (every text escaped),
because an overview can hold 20,000 cells and a template costs microseconds each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kpis.progress import ProgressStatus, ReportingLevel, Rollup, TargetScope
from kpis.vocabulary import stage_heading

from .figures import Cell

#: The statuses a summary line counts, in the order it shows them: every state a cell
#: can have ("reported", a figure with no target of its own, included).
SUMMARY_STATUSES = (
    ProgressStatus.ACHIEVED,
    ProgressStatus.ON_TRACK,
    ProgressStatus.BEHIND,
    ProgressStatus.STARTING_POINT,
    ProgressStatus.NO_BASELINE,
    ProgressStatus.QUALITATIVE,
    ProgressStatus.INCOMPLETE,
    ProgressStatus.NOT_AVAILABLE,
    ProgressStatus.NOT_APPLICABLE,
    ProgressStatus.NO_DATA,
)


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
        # In words as well as glyph and colour; a status no cell of the column has is left out.
        counts = "".join(
            f'<span class="count count-{status}"><span class="count-word">{escape(label)}</span>'
            f": {count}</span>"
            for status, label, count in self.counts
            if count
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
        span = len(self.cells) - 1  # no city or country column at all: nothing to span
        if not self.reported_once or not span:
            return SafeString("".join([cell.html for cell in self.cells]))  # cells are escaped
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
    #: For a matrix put together from kept parts (:func:`composed`): how many rows they
    #: have (their ``Row`` objects are not kept, only their HTML).
    row_count: int | None = None

    @property
    def has_rows(self) -> bool:
        return bool(self.rows) if self.row_count is None else self.row_count > 0

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
        return stage_heading(self.stage)

    @property
    def is_large(self) -> bool:
        """Too big to read whole on one screen: scroll it, headings kept in view."""
        count = len(self.rows) if self.row_count is None else self.row_count
        return len(self.columns) > 12 or count > 40

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


@dataclass(slots=True)
class MatrixPart:
    """One solution's rows of a matrix as the overview keeps them: their HTML, each
    column's summary, whether a cell is not yet approved, how many rows; and, only when
    built in this request, the rows themselves (never kept: :meth:`kept`)."""

    body_html: str
    summaries: list[Summary]
    has_unapproved: bool
    row_count: int
    rows: list[Row] | None = None

    @classmethod
    def of(cls, matrix: Matrix) -> MatrixPart:
        return cls(
            body_html=str(matrix.body_html),
            summaries=matrix.summaries,
            has_unapproved=matrix.has_unapproved,
            row_count=len(matrix.rows),
            rows=matrix.rows,
        )

    def kept(self) -> MatrixPart:
        """What the cache holds: all but the rows."""
        return MatrixPart(self.body_html, self.summaries, self.has_unapproved, self.row_count)


def composed(stage: str, columns: list[Column], parts: Sequence[MatrixPart]) -> Matrix:
    """The matrix of these solutions' parts, in order: their rows one after the other, each
    column's summary the sum of theirs (what one build of every row would count). The
    rows themselves are there when every part was built in this request."""
    summaries = []
    for index in range(len(columns)):
        counts: dict[str, int] = {}
        labels: dict[str, str] = {}
        total = 0
        for part in parts:
            summary = part.summaries[index]
            total += summary.total
            for status, label, count in summary.counts:
                counts[status] = counts.get(status, 0) + count
                labels[status] = label
        order = [str(status) for status in SUMMARY_STATUSES]
        summaries.append(
            Summary(
                counts=[
                    (status, labels[status], counts[status]) for status in order if status in counts
                ],
                total=total,
            )
        )
    built = all(part.rows is not None for part in parts)
    matrix = Matrix(
        stage=stage,
        columns=columns,
        rows=[row for part in parts for row in part.rows] if built else [],
        summaries=summaries,
        has_unapproved=any(part.has_unapproved for part in parts),
        row_count=sum(part.row_count for part in parts),
    )
    matrix._html["body"] = SafeString("".join(part.body_html for part in parts))
    return matrix


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
