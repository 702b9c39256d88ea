"""What one upload may cost is bounded before its rows are read: the sheet's declared size
is checked first, the reading stops at the first row the page's template cannot have (XLSX
and CSV alike), and an import has a time budget. Each refusal is a message, never a wait."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kpis.exchange import bounds, reading

pytestmark = pytest.mark.django_db

TEMPLATE = "/cities/vanersborg/report/final/template/xlsx/"
CSV_TEMPLATE = "/cities/vanersborg/report/final/template/csv/"
IMPORT = "/cities/vanersborg/report/final/import/"


def figures_sheet(workbook):
    return workbook[workbook.sheetnames[0]]


def as_bytes(workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, content: bytes, name: str):
    stream = io.BytesIO(content)
    stream.name = name
    return client.post(IMPORT, {"file": stream})


@pytest.fixture
def csv_rows(vanersborg_client) -> list[dict]:
    response = vanersborg_client.get(CSV_TEMPLATE)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def csv_bytes(rows: list[dict]) -> bytes:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode()


def refusal(client, content: bytes, name: str = "figures.xlsx") -> str:
    response = upload(client, content, name)
    assert response.status_code == 400
    text = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    return " ".join(text.split())


def post_api(user, content: bytes, name: str = "figures.xlsx"):
    client = APIClient()
    client.force_authenticate(user)
    stream = io.BytesIO(content)
    stream.name = name
    data = {"file": stream, "city": "vanersborg", "stage": "final"}
    return client.post("/api/v1/imports/", data, format="multipart")


@pytest.fixture
def rows_built(monkeypatch) -> list[int]:
    """The numbers of the rows the reader builds, to show where it stopped."""
    built: list[int] = []
    original = reading.FileRow

    def counting(number, *args, **kwargs):
        built.append(number)
        return original(number, *args, **kwargs)

    monkeypatch.setattr(reading, "FileRow", counting)
    return built


def test_one_cell_far_below_the_template_is_refused_by_the_declared_size(
    vanersborg_client, template, rows_built
):
    figures_sheet(template)["G100000"] = 1
    content = as_bytes(template)
    assert len(content) < 16 * 1024  # the attacker's small file

    text = refusal(vanersborg_client, content)

    assert "The sheet “Figures” goes on to row 100,000, but this page has 14 KPIs" in text
    assert rows_built == []  # refused before a single row was read


def test_a_far_row_the_declared_size_hides_is_refused_where_the_reading_stops(
    vanersborg_client, template, rows_built
):
    figures_sheet(template)["G100000"] = 1
    content = with_declared_size(as_bytes(template), "A1:P18")

    text = refusal(vanersborg_client, content)

    last = reading.FIRST_ROW + 14 - 1 + bounds.SPARE_ROWS
    assert f"The sheet “Figures” goes on to row {last + 1:,}, but this page has 14 KPIs" in text
    assert max(rows_built) == last  # not one row further


def with_declared_size(content: bytes, size: str) -> bytes:
    """The workbook with the figures sheet's <dimension ref> rewritten (it may lie)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{size}"'.encode(), data)
            target.writestr(member, data)
    return stream.getvalue()


def test_one_filled_row_more_than_the_page_has_kpis_is_refused(vanersborg_client, template):
    sheet = figures_sheet(template)
    for row in range(5, 5 + 15):
        sheet.cell(row=row, column=7, value=1)

    text = refusal(vanersborg_client, as_bytes(template))

    assert "The file has more rows of figures than this page has KPIs (14)" in text


def test_a_csv_of_fifty_thousand_lines_stops_reading_at_the_first_row_too_many(
    vanersborg_client, csv_rows, rows_built
):
    columns = ("city", "consortium", "stage", "kpi_id", "version", "value")
    first = {key: csv_rows[0][key] for key in columns}
    rows = [dict(first, value="1") for _ in range(50_000)]  # some 2 MB, under the 5 MB limit

    text = refusal(vanersborg_client, csv_bytes(rows), "figures.csv")

    assert "The file has more rows of figures than this page has KPIs (14)" in text
    assert len(rows_built) == 15


def test_blank_csv_lines_past_the_template_are_refused_at_the_limit(
    vanersborg_client, csv_rows, rows_built
):
    blank = dict.fromkeys(csv_rows[0], "")
    content = csv_bytes(csv_rows + [blank] * 5_000)

    text = refusal(vanersborg_client, content, "figures.csv")

    last_line = 14 + bounds.SPARE_ROWS + 1
    assert f"The CSV file goes on to row {last_line + 1:,}, but this page has 14 KPIs" in text
    assert max(rows_built) == last_line


def test_an_import_over_its_time_budget_is_refused_whole(vanersborg_client, template, monkeypatch):
    monkeypatch.setattr(bounds, "TIME_BUDGET_SECONDS", -1.0)
    figures_sheet(template)["G5"] = 3

    text = refusal(vanersborg_client, as_bytes(template))

    assert "Reading this file took longer than the -1 seconds an import may take" in text


