"""The entry grid's template: one row per KPI the unit enters at a stage, as XLSX or CSV.

The XLSX has a sheet of figures (locked cells for what describes the KPI, open cells with
lists for what the coordinator fills in, a hidden version column per row) and a hidden,
protected sheet that says whose template it is: the kind, the consortium, the city, the
stage, the name of the figures sheet and its column headings. :mod:`kpis.exchange.reading`
reads all of it back and refuses a file that is not this template, or not this page's.

The CSV has the same columns under their keys, with the city and stage on every row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kpis.models import KPI, Measurement
from kpis.reporting.grid import Grid, GridRow
from kpis.vocabulary import change_target_wording

from .xlsx import BOLD, FILLS, WRAP, cell_value, save

TEMPLATE_KIND = "icc-portal-entry-template"
TEMPLATE_VERSION = "1"
META_SHEET = "_template"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
LOCKED_FILL = PatternFill("solid", start_color="EEF0F3", end_color="EEF0F3")


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    key: str  # the CSV heading, and the RowInput field for editable columns
    label: object  # the XLSX heading (lazy translation)
    width: int
    editable: bool = False
    hidden: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(COLUMNS.index(self) + 1)


COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("kpi_code", gettext_lazy("Code"), 8),
    TemplateColumn("kpi", gettext_lazy("KPI"), 44),
    TemplateColumn("unit", gettext_lazy("Unit"), 12),
    TemplateColumn("value_type", gettext_lazy("Value type"), 12),
    TemplateColumn("target", gettext_lazy("Target"), 18),
    TemplateColumn("target_scope", gettext_lazy("Target scope"), 14),
    TemplateColumn("value", gettext_lazy("Value"), 12, editable=True),
    TemplateColumn("boolean_value", gettext_lazy("Yes/no"), 9, editable=True),
    TemplateColumn("text_value", gettext_lazy("Answer in words"), 30, editable=True),
    TemplateColumn("status", gettext_lazy("Status"), 22, editable=True),
    TemplateColumn("reason", gettext_lazy("Reason (if not available)"), 24, editable=True),
    TemplateColumn("note", gettext_lazy("Note"), 30, editable=True),
    TemplateColumn("evidence_url", gettext_lazy("Evidence link"), 26, editable=True),
    TemplateColumn("as_of", gettext_lazy("As of"), 12, editable=True),
    TemplateColumn("version", "version", 8, hidden=True),
    TemplateColumn("kpi_id", "kpi_id", 8, hidden=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
#: The CSV's columns: the unit and stage on every row, then the template's.
CSV_COLUMNS = ("city", "consortium", "stage", *(column.key for column in COLUMNS))


def status_labels() -> list[str]:
    return [str(label) for _value, label in Measurement.Status.choices]


def yes_no_labels() -> list[str]:
    return [_("Yes"), _("No")]


def unit_keys(grid: Grid) -> dict[str, str]:
    """What the template says about whose it is (slugs, so any language reads them)."""
    consortia = sorted({section.consortium.slug for section in grid.sections})
    return {
        "city": grid.city.slug if grid.city is not None else "",
        "consortium": grid.consortium.slug if grid.consortium is not None else ",".join(consortia),
        "stage": grid.stage,
    }


def template_target(row: GridRow) -> str:
    """The target as the grid says it; for a change from the baseline, the unit's own
    ("+50 % from 1 = 1.5", or that it has no baseline figure yet)."""
    kpi = row.kpi
    if kpi.target_basis == KPI.TargetBasis.CHANGE and kpi.target_value is not None:
        return row.own_target or change_target_wording(kpi.target_value, kpi.target_scope)
    return kpi.target_text or (
        formats.number_format(cell_value(kpi.target_value)) if kpi.target_value else ""
    )


def figure_cells(row: GridRow) -> dict[str, object]:
    """A row's values, as the template's columns hold them."""
    kpi, measurement = row.kpi, row.measurement
    values: dict[str, object] = {
        "kpi_code": kpi.code,
        "kpi": kpi.name,
        "unit": kpi.unit,
        "value_type": str(KPI.ValueType(kpi.value_type).label),
        "target": template_target(row),
        "target_scope": str(KPI.TargetScope(kpi.target_scope).label),
        "version": measurement.version if measurement is not None else 0,
        "kpi_id": kpi.pk,
    }
    if measurement is not None and measurement.status != Measurement.Status.NOT_REPORTED:
        boolean = measurement.boolean_value
        values.update(
            value=cell_value(measurement.value) if measurement.value is not None else None,
            boolean_value=None if boolean is None else (_("Yes") if boolean else _("No")),
            text_value=measurement.text_value,
            status=str(Measurement.Status(measurement.status).label),
            reason=measurement.reason,
            note=measurement.note,
            evidence_url=measurement.evidence_url,
            as_of=measurement.as_of,
        )
    return values


def template_workbook(grid: Grid, rows: Sequence[GridRow]) -> bytes:
    """The XLSX template of ``rows`` (the grid's rows the user may enter)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    meta = workbook.create_sheet(META_SHEET)
    title = _("%(unit)s: %(stage)s") % {
        "unit": grid.city.name if grid.city else grid.consortium.display_name,
        "stage": grid.stage_label,
    }
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _(
        "Fill in the white cells, save, and upload this file on the entry grid's "
        "“Upload” page: you see what will change before anything is stored. Type "
        "numbers as numbers and dates as dates; leave a row as it is to change nothing."
    )
    sheet["A2"].alignment = Alignment(wrap_text=False)
    headers = [str(column.label) for column in COLUMNS]
    for index, (column, header) in enumerate(zip(COLUMNS, headers, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=header)
        cell.font, cell.fill, cell.alignment = BOLD, FILLS["heading"], WRAP
        sheet.column_dimensions[column.letter].width = column.width
        sheet.column_dimensions[column.letter].hidden = column.hidden
    for offset, row in enumerate(rows):
        _write_row(sheet, FIRST_ROW + offset, row)
    last = FIRST_ROW + max(len(rows), 1) - 1
    _validations(sheet, last, len(status_labels()))
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    _write_meta(meta, grid, sheet.title, headers, len(rows))
    return save(workbook)


def _write_row(sheet, number: int, row: GridRow) -> None:
    values = figure_cells(row)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=number, column=index, value=values.get(column.key))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # a note that starts with "=" stays words
        if column.key == "as_of":
            cell.number_format = "yyyy-mm-dd"
        if column.editable and not row.lock:
            cell.protection = Protection(locked=False)
        elif column.editable:
            cell.fill = LOCKED_FILL
    if row.lock:
        comment = Comment(row.lock_message, "ICC Portal")
        sheet.cell(row=number, column=1).comment = comment


def _validations(sheet, last: int, status_count: int) -> None:
    def column_range(key: str) -> str:
        letter = BY_KEY[key].letter
        return f"{letter}{FIRST_ROW}:{letter}{last}"

    rules = [
        (
            DataValidation(
                type="list", formula1=f"'{META_SHEET}'!$B$1:$B${status_count}", allow_blank=True
            ),
            "status",
        ),
        (
            DataValidation(type="list", formula1=f"'{META_SHEET}'!$C$1:$C$2", allow_blank=True),
            "boolean_value",
        ),
        (
            DataValidation(
                type="decimal",
                operator="between",
                formula1="-1000000000000",
                formula2="1000000000000",
                allow_blank=True,
            ),
            "value",
        ),
        (
            DataValidation(type="date", operator="greaterThan", formula1="32874", allow_blank=True),
            "as_of",
        ),
    ]
    for validation, key in rules:
        validation.error = _("Choose from the list, or type a number or a date as the column asks.")
        validation.showErrorMessage = True
        validation.add(column_range(key))
        sheet.add_data_validation(validation)


def _write_meta(meta, grid: Grid, figures_title: str, headers: list[str], count: int) -> None:
    """Key and value in column A and D, the lists in B and C (for the data validation)."""
    facts = {
        "kind": TEMPLATE_KIND,
        "version": TEMPLATE_VERSION,
        **unit_keys(grid),
        "sheet": figures_title,
        "rows": str(count),
        "language": get_language() or "en",
        "created": timezone.now().isoformat(timespec="seconds"),
        "headers": "\t".join(headers),
    }
    for number, (key, value) in enumerate(facts.items(), start=1):
        meta.cell(row=number, column=4, value=key).data_type = "s"
        meta.cell(row=number, column=5, value=value).data_type = "s"
    for number, label in enumerate(status_labels(), start=1):
        meta.cell(row=number, column=2, value=label)
    for number, label in enumerate(yes_no_labels(), start=1):
        meta.cell(row=number, column=3, value=label)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True


def template_csv_rows(grid: Grid, rows: Sequence[GridRow]) -> Iterator[dict]:
    """The CSV template's rows: the unit and stage, then the template's columns, numbers
    and dates written as the user's language writes them (the import reads them so)."""
    unit = unit_keys(grid)
    for row in rows:
        values = {**unit, **figure_cells(row)}
        if values.get("value") is not None:
            values["value"] = formats.number_format(values["value"])
        if values.get("as_of") is not None:
            values["as_of"] = values["as_of"].isoformat()
        yield values
