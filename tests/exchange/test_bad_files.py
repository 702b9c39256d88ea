"""Every bad file gets a clear message and changes nothing: the whole file when it cannot be
this page's template, a row (with its cell) when one of its cells is wrong."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from kpis.models import Measurement, StageReview
from tests.helpers.api import client_for
from tests.helpers.exchange import TEMPLATE, as_bytes, figures_sheet, row_of, upload, workbook_of

pytestmark = pytest.mark.django_db
History = Measurement.history.model


def nothing_changes(client, content: bytes, name: str = "figures.xlsx") -> str:
    """Upload, then Apply whatever the preview offers: nothing may be stored either way."""
    before = (Measurement.objects.count(), History.objects.count(), StageReview.objects.count())
    response = upload(client, content, name)
    text = response.content.decode()
    if 'name="token"' in text:
        import re

        token = re.search(r'name="token" value="([^"]+)"', text).group(1)
        client.post("/cities/vanersborg/report/final/import/", {"token": token})
    after = (Measurement.objects.count(), History.objects.count(), StageReview.objects.count())
    assert after == before
    return text


def refused_file(client, content: bytes, name: str = "figures.xlsx") -> str:
    response = upload(client, content, name)
    assert response.status_code == 400
    nothing_changes(client, content, name)
    return response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


def test_a_pdf_named_xlsx_is_told_by_its_bytes(vanersborg_client):
    text = refused_file(vanersborg_client, b"%PDF-1.7\n\x00\x01binary", "figures.xlsx")
    assert "This is not a file the import reads" in text


def test_an_old_excel_file_is_told_to_be_saved_as_xlsx(vanersborg_client):
    text = refused_file(vanersborg_client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "old Excel file (.xls)" in text


def test_an_opendocument_spreadsheet_is_told_to_be_saved_as_xlsx(vanersborg_client):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    text = refused_file(vanersborg_client, stream.getvalue(), "figures.ods")
    assert "OpenDocument spreadsheet (.ods)" in text


def test_another_citys_template_is_refused(client, sern_coordinator_cervia, vanersborg_client):
    from tests.helpers.exchange import IMPORT

    content = as_bytes(workbook_of(vanersborg_client.get(TEMPLATE)))
    client.force_login(sern_coordinator_cervia)
    response = client.post(
        "/cities/cervia/report/final/import/",
        {"file": io.BytesIO(content)},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "This template is for Vänersborg (Final results)" in text
    assert "the figures of Cervia (Final results)" in text
    assert IMPORT  # the same refusal on any other page


def test_another_stages_template_is_refused(vanersborg_client):
    content = as_bytes(
        workbook_of(vanersborg_client.get("/cities/vanersborg/report/midway/template/xlsx/"))
    )
    text = refused_file(vanersborg_client, content)
    assert "This template is for Vänersborg (Midway through the challenge)" in text


def test_a_renamed_sheet_is_refused(vanersborg_client, template):
    figures_sheet(template).title = "Foglio1"
    text = refused_file(vanersborg_client, as_bytes(template))
    assert "The sheet “Figures” was renamed or removed (the workbook has: Foglio1)" in text


def test_merged_cells_are_refused(vanersborg_client, template):
    sheet = figures_sheet(template)
    sheet["G5"] = 3
    sheet.merge_cells("G5:H5")
    text = refused_file(vanersborg_client, as_bytes(template))
    assert "Cells G5:H5 are merged" in text


def test_a_workbook_that_is_not_a_template_is_refused(vanersborg_client):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "KPI"
    text = refused_file(vanersborg_client, as_bytes(workbook))
    assert "not a template of the portal" in text


def test_thousands_of_rows_are_refused(vanersborg_client, template):
    sheet = figures_sheet(template)
    for row in range(5, 3005):
        sheet.cell(row=row, column=7, value=1)
    text = refused_file(vanersborg_client, as_bytes(template))
    # refused by the sheet's declared size, before a row is read (test_bounded_uploads.py)
    assert "The sheet “Figures” goes on to row 3,004, but this page has 14 KPIs" in text


def test_a_20_mb_file_is_refused_before_it_is_read(vanersborg_client):
    text = refused_file(vanersborg_client, b"kpi_id,version\n" + b"x" * (20 * 1024 * 1024))
    assert "The file is 20.0 MB; the import reads files of up to 5.0 MB" in text


def test_a_zip_bomb_is_refused_before_openpyxl_unpacks_it(vanersborg_client, template):
    stream = io.BytesIO(as_bytes(template))
    with zipfile.ZipFile(stream, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\x00" * (30 * 1024 * 1024))
    assert len(stream.getvalue()) < 1024 * 1024
    text = refused_file(vanersborg_client, stream.getvalue())
    assert "The workbook unpacks to" in text


def with_part(content: bytes, name: str, damage) -> bytes:
    """The workbook with one of its parts damaged by ``damage`` (the archive still whole)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            archive.writestr(item.filename, damage(data) if item.filename == name else data)
    return stream.getvalue()


