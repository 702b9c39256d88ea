"""The CSV reader (kpis.exchange.reading.read_csv) on the files people make of the template.

Plain logic: a file in, its rows and cells out, or a refusal with its message and code.
The pages and the API that call it are tested in test_import.py and test_import_api.py.
"""

from __future__ import annotations

import csv
import io

import pytest

from kpis.exchange.bounds import Deadline, FileRefused
from kpis.exchange.reading import read_csv
from kpis.exchange.template import BY_KEY, CSV_COLUMNS

pytestmark = pytest.mark.django_db

UNIT = {"city": "vanersborg", "consortium": "sern", "stage": "final"}
NOT_A_TEMPLATE = (
    "This CSV file does not have the template's columns (kpi_id, version, value, status …): "
    "download the CSV template from this page."
)
NOT_TEXT = "The CSV file could not be read as text."


def row(**cells) -> dict:
    return {**UNIT, "kpi_id": "7", "kpi_code": "1.1", "version": "0", **cells}


def csv_of(rows: list[dict], columns=CSV_COLUMNS, delimiter: str = ",") -> bytes:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode()


def read(content: bytes, max_rows: int = 500, deadline: Deadline | None = None):
    return read_csv(
        content, expected=dict(UNIT), max_rows=max_rows, deadline=deadline or Deadline()
    )


def refusal(content: bytes, **kwargs) -> tuple[str, str]:
    with pytest.raises(FileRefused) as refused:
        read(content, **kwargs)
    return refused.value.message, refused.value.code


def test_the_rows_cells_and_addresses_of_a_template_csv():
    rows = read(csv_of([row(value="3", note="first"), row(kpi_code="1.2", value="=1+1")]))
    assert (rows.kind, rows.unit) == ("csv", UNIT)
    first, second = rows.rows
    assert (first.number, second.number) == (2, 3)
    value_column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[CSV_COLUMNS.index("value")]
    assert first.cells["value"].value == "3" and first.cells["value"].address == f"{value_column}2"
    assert first.cells["note"].value == "first" and not first.cells["value"].is_formula
    assert second.cells["value"].is_formula and second.cells["value"].address == f"{value_column}3"
    assert all(cell.is_text_file for cell in first.cells.values())


def test_a_cell_is_addressed_by_the_files_own_column_order():
    columns = ["kpi_id", "version", "value", "city", "consortium", "stage", "kpi_code"]
    (only,) = read(csv_of([row(value="3")], columns=columns)).rows
    assert only.cells["value"].address == "C2" and only.cells["kpi_id"].address == "A2"
    # A column the file lacks is named by the template's own letter, and reads as absent.
    assert only.cells["note"].value is None
    assert only.cells["note"].address == f"{BY_KEY['note'].letter}2"


def test_a_formula_is_seen_behind_spaces_but_not_as_text_ending_in_an_equals_sign():
    rows = read(csv_of([row(value="  =SUM(A1:A2)"), row(value="3", note="x =")])).rows
    assert rows[0].cells["value"].is_formula
    assert not rows[1].cells["note"].is_formula


def test_a_row_shorter_than_the_header_is_read_as_far_as_it_goes():
    # Office suites drop a row's trailing empty fields when they save.
    header = ",".join(CSV_COLUMNS)
    short = ",".join(row(value="3")[key] if key in row() else "" for key in CSV_COLUMNS[:10])
    (only,) = read(f"{header}\n{short}\n".encode()).rows
    assert only.cells["kpi_code"].value == "1.1"
    assert only.cells["note"].value is None


def test_a_unit_column_the_file_lacks_reads_as_empty(sern):
    # The consortium's own figures: no city. A file without the city column is theirs...
    consortium_page = {"city": "", "consortium": "sern", "stage": "final"}
    columns = [key for key in CSV_COLUMNS if key != "city"]
    content = csv_of([row(city="", value="3")], columns=columns)
    rows = read_csv(content, expected=consortium_page, max_rows=5, deadline=Deadline())
    assert rows.unit == consortium_page and len(rows.rows) == 1
    # ...and a city's page refuses it, naming both units.
    message, code = refusal(content)
    assert code == "other_unit"
    assert message == (
        "This template is for SERN – Sweden Emilia Romagna Network (Final results), but this "
        "page takes the figures of "
        "Vänersborg (Final results): download the template from this page."
    )


def test_blank_rows_are_kept_but_not_counted_as_figures():
    rows = read(csv_of([row(value="3"), {key: "" for key in CSV_COLUMNS}]), max_rows=1).rows
    assert len(rows) == 2 and rows[1].is_empty()


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b"city,stage\nvanersborg,final\n", csv_of([row()], columns=["kpi_id", "value"])],
)
def test_a_file_without_the_templates_columns_is_refused_saying_what_to_do(content):
    assert refusal(content) == (NOT_A_TEMPLATE, "not_a_template")


