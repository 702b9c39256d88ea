"""The "Assessment of solution maturity" table of a unit × the three stages, as exports write it.

A unit is a city, or the consortium for the figures it reports once (the seed's UPREST
table). The figures come through the city page's own reader and reports
(:func:`kpis.dashboards.readers.city_stage_tables` and
:func:`~kpis.dashboards.readers.consortium_stage_tables`, judged by
:mod:`kpis.dashboards.reports`), so an exported figure is the one the city page shows, with
the same visibility: drafts only for those who may see them, marked as drafts.

Each figure becomes a :class:`StageValue`: a number stays a number, "not available" is the
text ``N/A``, a text answer stays text, so a spreadsheet can add the numbers up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from icc_portal.numbers import plain
from kpis.dashboards.figures import Formatter
from kpis.dashboards.readers import (
    Member,
    StageTableInputs,
    city_stage_tables,
    consortium_members,
    consortium_stage_tables,
)
from kpis.dashboards.reports import (
    Figure,
    KpiLine,
    SolutionReport,
    city_report,
    member_reports,
)
from kpis.models import Measurement, StageReview
from kpis.progress import NUMERIC_TYPES, ProgressStatus
from kpis.vocabulary import STAGE_SHORT_LABELS, STAGES, ReportingStage, maturity_title, stage_label

#: What a figure that is not available reads as, in every language (as in the deliverable).
NOT_AVAILABLE = "N/A"


@dataclass(frozen=True, slots=True)
class StageValue:
    """One figure as a cell holds it: ``value`` a ``Decimal`` (a number), a ``str`` (N/A,
    a yes/no or text answer) or ``None`` (nothing reported); ``shown`` as a document prints
    it in the active language; ``review`` is "", "draft" or "submitted"."""

    value: Decimal | str | None
    shown: str
    status: str = ""
    review: str = ""

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, Decimal)

    @property
    def marker(self) -> str:
        """ "draft" (or "submitted, not approved yet") for a figure not approved yet."""
        return draft_label(self.review) if self.review else ""


@dataclass(frozen=True, slots=True)
class TableRow:
    """A KPI with one value per stage (``None``: no cell), or a composite KPI's heading."""

    kind: str  # "kpi" or "composite"
    code: str
    name: str
    unit: str
    target: str
    is_part: bool
    values: tuple[StageValue | None, ...]
    notes: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    @property
    def html(self) -> str:
        """The row as the page and the PDF print it (``exchange/_maturity_table.html``):
        built here, every text escaped, because a programme's deliverable holds 60,000
        figures and a template costs microseconds per variable."""
        part = ' class="part"' if self.is_part else ""
        head = (
            f'<tr{part}><th scope="row"><span class="code">{escape(self.code)}</span> '
            f'<span class="kpi-name">{escape(self.label)}</span></th>'
        )
        if self.kind == "composite":
            return SafeString(f'{head}<td colspan="5"></td></tr>')
        cells = [f"<td>{escape(self.target)}</td>"]
        for value in self.values:
            if value is None or value.value is None:
                draft = " is-draft" if value is not None and value.review else ""
                cells.append(f'<td class="figure{draft}"></td>')
                continue
            shown = escape(value.shown)
            if value.review:
                cells.append(
                    f'<td class="figure is-draft">{shown} <em>({escape(value.marker)})</em></td>'
                )
            else:
                cells.append(f'<td class="figure">{shown}</td>')
        cells.append(f"<td>{escape(self.notes)}</td>")
        return SafeString(head + "".join(cells) + "</tr>")


@dataclass(frozen=True, slots=True)
class TableBlock:
    """One solution's rows."""

    number: int
    title: str
    rows: list[TableRow]

    @property
    def heading(self) -> str:
        return _("Solution %(number)s · %(title)s") % {"number": self.number, "title": self.title}


