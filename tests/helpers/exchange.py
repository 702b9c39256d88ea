"""The spreadsheet tests' shared code: a page's template and its upload, workbooks read and
written, PDFs read as text (or the test skipped where the tools are missing)."""

from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

TEMPLATE = "/cities/vanersborg/report/final/template/xlsx/"


IMPORT = "/cities/vanersborg/report/final/import/"


def workbook_of(response):
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content))


def as_bytes(workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def figures_sheet(workbook):
    return workbook[workbook.sheetnames[0]]


def row_of(sheet, code: str) -> int:
    """The sheet row of a KPI code (column A)."""
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code:
            return row
    raise AssertionError(f"no row for {code}")


def upload(client, content: bytes, name: str = "figures.xlsx", url: str = IMPORT):
    stream = io.BytesIO(content)
    stream.name = name
    return client.post(url, {"file": stream})


def post_import(api, content: bytes, **fields):
    """``POST /api/v1/imports/`` with ``api`` (a client of :func:`tests.helpers.api.
    client_for`): Vänersborg's final stage, a dry run unless ``fields`` say otherwise."""
    data = {"file": io.BytesIO(content), "city": "vanersborg", "stage": "final", **fields}
    return api.post("/api/v1/imports/", data, format="multipart")


def colleague_saves_1_1(vanersborg, value: int):
    """colleague-vanersborg, another coordinator of SERN's Vänersborg, saves its final 1.1
    as ``value`` (version 1), as the grid would while the signed-in one holds a
    downloaded template; returns the KPI."""
    from decimal import Decimal

    from kpis.models import KPI
    from kpis.reporting.entry import RowInput, record_measurements
    from tests.helpers import personas

    kpi = KPI.objects.get(solution__consortium__slug="sern", code="1.1")
    record_measurements(
        user=personas.coordinator("colleague-vanersborg", vanersborg),
        city=vanersborg,
        stage="final",
        rows=[RowInput(kpi=kpi, status="reported", value=Decimal(value), expected_version=0)],
    )
    return kpi


def apply_token(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "the preview offers no Apply"
    return found.group(1)


def pdf_tools_or_skip() -> None:
    """The PDF needs WeasyPrint's system libraries and the test pdftotext: in CI both are
    installed (.ci/run), so there a missing one fails; elsewhere the test is skipped."""
    from kpis.exchange.pdf import pdf_available

    missing = []
    if not pdf_available():
        missing.append("WeasyPrint's system libraries (libpango-1.0-0, libpangoft2-1.0-0)")
    if shutil.which("pdftotext") is None:
        missing.append("pdftotext (poppler-utils)")
    if not missing:
        return
    reason = "PDF tests need " + " and ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + ": .ci/run installs them")
    pytest.skip(reason)


def pdf_text(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def office_or_skip() -> None:
    """Rendering an export as it prints needs LibreOffice (Debian's libreoffice-calc-nogui
    and libreoffice-writer-nogui) and pdfinfo/pdftotext (poppler-utils): .ci/run installs
    them, so in CI a missing one fails; elsewhere the test is skipped."""
    missing = [tool for tool in ("soffice", "pdfinfo", "pdftotext") if shutil.which(tool) is None]
    if not missing:
        return
    reason = "printing tests need " + ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + ": .ci/run installs them")
    pytest.skip(reason)


@dataclass(frozen=True)
class Printed:
    """An export as LibreOffice prints it: its pages' sizes (points), each page's text as
    laid out, and each page's text in reading order with its spaces and line breaks made
    single spaces (``flowing``: a heading wrapped in its cell reads as one line)."""

    sizes: list[tuple[float, float]]
    pages: list[str]
    flowing: list[str]


def printed(content: bytes, suffix: str, tmp_path) -> Printed:
    """``content`` (an .xlsx or .docx) printed to PDF by LibreOffice, headless, with its
    own print settings (orientation, fit to width, repeated headings), then read back."""
    import subprocess

    source = tmp_path / f"export.{suffix}"
    source.write_bytes(content)
    profile = (tmp_path / "office-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "export.pdf"
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = [
        (float(width), float(height))
        for width, height in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", info)
    ]
    text, flowing = (
        subprocess.run(
            ["pdftotext", *layout, str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split("\f")[: len(sizes)]
        for layout in (["-layout"], [])
    )
    return Printed(sizes=sizes, pages=text, flowing=[" ".join(page.split()) for page in flowing])