def test_kpi_code_alone_is_enough_but_version_is_not_optional():
    columns = [key for key in CSV_COLUMNS if key != "kpi_id"]
    assert read(csv_of([row(value="3")], columns=columns)).rows[0].cells["kpi_code"].value == "1.1"
    without_version = [key for key in CSV_COLUMNS if key != "version"]
    assert refusal(csv_of([row()], columns=without_version)) == (NOT_A_TEMPLATE, "not_a_template")


def test_bytes_that_are_no_text_in_either_encoding_are_refused():
    assert refusal(b"kpi_id,version\n\x81\x8d\x8f\x90\x9d\n") == (NOT_TEXT, "wrong_file_type")


def test_a_field_the_csv_module_cannot_read_is_refused_as_no_text():
    huge = "x" * (csv.field_size_limit() + 1)
    content = csv_of([row(note=huge)])
    assert refusal(content) == (NOT_TEXT, "wrong_file_type")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_the_separator_is_the_header_lines_even_when_notes_are_full_of_commas(delimiter):
    notes = ", ".join(["a"] * 40)
    rows = read(csv_of([row(value="3", note=notes)] * 3, delimiter=delimiter)).rows
    assert [r.cells["note"].value for r in rows] == [notes] * 3
    assert rows[0].cells["value"].value == "3"


def test_a_one_line_file_is_read_by_its_own_separator():
    content = ";".join(CSV_COLUMNS).encode()
    assert read(content).rows == []


def test_the_deadline_is_looked_at_every_hundredth_line():
    spent = Deadline(seconds=0)
    spent.ends -= 1
    # Lines 2 to 99: no hundredth line, no look at the clock.
    assert len(read(csv_of([row()] * 98), deadline=spent).rows) == 98
    # Line 100 is looked at: the time is up.
    message, code = refusal(csv_of([row()] * 99), deadline=spent)
    assert code == "too_slow"


@pytest.mark.parametrize(
    ("found", "named"),
    [
        ({"city": "atlantis", "consortium": "sern", "stage": "final"}, "atlantis (Final results)"),
        ({"city": "", "consortium": "nowhere", "stage": "baseline"}, "nowhere (Where we started)"),
        ({"city": "", "consortium": "", "stage": "later"}, "? (later)"),
        ({"city": "", "consortium": "", "stage": ""}, "? (?)"),
        ({"city": "ravenna", "consortium": "sern"}, "Ravenna (?)"),
        ({"consortium": "sern", "stage": "midway"}, None),
    ],
)
def test_a_file_for_another_unit_is_refused_naming_both_as_the_portal_knows_them(
    sern, found, named
):
    content = csv_of([{**row(value="3"), **found}], columns=[*found, "kpi_id", "version"])
    message, code = refusal(content)
    assert code == "other_unit"
    consortium = "SERN – Sweden Emilia Romagna Network"
    named = named or f"{consortium} (Midway through the challenge)"
    assert message == (
        f"This template is for {named}, but this page takes the figures of Vänersborg "
        "(Final results): download the template from this page."
    )


def test_a_workbook_that_is_no_template_is_refused_saying_what_to_do():
    from openpyxl import Workbook

    from kpis.exchange.reading import read_xlsx

    book = Workbook()
    book.active["A1"] = "figures"
    stream = io.BytesIO()
    book.save(stream)
    with pytest.raises(FileRefused) as refused:
        read_xlsx(stream.getvalue(), expected=dict(UNIT), max_rows=5, deadline=Deadline())
    assert (refused.value.message, refused.value.code) == (
        "This workbook is not a template of the portal: download the template from this page, "
        "fill it in and upload it.",
        "not_a_template",
    )


def test_a_note_over_two_lines_keeps_its_own_line_break():
    """A quoted note written over two lines on Windows keeps its "\\r\\n", as typed."""
    content = csv_of([row(value="3", note="first line\r\nsecond line")])
    assert read(content).rows[0].cells["note"].value == "first line\r\nsecond line"


def test_a_header_the_csv_module_cannot_read_is_no_template():
    header = '"' + "x" * (csv.field_size_limit() + 1) + '",kpi_id,version\n'
    assert refusal(header.encode()) == (NOT_A_TEMPLATE, "not_a_template")


def test_the_whole_header_line_is_counted_to_find_the_separator_its_last_character_too():
    """Three commas and three semicolons: the comma wins the tie, and the header's last
    column (empty) is the last comma's."""
    assert read(b"kpi_id,version,w;x;y;z,").rows == []