@dataclass(frozen=True, slots=True)
class MaturityTable:
    """A unit's table with what its header says: consortium, unit, dates."""

    consortium: str
    unit: str
    is_consortium: bool
    blocks: list[TableBlock]
    exported_on: datetime.date
    approved_on: datetime.date | None
    #: The date of the deliverable the figures were loaded from, if any
    #: (``Consortium.figures_approved_on``).
    deliverable_on: datetime.date | None = None

    @property
    def title(self) -> str:
        return maturity_title(self.unit)

    @property
    def stage_headings(self) -> list[str]:
        return [stage_label(stage) for stage in STAGES]

    @property
    def has_drafts(self) -> bool:
        return any(
            value is not None and value.review
            for block in self.blocks
            for row in block.rows
            for value in row.values
        )

    @property
    def approved_wording(self) -> str:
        return approval_wording(self.approved_on, self.deliverable_on)


def approval_wording(
    approved_on: datetime.date | None, deliverable_on: datetime.date | None
) -> str:
    """The header's line about approval. An approval in the portal has its day ("Figures as
    approved on 6 December 2026"); figures loaded from a deliverable approved before the
    portal are said by the deliverable's month ("Figures as approved in the deliverable
    of November 2022"), as much as a deliverable dates itself: SERN's gives its results
    "as of November 22" and no day."""
    from django.utils.formats import date_format

    if approved_on is None:
        return _("No figure has been approved yet.")
    if approved_on == deliverable_on:
        return _("Figures as approved in the deliverable of %(month)s") % {
            "month": date_format(approved_on, "F Y")
        }
    return _("Figures as approved on %(date)s") % {"date": date_format(approved_on)}


# --------------------------------------------------------------------------- values


def stage_value(line: KpiLine, figure: Figure | None, formatter: Formatter) -> StageValue | None:
    """A judged figure of the city page as a cell: number, ``N/A``, answer, or nothing."""
    if figure is None:
        return None
    cell = figure.cell
    status, review = cell.status, cell.review
    if status == ProgressStatus.NOT_AVAILABLE:
        return StageValue(NOT_AVAILABLE, NOT_AVAILABLE, status, review)
    if status == ProgressStatus.NOT_APPLICABLE:
        return StageValue(cell.label, cell.label, status, review)
    if status == ProgressStatus.NO_DATA:
        return StageValue(None, "", status, review)
    if cell.value is not None and line.value_type in NUMERIC_TYPES:
        return StageValue(Decimal(plain(cell.value)), cell.figure, status, review)
    if line.value_type == "boolean" or not figure.text:
        return StageValue(cell.figure, cell.figure, status, review)
    return StageValue(figure.text, figure.text, status, review)


def notes_of(line: KpiLine) -> str:
    """What the coordinator wrote beside the figures: once if every stage says the same,
    else stage by stage ("Midway: …; Final: …"); a reason for N/A likewise."""
    said = []
    for stage, figure in zip(STAGES, line.figures, strict=True):
        if figure is None:
            continue
        words = [text for text in (figure.note, figure.reason) if text]
        if words:
            said.append((stage, " – ".join(words)))
    if not said:
        return ""
    if len({words for _stage, words in said}) == 1 and len(said) > 1:
        return said[0][1]
    return "; ".join(
        f"{STAGE_SHORT_LABELS[ReportingStage(stage)]}: {words}" for stage, words in said
    )


def blocks_of(
    reports: Sequence[SolutionReport], *, consortium_lines: bool, formatter: Formatter
) -> list[TableBlock]:
    blocks = []
    for report in reports:
        lines = report.consortium_lines if consortium_lines else report.city_lines
        if not lines:
            continue
        rows = [
            TableRow(
                kind=line.kind,
                code=line.code,
                name=line.name,
                unit=line.unit,
                target=line.target,
                is_part=line.is_part,
                values=tuple(stage_value(line, figure, formatter) for figure in line.figures)
                if line.kind == "kpi"
                else (None,) * len(STAGES),
                notes=notes_of(line) if line.kind == "kpi" else "",
            )
            for line in lines
        ]
        blocks.append(TableBlock(report.solution.number, report.solution.title, rows))
    return blocks


