"""Workbooks (openpyxl): the maturity tables, and the overview matrix one sheet per solution.

Numbers are written as numbers, "not available" as the text ``N/A``, text answers as text;
labels in the requester's language. Text that a spreadsheet would run as a formula is
written as a plain string cell (openpyxl's ``data_type = "s"``), never as a formula.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from copy import copy
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from icc_portal.numbers import plain
from kpis.dashboards.figures import STATUS_LABELS, Cell
from kpis.dashboards.matrix import SUMMARY_STATUSES, Matrix
from kpis.progress import NUMERIC_TYPES
from kpis.vocabulary import stage_heading

from .tables import MaturityTable, StageValue, draft_label

#: The dashboards' status colours (static/css/portal.css, the light backgrounds).
STATUS_FILLS = {
    "achieved": "E3F2E7",
    "on_track": "E2EEFA",
    "behind": "FBE6E6",
    "starting_point": "E8EEF4",
    "no_baseline": "F3E8F7",
    "no_data": "EEF0F3",
    "not_available": "FDF1D8",
    "not_applicable": "EEF0F3",
    "qualitative": "EFE8F8",
    "incomplete": "EEF0F3",
}
DRAFT_FILL = "FFF4CC"
HEADING_FILL = "DCE6F0"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
ITALIC = Font(italic=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
FILLS = {
    key: PatternFill("solid", start_color=colour, end_color=colour)
    for key, colour in {**STATUS_FILLS, "draft": DRAFT_FILL, "heading": HEADING_FILL}.items()
}


def sheet_title(text: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = _SHEET_FORBIDDEN.sub(" ", text).strip().strip("'")[:31] or "Sheet"
    title, number = base, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def cell_value(value):
    """A value as a cell holds it: numbers as int or float, text as text."""
    if isinstance(value, Decimal):
        number = Decimal(plain(value))
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def as_printed(sheet, *, title_rows: int | None = None) -> None:
    """Printed as a committee pastes it: A4 landscape, every column on one page's width
    (as many pages down as it takes), the column headings on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if title_rows:
        sheet.print_title_rows = f"{title_rows}:{title_rows}"


def written_date(value: datetime.date) -> str:
    """A date as the reader's language writes it (6 December 2026, 6 dicembre 2026)."""
    return formats.date_format(value, "DATE_FORMAT")


#: Points per line of 11-point text, for rows whose wrapped text takes several lines.
LINE_HEIGHT = 15


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide, wrapped at
    words, a word longer than the column broken across lines (a spreadsheet does not
    grow a row by itself when it opens a file)."""
    width = max(int(width), 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        line = 0
        for word in paragraph.split() or [""]:
            size = len(word)
            if line and line + 1 + size > width:
                lines, line = lines + 1, 0
            if size > width:  # broken: whole lines of it, the rest begins the next
                lines, size = lines + (size - 1) // width, (size - 1) % width + 1
            line = line + 1 + size if line else size
        lines += 1
    return max(lines, 1)


def row_height(texts) -> float | None:
    """The height (points) of a row whose wrapped cells hold ``texts``, (text, column
    width) pairs; ``None`` for a row of one line, which keeps the default height."""
    lines = max((lines_needed(text, width) for text, width in texts if text), default=1)
    return LINE_HEIGHT * lines if lines > 1 else None


#: Characters a bold heading loses to its wider letters in a column of a given width.
BOLD_MARGIN = 2


def save(workbook: Workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# --------------------------------------------------------------------------- maturity


def _text_cell(sheet, row: int, column: int, value, **style):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never read as a formula, whatever it starts with
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


#: The row of a maturity sheet's column headings (the header facts and a draft note above).
HEADER_ROW = 8


def maturity_workbook(tables: Sequence[MaturityTable]) -> bytes:
    """One sheet per table, laid out as the deliverable's "Assessment of solution maturity"."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        write_maturity_sheet(workbook.create_sheet(sheet_title(table.unit, taken)), table)
    if not tables:
        workbook.create_sheet(_("Tables"))
    return save(workbook)