def test_the_api_refuses_a_far_row_with_its_code_and_message(sern_coordinator_vanersborg, template):
    figures_sheet(template)["G100000"] = 1

    response = post_api(sern_coordinator_vanersborg, as_bytes(template))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_many_rows"
    assert body["errors"]["file"][0].startswith("The sheet “Figures” goes on to row 100,000")


def test_the_api_refuses_an_import_over_its_time_budget(
    sern_coordinator_vanersborg, template, monkeypatch
):
    monkeypatch.setattr(bounds, "TIME_BUDGET_SECONDS", -1.0)

    response = post_api(sern_coordinator_vanersborg, as_bytes(template))

    assert response.status_code == 400 and response.json()["code"] == "too_slow"


@pytest.mark.parametrize(
    ("language", "words"),
    [("it", "ma questa pagina ha 14 KPI"), ("sv", "men den här sidan har 14 nyckeltal")],
)
def test_the_refusal_is_said_in_the_readers_language(language, words, csv_rows):
    rows = [dict(csv_rows[0], value="1") for _ in range(20)]
    with translation.override(language):
        with pytest.raises(reading.FileRefused) as refused:
            reading.read_upload(csv_bytes(rows), expected={}, max_rows=14)
    assert refused.value.code == "too_many_rows"
    with translation.override(language):
        far = [dict(csv_rows[0])] + [dict.fromkeys(csv_rows[0], "")] * 2_000
        with pytest.raises(reading.FileRefused) as too_long:
            reading.read_upload(csv_bytes(far), expected={}, max_rows=14)
    assert words in too_long.value.message


def with_part(content: bytes, name: str, change) -> bytes:
    """The workbook with one part rewritten by ``change`` (bytes → bytes)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    assert name in source.namelist()
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member.filename, change(data) if member.filename == name else data)
    return stream.getvalue()


def with_shared_strings(content: bytes, count: int) -> bytes:
    """The workbook with a table of ``count`` one-letter shared strings (as Excel writes
    its text), declared in its content types and the workbook's relations."""
    strings = b"<si><t>a</t></si>" * count
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    table = b'<?xml version="1.0"?><sst xmlns="' + main + b'">' + strings + b"</sst>"
    kind = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relation = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    content = with_part(
        content,
        "[Content_Types].xml",
        lambda data: data.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + kind + b'"/></Types>',
        ),
    )
    content = with_part(
        content,
        "xl/_rels/workbook.xml.rels",
        lambda data: data.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdStrings" Type="' + relation + b'" Target="sharedStrings.xml"/>'
            b"</Relationships>",
        ),
    )
    with zipfile.ZipFile(stream := io.BytesIO(content), "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", table)
    return stream.getvalue()


def test_a_small_file_packed_with_shared_strings_is_refused_before_openpyxl_reads_them(
    vanersborg_client, template
):
    # 300,000 one-letter strings: some 20 kB uploaded, 16 s for openpyxl to read them
    content = with_shared_strings(as_bytes(template), 300_000)
    assert len(content) < 64 * 1024

    text = refusal(vanersborg_client, content)

    assert "This workbook holds far more styles, text or cells than a template of this page" in text


def test_a_few_shared_strings_are_read_as_usual(vanersborg_client, template):
    content = with_shared_strings(as_bytes(template), 100)

    assert upload(vanersborg_client, content, "figures.xlsx").status_code == 200


def test_a_small_file_packed_with_styles_is_refused_before_openpyxl_reads_them(
    vanersborg_client, template
):
    styles = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 20_000
    content = with_part(
        as_bytes(template),
        "xl/styles.xml",
        lambda data: re.sub(rb"(<cellXfs[^>]*>)", rb"\1" + styles, data),
    )

    text = refusal(vanersborg_client, content)

    assert "This workbook holds far more styles, text or cells than a template of this page" in text


def test_a_row_thousands_of_cells_wide_is_refused_before_it_is_read(
    vanersborg_client, template, rows_built
):
    sheet = figures_sheet(template)
    for column in range(20, 12_020):
        sheet.cell(row=5, column=column, value=1)

    text = refusal(vanersborg_client, as_bytes(template))

    assert "This workbook holds far more styles, text or cells than a template of this page" in text
    assert rows_built == []


def test_an_opendocument_file_is_told_by_the_start_of_its_mimetype_alone():
    """The sniffing unpacks the first bytes of the ``mimetype`` part, never the whole part:
    one of 64 MB, packed into a small file, is told as .ods with little memory."""
    import tracemalloc

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        padding = b" " * (64 * 1024 * 1024)
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet" + padding)
        del padding
    content = stream.getvalue()
    assert len(content) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(reading.FileRefused) as refused:
            reading.file_kind(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "OpenDocument spreadsheet (.ods)" in refused.value.message
    assert peak < 5 * 1024 * 1024
