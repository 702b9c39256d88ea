"""The overview's matrix as XLSX and CSV; the deliverable as a page, DOCX, PDF and command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from docx import Document

from kpis.models import KPI
from tests.helpers.exchange import pdf_text, pdf_tools_or_skip, row_of, workbook_of

pytestmark = pytest.mark.django_db


def test_the_matrix_as_xlsx_one_sheet_per_solution_status_in_words_and_colours(client, sern):
    workbook = workbook_of(client.get("/consortia/sern/matrix/xlsx/?stage=final"))

    assert workbook.sheetnames[0] == "Summary"
    assert [name[:2] for name in workbook.sheetnames[1:]] == ["1 ", "2 ", "3 "]
    sheet = workbook[workbook.sheetnames[1]]
    headings = [cell.value for cell in sheet[4]]
    assert headings[:4] == ["Code", "KPI", "Unit", "Target"]
    column = headings.index("Trollhättan")
    assert headings[column + 1] == "Trollhättan: status"
    row = row_of(sheet, "1.1")
    figure, status = sheet.cell(row=row, column=column + 1), sheet.cell(row=row, column=column + 2)
    assert figure.value == 10 and figure.data_type == "n"
    assert status.value.startswith("Achieved")
    assert figure.fill.start_color.rgb.endswith("E3F2E7")
    assert status.fill.start_color.rgb == figure.fill.start_color.rgb
    summary = workbook["Summary"]
    assert summary["A1"].value == "SERN – Sweden Emilia Romagna Network"
    assert summary["B2"].value == "Final results"


def test_the_matrix_as_csv_neutralises_formulas(client, sern):
    KPI.objects.filter(solution__consortium=sern, code="1.1").update(name="=HYPERLINK(1)")
    response = client.get("/consortia/sern/matrix/csv/?stage=final")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    line = next(r for r in rows if r["kpi_code"] == "1.1" and r["column"] == "Trollhättan")
    assert line["kpi"] == "'=HYPERLINK(1)"
    assert (line["value"], line["status"], line["stage"]) == ("10", "achieved", "final")
    assert line["status_words"].startswith("Achieved")


def test_the_deliverable_page_has_every_part_and_its_downloads(client, sern):
    response = client.get("/consortia/sern/deliverable/")
    text = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Vision and ambition statements",
        "Ambition statement 1",
        "Initiative charters",
        "Solution 1 · Digital Transformation Plan",
        "Assessment of solution maturity – Trollhättan",
        "Assessment of solution maturity – SERN",
        "Roadmap",
        "Lessons learned",
    ):
        assert heading in text, heading
    assert "/consortia/sern/deliverable/docx/" in text
    overview = client.get("/?consortium=sern").content.decode()
    assert "/consortia/sern/deliverable/" in overview and "/consortia/sern/matrix/xlsx/" in overview
    city = client.get("/cities/trollhattan/").content.decode()
    assert "/cities/trollhattan/maturity/docx/?consortium=sern" in city


def test_the_deliverable_as_docx_follows_the_seeds_structure(client, sern):
    document = Document(io.BytesIO(client.get("/consortia/sern/deliverable/docx/").content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    order = [
        "Vision and ambition statements",
        "Initiative charters",
        "Assessment of solution maturity",
        "Roadmap",
        "Lessons learned",
    ]
    assert [heading for heading in headings if heading in order] == order
    assert "Assessment of solution maturity – Trollhättan" in headings
    activities = [t for t in document.tables if t.rows[0].cells[0].text == "Code"]
    assert any("work days" in row.cells[2].text for t in activities for row in t.rows)


def test_export_deliverable_writes_docx_and_pdf(sern, tmp_path):
    output = tmp_path / "sern.docx"
    call_command("export_deliverable", "sern", "--format", "docx", "--output", str(output))
    assert Document(str(output)).paragraphs[0].text == "SERN: ICC final deliverable"
    italian = tmp_path / "sern-it.docx"
    call_command("export_deliverable", "sern", "--output", str(italian), "--language", "it")
    assert "Risultati finali" in "\n".join(
        cell.text for table in Document(str(italian)).tables for cell in table.rows[0].cells
    )
    pdf_tools_or_skip()
    pdf = tmp_path / "sern.pdf"
    call_command("export_deliverable", "sern", "--format", "pdf", "--output", str(pdf))
    text = pdf_text(pdf.read_bytes(), tmp_path)
    assert "Assessment of solution maturity – Trollhättan" in text and "Lessons learned" in text


def test_export_deliverable_names_the_consortia_it_knows(sern):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="there are: letsgov|there are: sern"):
        call_command("export_deliverable", "atlantis")