def write_maturity_sheet(sheet, table: MaturityTable) -> None:
    facts = [
        (_("Consortium"), table.consortium),
        (_("Reported by") if table.is_consortium else _("City"), table.unit),
        (_("Exported on"), table.exported_on),
        (_("Approval"), table.approved_wording),
    ]
    _text_cell(sheet, 1, 1, table.title, font=TITLE)
    for offset, (label, value) in enumerate(facts, start=2):
        _text_cell(sheet, offset, 1, label, font=BOLD)
        if isinstance(value, datetime.date):
            value = written_date(value)
        _text_cell(sheet, offset, 2, value)
    if table.has_drafts:
        note = _("Figures marked as drafts are not approved yet.")
        _text_cell(sheet, len(facts) + 2, 1, note, font=ITALIC, fill=FILLS["draft"])
    row = HEADER_ROW
    headings = [_("Code"), _("KPI"), _("Target"), *table.stage_headings, _("Notes")]
    for column, heading in enumerate(headings, start=1):
        _text_cell(sheet, row, column, heading, font=BOLD, fill=FILLS["heading"], alignment=WRAP)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=3)
    # The code column is as wide as the facts' labels above it, so none is cut.
    widths = (max(8, *(len(str(label)) + 2 for label, _value in facts)), 48, 24, 18, 18, 18, 48)
    sheet.row_dimensions[row].height = row_height(
        (str(heading), width - BOLD_MARGIN) for heading, width in zip(headings, widths, strict=True)
    )
    for block in table.blocks:
        row += 1
        _text_cell(sheet, row, 1, block.heading, font=BOLD)
        for line in block.rows:
            row += 1
            font = BOLD if line.kind == "composite" else None
            _text_cell(sheet, row, 1, line.code, font=font, alignment=TOP)
            _text_cell(sheet, row, 2, line.label, alignment=WRAP)
            texts = [(line.label, widths[1])]
            if line.kind != "composite":
                _text_cell(sheet, row, 3, line.target, alignment=WRAP)
                drafts = []
                for column, value in enumerate(line.values, start=4):
                    _write_stage_value(sheet, row, column, value)
                    if value is not None and value.review:
                        heading = table.stage_headings[column - 4]
                        drafts.append(f"{heading}: {draft_label(value.review)}")
                notes = "; ".join([line.notes, *drafts]) if line.notes else "; ".join(drafts)
                _text_cell(sheet, row, 4 + len(line.values), notes, alignment=WRAP)
                texts += [(line.target, widths[2]), (notes, widths[-1])]
                texts += [
                    (value.value, widths[3])
                    for value in line.values
                    if value is not None and isinstance(value.value, str)
                ]
            sheet.row_dimensions[row].height = row_height(texts)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    as_printed(sheet, title_rows=HEADER_ROW)


def _write_stage_value(sheet, row: int, column: int, value: StageValue | None) -> None:
    if value is None or value.value is None:
        return
    cell = _text_cell(sheet, row, column, cell_value(value.value), alignment=WRAP)
    if value.review:
        cell.fill = FILLS["draft"]
        cell.font = ITALIC


# --------------------------------------------------------------------------- matrix


def matrix_workbook(
    matrix: Matrix,
    *,
    consortium,
    kpis: Sequence,
    exported_on: datetime.date,
    approved: str = "",
    facts: Sequence[tuple[str, str]] = (),
    properties: dict | None = None,
) -> bytes:
    """The overview's matrix: a summary sheet, then one sheet per solution with, for every
    column of the page (city, country total, consortium), the figure and its status in
    words, both filled with the status colour.

    ``facts`` are more (label, value) rows of the summary's header (the open data's
    licence and source); ``properties`` the workbook's document properties (openpyxl's
    ``CoreProperties`` names: title, description, identifier, created…)."""
    workbook = Workbook(write_only=True)
    for name, value in (properties or {}).items():
        setattr(workbook.properties, name, value)
    value_types = {kpi.pk: kpi.value_type for kpi in kpis}
    taken: set[str] = set()
    summary = SizedRows(workbook.create_sheet(sheet_title(_("Summary"), taken)))
    as_printed(summary.sheet)
    _summary_sheet(summary, matrix, consortium, approved, exported_on, facts)
    current = None
    widths = [*MATRIX_WIDTHS, *(VALUE_WIDTH, STATUS_WIDTH) * len(matrix.columns)]
    for row in matrix.rows:
        if row.kind == "solution":
            sheet = workbook.create_sheet(sheet_title(f"{row.code} {row.name}", taken))
            as_printed(sheet, title_rows=MATRIX_HEADER_ROW)
            current = SizedRows(sheet)
            _solution_header(current, matrix, row, widths)
            continue
        current.append(*_matrix_row(current.sheet, matrix, row, value_types, widths))
    return save(workbook)


def _cell(sheet, value, *, font=None, fill=None, alignment=None):
    """A write-only cell. Each (font, fill) pair is registered in the workbook once and its
    style copied after that: openpyxl hashes a whole style on every assignment, which
    costs more than the rest of a 40,000-cell matrix."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is None and fill is None and alignment is None:
        return cell
    styles = sheet.parent.__dict__.setdefault("_icc_styles", {})
    key = (id(font), id(fill), id(alignment))
    style = styles.get(key)
    if style is None:
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        styles[key] = copy(cell._style)
    else:
        cell._style = copy(style)
    return cell


class SizedRows:
    """A write-only sheet's rows, each as tall as its wrapped text needs: a write-only
    sheet takes a row's height before the row is written, and a spreadsheet does not grow
    a row by itself when it opens a file."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.written = 0

    def append(self, values: list, texts: Sequence[tuple[str, float]] = ()) -> None:
        self.written += 1
        height = row_height(texts)
        if height is not None:
            self.sheet.row_dimensions[self.written].height = height
        self.sheet.append(values)


#: The narrowest column of the summary's counts (characters).
SUMMARY_COUNT_WIDTH = 10


