"""The exports as a steering committee prints them, rendered by LibreOffice (headless):
landscape pages, every column on the page's width, nothing cut, the headings repeated.

Trollhättan's maturity table prints on one landscape page; each sheet of the overview's
workbook on the width of one page; the deliverable's Word file keeps every column of its
tables. Skipped where LibreOffice is not installed (it is in CI: .ci/run)."""

from __future__ import annotations

import io
import math

import pytest
from openpyxl import load_workbook

from tests.helpers.exchange import office_or_skip, printed

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def landscape(size: tuple[float, float]) -> bool:
    width, height = size
    return width > height


def test_trollhattans_table_prints_on_one_landscape_page(client, sern, tmp_path):
    office_or_skip()
    response = client.get("/cities/trollhattan/maturity/xlsx/")
    paper = printed(response.content, "xlsx", tmp_path)
    assert len(paper.sizes) == 1 and landscape(paper.sizes[0])
    page = paper.pages[0]
    for heading in ("Code", "KPI", "Target", "Notes", "Consortium", "Exported on"):
        assert heading in page, heading  # no column, and no label beside the facts, cut
    for code in ("1.1", "1.5c", "2.2", "2.5"):
        assert code in page


#: Every XLSX export, with the row its sheets repeat at the top of each printed page
#: (``None``: a sheet of a few rows, the overview's summary, repeats none).
XLSX_EXPORTS = {
    "/cities/trollhattan/maturity/xlsx/": lambda name: "$8:$8",
    "/consortia/sern/maturity/xlsx/": lambda name: "$8:$8",
    "/consortia/sern/matrix/xlsx/?stage=final": lambda name: None if name == "Summary" else "$4:$4",
}
#: Points a line of a sheet's 11-point text takes.
LINE = 15


def headings_of(sheet) -> tuple[int, list[str]]:
    """A sheet's row of column headings (the first row with five texts or more)."""
    for row in sheet.iter_rows():
        texts = [cell.value for cell in row if isinstance(cell.value, str)]
        if len(texts) >= 5:
            return row[0].row, texts
    raise AssertionError(f"no headings on {sheet.title}")


@pytest.mark.parametrize("url", XLSX_EXPORTS)
def test_every_sheet_repeats_its_headings_and_is_as_tall_as_its_wrapped_text(client, sern, url):
    """Read back as the file says it, whatever program opens it: each sheet's title rows,
    and every row as tall as the wrapped text of its cells needs at the least (its
    characters over its column's width, as if no word were kept whole)."""
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.print_title_rows == XLSX_EXPORTS[url](sheet.title), sheet.title
        tall_rows = 0
        for row in sheet.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                    continue
                width = sheet.column_dimensions[cell.column_letter].width
                lines = math.ceil(len(cell.value) / width)
                height = sheet.row_dimensions[cell.row].height or LINE
                assert height >= LINE * lines, (sheet.title, cell.coordinate, cell.value)
                tall_rows += lines > 1
        if sheet.title != "Summary":
            assert tall_rows, sheet.title  # the test has wrapped text to look at
        number, headings = headings_of(sheet)
        if sheet.title == "Summary":  # its headings do not wrap: each fits its column
            for cell in sheet[number]:
                width = sheet.column_dimensions[cell.column_letter].width
                assert cell.value is None or len(cell.value) < width, cell.value


def test_each_overview_sheet_prints_on_the_width_of_a_page(client, sern, tmp_path):
    office_or_skip()
    response = client.get("/consortia/sern/matrix/xlsx/?stage=final")
    paper = printed(response.content, "xlsx", tmp_path)
    assert paper.sizes and all(landscape(size) for size in paper.sizes)
    text = "\f".join(paper.pages)
    for column in ("Ravenna", "Cervia", "Trollhättan", "Vänersborg"):
        assert f"{column}: status" in text  # the last columns of every sheet are there
    # One sheet's columns never spill onto a page of their own: every solution's page
    # carries its own last column.
    solution_pages = [page for page in paper.pages if "Solution " in page]
    assert solution_pages and all("Vänersborg: status" in page for page in solution_pages)
    # One page a sheet (the summary, then a solution each), with each of its headings
    # whole on it: none is cut at its column's edge.
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(paper.sizes) == len(workbook.sheetnames) == 4
    for sheet, page in zip(workbook.worksheets, paper.flowing, strict=True):
        for heading in headings_of(sheet)[1]:
            assert heading in page, (sheet.title, heading)


