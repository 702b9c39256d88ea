"""A workbook read back as this page's template (kpis.exchange.reading.read_upload): the
facts its hidden sheet keeps, its sheets, its headings, its last row and its merged cells,
each refusal word for word with its code.

Plain logic on the template Vänersborg's coordinator downloads (14 KPIs): each test
changes one thing a person (or a program) could change, and reads the file as the import
does. The pages and the API show the same refusals (test_bad_files.py).
"""

from __future__ import annotations

import pytest

from kpis.exchange.bounds import SPARE_ROWS, Deadline, FileRefused
from kpis.exchange.reading import XLSX, read_upload
from kpis.exchange.template import FIRST_ROW, META_SHEET, TEMPLATE_VERSION
from tests.helpers.exchange import as_bytes, figures_sheet

pytestmark = pytest.mark.django_db

UNIT = {"city": "vanersborg", "consortium": "sern", "stage": "final"}
KPIS = 14  # the KPIs Vänersborg's coordinator enters at the final stage
LAST = FIRST_ROW + KPIS - 1 + SPARE_ROWS  # the last row the template can hold


def read(workbook):
    return read_upload(as_bytes(workbook), expected=dict(UNIT), max_rows=KPIS, deadline=Deadline())


def refusal(workbook) -> tuple[str, str]:
    with pytest.raises(FileRefused) as refused:
        read(workbook)
    return refused.value.message, refused.value.code


def fact_rows(workbook) -> dict[str, int]:
    """The hidden sheet's facts: key (column D) -> its row."""
    meta = workbook[META_SHEET]
    return {
        meta.cell(row=row, column=4).value: row
        for row in range(1, meta.max_row + 1)
        if isinstance(meta.cell(row=row, column=4).value, str)
    }


def set_fact(workbook, key: str, value) -> None:
    workbook[META_SHEET].cell(row=fact_rows(workbook)[key], column=5).value = value


def drop_fact(workbook, key: str) -> None:
    row = fact_rows(workbook)[key]
    workbook[META_SHEET].cell(row=row, column=4).value = None
    workbook[META_SHEET].cell(row=row, column=5).value = None


def test_the_template_as_downloaded_is_read_with_its_kind_unit_and_rows(template):
    upload = read(template)
    assert (upload.kind, upload.unit) == (XLSX, UNIT)
    # Each KPI's row (its hidden id and version fill it), none of the spare rows after.
    assert [row.number for row in upload.rows] == list(range(FIRST_ROW, FIRST_ROW + KPIS))


def test_the_version_read_is_named_or_a_question_mark_when_there_is_none(template):
    set_fact(template, "version", "2")
    assert refusal(template) == (
        f"This template is of another version (2) than the one this page reads "
        f"({TEMPLATE_VERSION}): download a fresh template from this page and copy your "
        "figures into it.",
        "other_template_version",
    )
    drop_fact(template, "version")
    assert refusal(template)[0].startswith("This template is of another version (?) than")


def test_a_template_that_lost_its_sheet_name_names_none(template):
    drop_fact(template, "sheet")
    assert refusal(template) == (
        "The sheet “” was renamed or removed (the workbook has: Figures): give it back its "
        "name “”, or download the template again.",
        "renamed_sheet",
    )


def test_a_template_that_lost_its_city_is_read_as_the_consortiums(template):
    drop_fact(template, "city")
    assert refusal(template) == (
        "This template is for SERN – Sweden Emilia Romagna Network (Final results), but this "
        "page takes the figures of Vänersborg (Final results): download the template from "
        "this page.",
        "other_unit",
    )


def test_a_template_that_lost_its_headings_asks_for_the_first_one(template):
    drop_fact(template, "headers")
    assert refusal(template) == (
        "Column A should be headed “”: columns were moved, added or removed. Download the "
        "template again.",
        "moved_columns",
    )


def test_facts_are_read_from_the_hidden_sheets_first_fifty_rows_and_two_columns(template):
    """What else a program writes on the hidden sheet (a fact below row 50, a note in
    column F) is not read: the file is still this page's template."""
    meta = template[META_SHEET]
    meta.cell(row=51, column=4).value = "kind"
    meta.cell(row=51, column=5).value = "something else"
    meta.cell(row=1, column=6).value = "checked by the finance office"
    assert read(template).unit == UNIT


def test_the_sheets_a_workbook_has_are_named_when_its_figures_sheet_is_gone(template):
    figures_sheet(template).title = "Foglio1"
    template.create_sheet("Foglio2")
    assert refusal(template)[0] == (
        "The sheet “Figures” was renamed or removed (the workbook has: Foglio1, Foglio2): "
        "give it back its name “Figures”, or download the template again."
    )
    template[META_SHEET].sheet_state = "visible"  # a workbook keeps one visible sheet
    del template["Foglio1"]
    del template["Foglio2"]
    assert template.sheetnames == [META_SHEET]
    assert refusal(template)[0] == (
        "The sheet “Figures” was renamed or removed (the workbook has: —): give it back its "
        "name “Figures”, or download the template again."
    )


def test_the_last_row_the_template_holds_is_read_one_further_is_refused(template):
    sheet = figures_sheet(template)
    sheet.cell(row=LAST, column=12).number_format = "0.00"  # formatted, left empty
    assert read(template).unit == UNIT
    sheet.cell(row=LAST + 1, column=12).number_format = "0.00"
    assert refusal(template) == (
        f"The sheet “Figures” goes on to row {LAST + 1:,}, but this page has 14 KPIs: its "
        "template ends long before. Use the template downloaded from this page.",
        "too_many_rows",
    )


def test_merged_cells_are_named_three_at_most(template):
    sheet = figures_sheet(template)
    for row in (20, 22, 24, 26):
        sheet.merge_cells(f"L{row}:M{row}")
    message, code = refusal(template)
    named = message.removeprefix("Cells ").removesuffix(
        " are merged: the import reads one figure per cell. Unmerge them, or download the "
        "template again."
    )
    assert code == "merged_cells"
    assert len(named.split(", ")) == 3
    assert set(named.split(", ")) < {"L20:M20", "L22:M22", "L24:M24", "L26:M26"}
