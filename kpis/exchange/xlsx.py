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
        cell = _text_cell(sheet, offset, 2, value)
        if isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
    if table.has_drafts:
        note = _("Figures marked as drafts are not approved yet.")
        _text_cell(sheet, len(facts) + 2, 1, note, font=ITALIC, fill=FILLS["draft"])
    row = HEADER_ROW
    headings = [_("Code"), _("KPI"), _("Target"), *table.stage_headings, _("Notes")]
    for column, heading in enumerate(headings, start=1):
        _text_cell(sheet, row, column, heading, font=BOLD, fill=FILLS["heading"], alignment=WRAP)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=3)
    for block in table.blocks:
        row += 1
        _text_cell(sheet, row, 1, block.heading, font=BOLD)
        for line in block.rows:
            row += 1
            _text_cell(sheet, row, 1, line.code, font=BOLD if line.kind == "composite" else None)
            _text_cell(sheet, row, 2, line.label, alignment=WRAP)
            if line.kind == "composite":
                continue
            _text_cell(sheet, row, 3, line.target, alignment=WRAP)
            drafts = []
            for column, value in enumerate(line.values, start=4):
                _write_stage_value(sheet, row, column, value)
                if value is not None and value.review:
                    heading = table.stage_headings[column - 4]
                    drafts.append(f"{heading}: {draft_label(value.review)}")
            notes = "; ".join([line.notes, *drafts]) if line.notes else "; ".join(drafts)
            _text_cell(sheet, row, 4 + len(line.values), notes, alignment=WRAP)
    for column, width in enumerate((8, 48, 24, 18, 18, 18, 48), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


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
) -> bytes:
    """The overview's matrix: a summary sheet, then one sheet per solution with, for every
    column of the page (city, country total, consortium), the figure and its status in
    words, both filled with the status colour."""
    workbook = Workbook(write_only=True)
    value_types = {kpi.pk: kpi.value_type for kpi in kpis}
    taken: set[str] = set()
    summary = workbook.create_sheet(sheet_title(_("Summary"), taken))
    _summary_sheet(summary, matrix, consortium, approved, exported_on)
    current = None
    for row in matrix.rows:
        if row.kind == "solution":
            current = workbook.create_sheet(sheet_title(f"{row.code} {row.name}", taken))
            _solution_header(current, matrix, row)
            continue
        current.append(_matrix_row(current, matrix, row, value_types))
    return save(workbook)


def _cell(sheet, value, *, font=None, fill=None):
    """A write-only cell. Each (font, fill) pair is registered in the workbook once and its
    style copied after that: openpyxl hashes a whole style on every assignment, which
    costs more than the rest of a 40,000-cell matrix."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is None and fill is None:
        return cell
    styles = sheet.parent.__dict__.setdefault("_icc_styles", {})
    key = (id(font), id(fill))
    style = styles.get(key)
    if style is None:
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        styles[key] = copy(cell._style)
    else:
        cell._style = copy(style)
    return cell


def _summary_sheet(
    sheet, matrix: Matrix, consortium, approved: str, exported_on: datetime.date
) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.append([_cell(sheet, consortium.name, font=TITLE)])
    sheet.append([_cell(sheet, _("Stage"), font=BOLD), stage_heading(matrix.stage)])
    exported = WriteOnlyCell(sheet, value=exported_on)
    exported.number_format = "yyyy-mm-dd"
    sheet.append([_cell(sheet, _("Exported on"), font=BOLD), exported])
    if approved:
        sheet.append([_cell(sheet, _("Approval"), font=BOLD), approved])
    if matrix.has_unapproved:
        sheet.append([_cell(sheet, _("Includes figures not approved yet."), font=ITALIC)])
    sheet.append([])
    labels = [str(STATUS_LABELS[status]) for status in SUMMARY_STATUSES]
    sheet.append(
        [
            _cell(sheet, heading, font=BOLD, fill=FILLS["heading"])
            for heading in [_("Column"), _("Country"), *labels, _("KPIs with a cell")]
        ]
    )
    for column, result in zip(matrix.columns, matrix.summaries, strict=True):
        counts = [count for _status, _label, count in result.counts]
        sheet.append([_cell(sheet, column.label), column.country, *counts, result.total])


def _solution_header(sheet, matrix: Matrix, row) -> None:
    for letter, width in (("A", 8), ("B", 44), ("C", 10), ("D", 22)):
        sheet.column_dimensions[letter].width = width
    heading = _("Solution %(number)s · %(title)s") % {"number": row.code, "title": row.name}
    sheet.append([_cell(sheet, heading, font=TITLE)])
    sheet.append([_cell(sheet, _("Stage"), font=BOLD), stage_heading(matrix.stage)])
    sheet.append([])
    headings = [_("Code"), _("KPI"), _("Unit"), _("Target")]
    for column in matrix.columns:
        headings += [column.label, _("%(column)s: status") % {"column": column.label}]
    sheet.append([_cell(sheet, text, font=BOLD, fill=FILLS["heading"]) for text in headings])


def _matrix_row(sheet, matrix: Matrix, row, value_types: dict) -> list:
    if row.kind == "composite":
        return [_cell(sheet, row.code, font=BOLD), _cell(sheet, row.name, font=BOLD)]
    values = [_cell(sheet, row.code), _cell(sheet, row.name), _cell(sheet, row.unit)]
    values.append(_cell(sheet, row.target))
    value_type = value_types.get(row.kpi_id, "")
    for position, cell in enumerate(row.cells):
        if cell.status == "none":
            text = row.reported_once if row.reported_once and position == 0 else None
            values += [_cell(sheet, text, font=ITALIC if text else None), None]
            continue
        fill = FILLS.get(cell.status)
        values.append(_cell(sheet, matrix_value(cell, value_type), fill=fill))
        values.append(_cell(sheet, status_words(cell), fill=fill))
    return values


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
    if cell.stage:
        words.append(stage_heading(cell.stage))
    if cell.review:
        words.append(cell.review_label)
    if cell.note:
        words.append(cell.note)
    return " · ".join(words)