def _summary_sheet(
    rows: SizedRows,
    matrix: Matrix,
    consortium,
    approved: str,
    exported_on: datetime.date,
    facts: Sequence[tuple[str, str]] = (),
) -> None:
    sheet = rows.sheet
    labels = [str(STATUS_LABELS[status]) for status in SUMMARY_STATUSES]
    headings = [_("Column"), _("Country"), *labels, _("KPIs with a cell")]
    # Every column as wide as its heading (bold), so none is cut on paper; a write-only
    # sheet takes its columns' widths before its first row.
    widths = [28] + [max(SUMMARY_COUNT_WIDTH, len(text) + BOLD_MARGIN) for text in headings[1:]]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    rows.append([_cell(sheet, consortium.name, font=TITLE)])
    rows.append([_cell(sheet, _("Stage"), font=BOLD), stage_heading(matrix.stage)])
    rows.append([_cell(sheet, _("Exported on"), font=BOLD), written_date(exported_on)])
    if approved:
        rows.append([_cell(sheet, _("Approval"), font=BOLD), approved])
    for label, value in facts:
        rows.append([_cell(sheet, label, font=BOLD), _cell(sheet, value)])
    if matrix.has_unapproved:
        rows.append([_cell(sheet, _("Includes figures not approved yet."), font=ITALIC)])
    rows.append([])
    rows.append([_cell(sheet, text, font=BOLD, fill=FILLS["heading"]) for text in headings])
    for column, result in zip(matrix.columns, matrix.summaries, strict=True):
        counts = [count for _status, _label, count in result.counts]
        rows.append([_cell(sheet, column.label), column.country, *counts, result.total])


#: The row of a solution sheet's column headings (below its title, its stage, a gap).
MATRIX_HEADER_ROW = 4


#: Widths (characters) of a solution sheet's columns: code, KPI, unit, target, then for
#: every column of the page its figure and its status in words.
MATRIX_WIDTHS = (8, 44, 12, 22)
VALUE_WIDTH, STATUS_WIDTH = 12, 26


def _solution_header(rows: SizedRows, matrix: Matrix, row, widths: Sequence[int]) -> None:
    sheet = rows.sheet
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    heading = _("Solution %(number)s · %(title)s") % {"number": row.code, "title": row.name}
    rows.append([_cell(sheet, heading, font=TITLE)])
    rows.append([_cell(sheet, _("Stage"), font=BOLD), stage_heading(matrix.stage)])
    rows.append([])
    headings = [_("Code"), _("KPI"), _("Unit"), _("Target")]
    for column in matrix.columns:
        headings += [column.label, _("%(column)s: status") % {"column": column.label}]
    rows.append(
        [_cell(sheet, text, font=BOLD, fill=FILLS["heading"], alignment=WRAP) for text in headings],
        [(text, width - BOLD_MARGIN) for text, width in zip(headings, widths, strict=True)],
    )


def _matrix_row(
    sheet, matrix: Matrix, row, value_types: dict, widths: Sequence[int]
) -> tuple[list, list]:
    """A KPI's (or a composite's) cells, and the texts that wrap in them with their
    columns' widths."""
    if row.kind == "composite":
        name = _cell(sheet, row.name, font=BOLD, alignment=WRAP)
        code = _cell(sheet, row.code, font=BOLD, alignment=TOP)
        return [code, name], [(row.name, widths[1] - BOLD_MARGIN)]
    values = [_cell(sheet, row.code, alignment=TOP), _cell(sheet, row.name, alignment=WRAP)]
    values += [_cell(sheet, row.unit, alignment=WRAP), _cell(sheet, row.target, alignment=WRAP)]
    texts = [(row.name, widths[1]), (row.unit, widths[2]), (row.target, widths[3])]
    value_type = value_types.get(row.kpi_id, "")
    for position, cell in enumerate(row.cells):
        column = len(MATRIX_WIDTHS) + 2 * position
        if cell.status == "none":
            text = row.reported_once if row.reported_once and position == 0 else None
            # Unwrapped: it runs on over the empty cells of the cities beside it.
            values += [_cell(sheet, text, font=ITALIC if text else None), None]
            continue
        fill = FILLS.get(cell.status)
        value, words = matrix_value(cell, value_type), status_words(cell)
        # A text answer wraps in its column like the status words beside it.
        alignment = WRAP if isinstance(value, str) else TOP
        values.append(_cell(sheet, value, fill=fill, alignment=alignment))
        values.append(_cell(sheet, words, fill=fill, alignment=WRAP))
        if isinstance(value, str):
            texts.append((value, widths[column]))
        texts.append((words, widths[column + 1]))
    return values, texts


def matrix_value(cell: Cell, value_type: str):
    if cell.status == "not_available":
        return "N/A"
    if cell.value is not None and (value_type in NUMERIC_TYPES or cell.note):
        return cell_value(cell.value)
    return cell.figure or None


def status_words(cell: Cell) -> str:
    """The status as the page says it: label, percentage, stage, review, what it rests on."""
    words = [cell.label]
    if cell.percent:
        words.append(cell.percent)
    if cell.baseline is not None and cell.target:
        words.append(cell.target)  # a unit's own target from its baseline: "−20 % from 72.5 = 58"
    if cell.stage:
        words.append(stage_heading(cell.stage))
    if cell.review:
        words.append(cell.review_label)
    if cell.note:
        words.append(cell.note)
    return " · ".join(words)
