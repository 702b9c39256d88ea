"""What a file is, told by its bytes (kpis.exchange.reading.read_upload and file_kind): each
refusal word for word with its code, and the edges of each rule.

Plain logic: bytes in, the kind of file or the refusal out. The pages and the API show the
same message (test_bad_files.py); here every message is checked whole, since a reader sees
all of it, and every code, since a partner's program branches on it.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from kpis.exchange.bounds import MAX_UNPACKED_BYTES, MAX_ZIP_MEMBERS, Deadline, FileRefused
from kpis.exchange.reading import CSV, XLSX, file_kind, read_upload
from kpis.exchange.template import CSV_COLUMNS

pytestmark = pytest.mark.django_db

UNIT = {"city": "vanersborg", "consortium": "sern", "stage": "final"}
WRONG = (
    "This is not a file the import reads: upload the Excel template (.xlsx) downloaded from "
    "this page, or a CSV file with its columns."
)
ODS = (
    "This is an OpenDocument spreadsheet (.ods): save it as an Excel workbook (.xlsx) and "
    "upload that."
)
XLS = "This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) and upload that."


def zip_of(parts: dict[str, bytes | str]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return stream.getvalue()


def refusal(content: bytes) -> tuple[str, str]:
    with pytest.raises(FileRefused) as refused:
        read_upload(content, expected=dict(UNIT), max_rows=20)
    return refused.value.message, refused.value.code


def kind_refusal(content: bytes) -> tuple[str, str]:
    with pytest.raises(FileRefused) as refused:
        file_kind(content)
    return refused.value.message, refused.value.code


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ("The file is empty.", "empty")),
        (b"%PDF-1.7\n\x00\x01binary", (WRONG, "wrong_file_type")),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, (XLS, "wrong_file_type")),
        (b"PK\x03\x04 but no archive after its first bytes", (WRONG, "wrong_file_type")),
        (zip_of({"word/document.xml": "<w:document/>"}), (WRONG, "wrong_file_type")),
        (
            zip_of({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
            (ODS, "wrong_file_type"),
        ),
    ],
    ids=["empty", "binary", "xls", "broken-zip", "zip-no-workbook", "ods"],
)
def test_each_file_that_is_no_template_is_refused_word_for_word(content, expected):
    assert refusal(content) == expected


def test_opendocument_is_told_by_the_first_hundred_bytes_of_its_mimetype():
    """The word is looked for where a real mimetype has it: at its start. Past byte 100 the
    part is not read, and the archive is just a file the import does not read."""
    late = "x" * 89 + "opendocument"  # its last letter is the mimetype's 101st byte
    assert kind_refusal(zip_of({"mimetype": late})) == (WRONG, "wrong_file_type")
    in_time = "x" * 88 + "opendocument"
    assert kind_refusal(zip_of({"mimetype": in_time})) == (ODS, "wrong_file_type")


def test_a_workbook_of_as_many_parts_as_the_limit_is_read_one_more_is_refused():
    parts = {"xl/workbook.xml": "<workbook/>"}
    parts.update({f"xl/media/image{n}.png": "" for n in range(MAX_ZIP_MEMBERS - 1)})
    assert file_kind(zip_of(parts)) == XLSX
    parts["xl/media/one-more.png"] = ""
    message, code = kind_refusal(zip_of(parts))
    assert code == "too_large_unpacked"
    assert message == (
        "The workbook unpacks to 0.0 MB, more than the 20.0 MB the import reads: use the "
        "template downloaded from this page."
    )


def test_a_workbook_unpacking_to_the_limit_is_read_one_byte_more_is_refused():
    head = b"<workbook/>"
    filler = b"\x00" * (MAX_UNPACKED_BYTES - len(head))
    assert file_kind(zip_of({"xl/workbook.xml": head, "xl/filler.bin": filler})) == XLSX
    content = zip_of({"xl/workbook.xml": head, "xl/filler.bin": filler + b"\x00"})
    assert kind_refusal(content) == (
        "The workbook unpacks to 20.0 MB, more than the 20.0 MB the import reads: use the "
        "template downloaded from this page.",
        "too_large_unpacked",
    )


def test_a_nul_byte_is_looked_for_in_the_first_4096_bytes_only():
    """A text file is told from a binary one by its start: a NUL after it is the CSV
    reader's to judge."""
    assert kind_refusal(b"a" * 4095 + b"\x00") == (WRONG, "wrong_file_type")
    assert file_kind(b"a" * 4096 + b"\x00") == CSV


def test_the_rows_of_an_upload_come_back_with_its_kind_and_unit_blank_rows_left_out():
    header = ",".join(CSV_COLUMNS)
    line = {key: "" for key in CSV_COLUMNS}
    line.update(UNIT, kpi_id="7", kpi_code="1.1", version="0", value="3")
    filled = ",".join(line[key] for key in CSV_COLUMNS)
    blank = "," * (len(CSV_COLUMNS) - 1)
    content = "\n".join([header, blank, filled, blank]).encode()

    upload = read_upload(content, expected=dict(UNIT), max_rows=5, deadline=Deadline())

    assert (upload.kind, upload.unit) == (CSV, UNIT)
    assert [(row.number, row.cells["value"].value) for row in upload.rows] == [(3, "3")]