def test_the_consortiums_tables_print_a_page_a_city_with_every_heading(client, sern, tmp_path):
    office_or_skip()
    response = client.get("/consortia/sern/maturity/xlsx/")
    paper = printed(response.content, "xlsx", tmp_path)
    units = ("Cervia", "Ravenna", "Trollhättan", "Vänersborg", "SERN")
    assert len(paper.sizes) == len(units) and all(landscape(size) for size in paper.sizes)
    headings = ["Code", "KPI", "Target", *STAGE_HEADINGS, "Notes"]
    for unit, page in zip(units, paper.flowing, strict=True):
        assert f"Assessment of solution maturity – {unit}" in page
        for heading in [*headings, "Consortium", "Exported on", "Approval"]:
            assert heading in page, (unit, heading)


#: The stage columns of SERN's tables, in the words of its programme.
STAGE_HEADINGS = ("Where we started", "Midway through the challenge", "Final results")
#: A maturity table's columns in a Word file (the code stands before the KPI's name).
DOCX_HEADINGS = ("KPI", "Target", *STAGE_HEADINGS, "Notes")


@pytest.mark.parametrize(
    ("url", "pages", "tables"),
    [("/cities/trollhattan/maturity/docx/", 2, 1), ("/consortia/sern/maturity/docx/", 10, 5)],
)
def test_a_word_table_repeats_its_headings_on_every_page(
    client, sern, tmp_path, url, pages, tables
):
    """Each table begins a page and runs over two; its column headings head each page."""
    office_or_skip()
    response = client.get(url)
    paper = printed(response.content, "docx", tmp_path)
    assert len(paper.sizes) == pages and all(landscape(size) for size in paper.sizes)
    titles = [page for page in paper.flowing if "Assessment of solution maturity – " in page]
    assert len(titles) == tables
    for number, page in enumerate(paper.flowing, start=1):
        for heading in DOCX_HEADINGS:
            assert heading in page, (number, heading)


def test_the_deliverable_prints_with_every_column(client, sern, tmp_path):
    office_or_skip()
    response = client.get("/consortia/sern/deliverable/docx/")
    assert response.status_code == 200
    paper = printed(response.content, "docx", tmp_path)
    text = "\f".join(paper.pages)
    assert "Assessment of solution maturity" in text
    assert "€64,840" in text
    assert len(paper.sizes) == 15 and all(landscape(size) for size in paper.sizes)
    flowing = "\f".join(paper.flowing)
    for heading in ("Code", "Activity", "Resources", "Status", *DOCX_HEADINGS):
        assert heading in flowing, heading
    # Every page of a maturity table carries its column headings.
    first = next(
        number
        for number, page in enumerate(paper.flowing)
        if "Assessment of solution maturity –" in page
    )
    for page in paper.flowing[first:]:
        if "Roadmap" in page:
            break
        assert all(heading in page for heading in DOCX_HEADINGS), page[:80]


def test_no_pdf_page_ends_with_a_heading(client, sern, tmp_path):
    """A heading (a table's title, its facts, its column headings, a solution's row, a
    part's name) stays with what it heads: never the last thing on a page."""
    import re

    from tests.helpers.exchange import pdf_text, pdf_tools_or_skip

    pdf_tools_or_skip()
    response = client.get("/consortia/sern/deliverable/pdf/")
    pages = [page for page in pdf_text(response.content, tmp_path).split("\f") if page.strip()]
    assert len(pages) > 5
    heading = re.compile(
        r"^(Assessment of solution maturity|Solution \d+ · |Activities$|Initiative charters$"
        r"|Roadmap$|Figures as approved|Exported on|Code +Activity|KPI +Target)"
    )
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        content = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line)]
        assert not heading.match(content[-1]), (number, content[-3:])
