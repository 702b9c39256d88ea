"""A city's "Assessment of solution maturity" table as XLSX, DOCX and PDF, laid out as the
SERN deliverable lays it out; checked against the deliverable itself (the seed), not the
demo data file."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document

from cities.models import City
from kpis.models import Measurement
from tests.helpers.exchange import pdf_text, pdf_tools_or_skip, row_of, workbook_of

pytestmark = pytest.mark.django_db

# Trollhättan's table in ../shared/seeds/001_e7a5897d0ac66e4d.txt ("Assessment of solution
# maturity – Trollhättan progress against KPIs"), cell by cell: (midway, final). Its rows
# carry the tables' own numbering; the portal's codes for them, by meaning (DESIGN.md):
# Solution 2 KPI 1, 2, 4, 5, 6 are 2.1-2.5; Solution 1 KPI 3 "N. of draft plans produces,
# n. areas covered" is 1.3a/1.3b; KPI 5 "N of plans implemented, n of departments …, n. of
# staff" is 1.5a/b/c. "Where we started" holds only the definitions: no figure.
SEED_TROLLHATTAN = {
    "2.1": (None, 2),  # "Number cases identified 2"
    "2.2": (None, 0),  # "N. And Type of datasets collected 0"
    "2.3": (None, "N/A"),  # "N/A"
    "2.4": (None, 0),  # "N. Of Policy making processes influenced - Value 0"
    "2.5": (None, "N/A"),  # "NA"
    "1.1": (10, 10),  # "10 departments in Trollhattan"
    "1.2": (2, 6),  # "2 practices" / "6 practices"
    "1.3a": ("Draft plans in development", 2),  # / "2 draft plans, 10 organisational areas"
    "1.3b": (None, 10),
    "1.4": (0, 0),
    "1.5a": (0, 1),  # "0 plans implemented …" / "1 plan implemented …"
    "1.5b": (10, 10),  # "10 departments contributing"
    "1.5c": (30, 100),  # "30 staff actively contributing" / "100 staff …"
}
URL = "/cities/trollhattan/maturity/{}/"


def test_trollhattans_table_as_xlsx_holds_the_seeds_figures_cell_by_cell(client, sern):
    workbook = workbook_of(client.get(URL.format("xlsx")))
    sheet = workbook["Trollhättan"]

    headings = [sheet.cell(row=8, column=column).value for column in range(1, 8)]
    assert headings == [
        "Code",
        "KPI",
        "Target",
        "Where we started",
        "Midway through the challenge",
        "Final results",
        "Notes",
    ]
    for code, (midway, final) in SEED_TROLLHATTAN.items():
        row = row_of(sheet, code)
        start, middle, end = (sheet.cell(row=row, column=column).value for column in (4, 5, 6))
        assert (start, middle, end) == (None, midway, final), code
        for value in (middle, end):
            if value is not None:  # numbers as numbers, N/A and text as text
                assert sheet.cell(row=row, column=6).data_type in ("n", "s")
                assert isinstance(value, int | str) and not isinstance(value, bool)
    assert sheet.cell(row=row_of(sheet, "1.1"), column=7).value == "10 departments in Trollhattan"
    assert sheet.cell(row=row_of(sheet, "1.3"), column=5).value is None  # composite heading
    header = [sheet.cell(row=row, column=2).value for row in range(2, 6)]
    assert header[0] == "SERN – Sweden Emilia Romagna Network" and header[1] == "Trollhättan"
    # The deliverable's date (data/sern.yaml's figures_approved_on), not the day of
    # loading, by its month: the seed dates its results "as of November 22", no day.
    assert header[3] == "Figures as approved in the deliverable of November 2022"
    blocks = [sheet.cell(row=row, column=1).value for row in range(1, sheet.max_row + 1)]
    assert "Solution 1 · Digital Transformation Plan" in blocks


def test_trollhattans_table_as_docx_reads_back(client, sern):
    response = client.get(URL.format("docx"))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    table = document.tables[0]
    rows = {
        row.cells[0].text.split(" ")[0]: [cell.text for cell in row.cells] for row in table.rows
    }
    for code, (midway, final) in SEED_TROLLHATTAN.items():
        expected = ["" if value is None else str(value) for value in (midway, final)]
        assert rows[code][3:5] == expected, code
    assert document.paragraphs[0].text == "Assessment of solution maturity – Trollhättan"


def test_trollhattans_table_as_pdf_holds_its_figures(client, sern, tmp_path):
    pdf_tools_or_skip()
    response = client.get(URL.format("pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Assessment of solution maturity – Trollhättan" in text
    assert "Draft plans" in text and "N/A" in text
    words = text.split()

    def row(code: str, until: str) -> list[str]:  # a row's words, its name wrapped or not
        start = words.index(code)
        return words[start : words.index(until, start)]

    assert [word for word in row("1.5c", "Solution") if word.isdigit()][:2] == ["30", "100"]
    assert [word for word in row("1.1", "1.2") if word.isdigit()][:3] == ["2", "10", "10"]
    assert [word for word in row("2.4", "2.5") if word.isdigit()][:2] == ["4", "0"]


def test_without_pango_the_pdf_answers_503_with_a_message(client, sern, monkeypatch):
    from kpis.exchange import pdf

    def missing():
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    response = client.get(URL.format("pdf"))
    assert response.status_code == 503
    assert "This server cannot make PDF files" in response.content.decode()
    assert client.get("/consortia/sern/deliverable/pdf/").status_code == 503


def test_drafts_only_for_those_who_may_see_them_and_marked(client, sern, sern_steering):
    city = City.objects.get(slug="trollhattan")
    figure = Measurement.objects.get(city=city, stage="final", kpi__code="1.4")
    figure.value, figure.review_state = Decimal(3), "draft"
    figure.save()

    anonymous = workbook_of(client.get(URL.format("xlsx")))["Trollhättan"]
    assert anonymous.cell(row=row_of(anonymous, "1.4"), column=6).value is None

    client.force_login(sern_steering)
    steering = workbook_of(client.get(URL.format("xlsx")))["Trollhättan"]
    row = row_of(steering, "1.4")
    assert steering.cell(row=row, column=6).value == 3
    assert "Final results: draft" in steering.cell(row=row, column=7).value
    document = Document(io.BytesIO(client.get(URL.format("docx")).content))
    cells = next(r.cells for r in document.tables[0].rows if r.cells[0].text.startswith("1.4 "))
    assert cells[4].text == "3 (draft)"


def test_the_table_speaks_the_requesters_language(client, sern):
    client.cookies["django_language"] = "it"
    sheet = workbook_of(client.get(URL.format("xlsx")))["Trollhättan"]
    assert sheet.cell(row=8, column=6).value == "Risultati finali"
    assert sheet.cell(row=row_of(sheet, "2.3"), column=6).value == "N/A"


def test_every_citys_table_and_the_consortiums_own(client, sern):
    workbook = workbook_of(client.get("/consortia/sern/maturity/xlsx/"))
    assert workbook.sheetnames == ["Cervia", "Ravenna", "Trollhättan", "Vänersborg", "SERN"]
    upr = workbook["SERN"]
    assert upr.cell(row=row_of(upr, "3.4"), column=6).value == 48  # UPREST: "- 48"
    assert upr.cell(row=row_of(upr, "3.5"), column=6).value == "To be performed in 2023"


def test_unknown_format_or_unreadable_consortium_is_a_404(client, sern):
    assert client.get(URL.format("odt")).status_code == 404
    sern.is_published = False
    sern.save()
    assert client.get(URL.format("xlsx")).status_code == 404
    assert client.get("/consortia/sern/maturity/xlsx/").status_code == 404


def test_a_stage_approved_in_the_portal_carries_its_own_date(
    client, sern, sern_steering, sern_coordinator_trollhattan
):
    """The deliverable's date holds for the figures taken from it; once a stage is
    approved in the portal, the table says that approval's date (today)."""
    import datetime

    from django.utils import formats, timezone

    from cities.models import City
    from kpis.reporting import review

    trollhattan = City.objects.get(slug="trollhattan")
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=trollhattan, stage="final", comment="Check"
    )
    review.submit_stage(
        user=sern_coordinator_trollhattan, consortium=sern, city=trollhattan, stage="final"
    )
    review.approve_stage(user=sern_steering, consortium=sern, city=trollhattan, stage="final")
    sheet = workbook_of(client.get(URL.format("xlsx")))["Trollhättan"]
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert sheet.cell(row=5, column=2).value == f"Figures as approved on {today}"
    assert timezone.localdate() > datetime.date(2022, 11, 30)


def test_the_approval_date_speaks_italian(client, sern):
    sheet = workbook_of(client.get(URL.format("xlsx"), headers={"accept-language": "it"}))[
        "Trollhättan"
    ]
    assert sheet.cell(row=5, column=2).value == (
        "Dati come approvati nel rapporto finale di novembre 2022"
    )


def test_no_figure_is_approved_before_the_date_it_is_as_of(client, sern):
    """The deliverable's approval is no earlier than any figure loaded from it: the
    exports never say figures were approved before the day they are "as of"."""
    from kpis.models import Measurement

    assert sern.figures_approved_on is not None
    figures = Measurement.objects.filter(kpi__solution__consortium=sern, as_of__isnull=False)
    assert figures.filter(as_of__month=11).exists()  # the seed's "as of November 22"
    assert not figures.filter(as_of__gt=sern.figures_approved_on).exists()
    for url in (URL.format("xlsx"), "/consortia/sern/matrix/xlsx/?stage=final"):
        summary = workbook_of(client.get(url)).worksheets[0]
        texts = [cell.value for row in summary.iter_rows() for cell in row]
        assert "Figures as approved in the deliverable of November 2022" in texts, url