def cut_after_first_row(xml: bytes) -> bytes:
    """A sheet that ends in the middle of its second row, as a copy broken off would."""
    return xml[: xml.index(b"</row>") + len(b"</row>")] + b"<row r='9'><c r='A9'><v>1</v></c><c"


@pytest.mark.parametrize(
    ("part", "damage"),
    [
        # refused as the workbook is opened
        ("xl/styles.xml", lambda xml: b"<styleSheet><numFmts"),
        # refused as the rows are streamed: the figures, and the template's own facts
        ("xl/worksheets/sheet1.xml", cut_after_first_row),
        ("xl/worksheets/sheet2.xml", cut_after_first_row),
    ],
    ids=["styles", "figures", "facts"],
)
def test_a_damaged_workbook_is_told_to_download_the_template_again(
    vanersborg_client, sern_coordinator_vanersborg, template, part, damage
):
    content = with_part(as_bytes(template), part, damage)
    text = refused_file(vanersborg_client, content)
    message = "This workbook could not be read: it may be damaged. Download the template again."
    assert message in text
    response = client_for(sern_coordinator_vanersborg).post(
        "/api/v1/imports/",
        {"file": io.BytesIO(content), "city": "vanersborg", "stage": "final"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unreadable"
    assert response.json()["errors"]["file"] == [message]


def preview_of(client, template) -> str:
    response = upload(client, as_bytes(template))
    assert response.status_code == 200
    return nothing_changes(client, as_bytes(template))


def test_a_formula_is_refused_with_its_cell(vanersborg_client, template):
    sheet = figures_sheet(template)
    sheet[f"G{row_of(sheet, '1.1')}"] = "=2+3"
    text = preview_of(vanersborg_client, template)
    assert "G5</strong>: “=2+3” is a formula: type the figure itself" in text
    assert text.count("G5") == 1
    assert "1 refused" in text


def test_a_date_typed_as_text_is_refused_with_its_cell(vanersborg_client, template):
    sheet = figures_sheet(template)
    sheet["G5"], sheet["N5"] = 3, "30.11.2022"
    text = preview_of(vanersborg_client, template)
    assert "N5</strong>: “30.11.2022” is a date typed as text" in text


def test_a_real_date_is_taken(vanersborg_client, template):
    sheet = figures_sheet(template)
    sheet["G5"], sheet["N5"] = 3, datetime.date(2022, 11, 30)
    text = upload(vanersborg_client, as_bytes(template)).content.decode()
    assert "1 created" in text and "0 refused" in text


def test_a_decimal_comma_typed_as_text_is_refused_with_its_cell(vanersborg_client, template):
    sheet = figures_sheet(template)
    sheet["G5"] = "1,5"
    text = preview_of(vanersborg_client, template)
    assert "G5</strong>: “1,5” is text with a decimal comma, not a number" in text


def test_every_refusal_reads_the_same_over_the_api(sern_coordinator_vanersborg, template):
    api = client_for(sern_coordinator_vanersborg)
    figures_sheet(template).title = "Foglio1"
    response = api.post(
        "/api/v1/imports/",
        {"file": io.BytesIO(as_bytes(template)), "city": "vanersborg", "stage": "final"},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "renamed_sheet"
    assert "was renamed or removed" in body["errors"]["file"][0]
    huge = api.post(
        "/api/v1/imports/",
        {"file": io.BytesIO(b"x" * (6 * 1024 * 1024)), "city": "vanersborg", "stage": "final"},
        format="multipart",
    )
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"


def _renamed(workbook):
    figures_sheet(workbook).title = "Foglio1"


def _column_inserted(workbook):
    figures_sheet(workbook).insert_cols(3)


def _heading_cleared(workbook):
    figures_sheet(workbook)["G4"] = None


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            _renamed,
            "renamed_sheet",
            "The sheet “Figures” was renamed or removed (the workbook has: Foglio1): give it "
            "back its name “Figures”, or download the template again.",
        ),
        (
            _column_inserted,
            "moved_columns",
            "Column C should be headed “Unit”: columns were moved, added or removed. "
            "Download the template again.",
        ),
        (
            _heading_cleared,
            "moved_columns",
            "Column G should be headed “Value”: columns were moved, added or removed. "
            "Download the template again.",
        ),
    ],
    ids=["renamed", "inserted", "cleared"],
)
def test_a_reshaped_template_is_refused_in_so_many_words_over_the_api(
    sern_coordinator_vanersborg, template, change, code, message
):
    """The whole message, word for word: a reader sees all of it, not a part a test looks
    for (the column a moved heading should be in, the sheets the workbook has)."""
    change(template)
    response = client_for(sern_coordinator_vanersborg).post(
        "/api/v1/imports/",
        {"file": io.BytesIO(as_bytes(template)), "city": "vanersborg", "stage": "final"},
        format="multipart",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["errors"]["file"]) == (code, [message])