# --------------------------------------------------------------------------- readers


def approval_dates(
    consortium_id: int,
    city_ids: Iterable[int] | None = None,
    *,
    loaded_on: datetime.date | None = None,
) -> dict:
    """The latest approval of each unit's figures: unit (city id, ``None`` for the
    consortium's own) -> date. Two queries: approved stage reviews and approved figures.
    Figures loaded from a published deliverable come approved without a review: they are
    dated ``loaded_on`` (the deliverable's date, ``Consortium.figures_approved_on``) when
    the consortium gives one, else by when they were stored."""
    reviews = StageReview.objects.filter(consortium_id=consortium_id, state="approved")
    figures = Measurement.objects.filter(
        kpi__solution__consortium_id=consortium_id, review_state="approved"
    )
    if city_ids is not None:
        units = Q(city_id__in=list(city_ids)) | Q(city__isnull=True)
        reviews, figures = reviews.filter(units), figures.filter(units)
    latest: dict = {}
    for rows in (
        reviews.order_by().values("city_id").annotate(last=Max("changed_at")),
        figures.order_by().values("city_id").annotate(last=Max("updated_at")),
    ):
        for row in rows:
            day = timezone.localdate(row["last"])
            if loaded_on is not None and rows.model is Measurement:
                day = loaded_on
            latest[row["city_id"]] = max(day, latest.get(row["city_id"], day))
    return latest


def _table(
    consortium, unit: str, blocks: list[TableBlock], approved_on, *, is_consortium: bool
) -> MaturityTable:
    return MaturityTable(
        consortium=consortium.name,
        unit=unit,
        is_consortium=is_consortium,
        blocks=blocks,
        exported_on=timezone.localdate(),
        approved_on=approved_on,
        deliverable_on=consortium.figures_approved_on,
    )


def city_table(user, city, consortium) -> MaturityTable:
    """One city's table in one consortium; six queries (the reader's four, two dates)."""
    tables = city_stage_tables(user, city, [consortium.pk])
    formatter = Formatter()
    blocks = blocks_of(
        city_report(city=city, tables=tables, formatter=formatter),
        consortium_lines=False,
        formatter=formatter,
    )
    dates = approval_dates(consortium.pk, [city.pk], loaded_on=consortium.figures_approved_on)
    return _table(consortium, city.name, blocks, dates.get(city.pk), is_consortium=False)


@dataclass(frozen=True, slots=True)
class ConsortiumTables:
    """Every city's table and the consortium's own, with what they were read from."""

    cities: list[MaturityTable]
    consortium: MaturityTable
    members: list[Member]
    inputs: StageTableInputs


def consortium_tables(user, consortium) -> ConsortiumTables:
    """Every member city's table (those with figures to report) and the consortium's own
    table; nine queries whatever the size (the reader's six, the members, two dates)."""
    tables = consortium_stage_tables(user, consortium)
    members = consortium_members(consortium.pk)
    dates = approval_dates(consortium.pk, loaded_on=consortium.figures_approved_on)
    formatter = Formatter()
    by_city, own_reports = member_reports(cities=members, tables=tables, formatter=formatter)
    city_tables = []
    for member in members:
        blocks = blocks_of(by_city[member.pk], consortium_lines=False, formatter=formatter)
        if blocks:
            city_tables.append(
                _table(consortium, member.name, blocks, dates.get(member.pk), is_consortium=False)
            )
    own = blocks_of(own_reports, consortium_lines=True, formatter=formatter)
    name = consortium.short_name or consortium.name
    consortium_table = _table(consortium, name, own, dates.get(None), is_consortium=True)
    return ConsortiumTables(city_tables, consortium_table, members, tables)


def draft_label(review: str) -> str:
    """How a document marks a figure that is not approved yet."""
    if review == "submitted":
        return pgettext("figure", "submitted, not approved yet")
    return pgettext("figure", "draft")
