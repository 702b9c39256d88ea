"""No CSV the portal writes can run code in a spreadsheet (OWASP "CSV Injection").

A text cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) is downloaded with a leading ``'``; numbers stay numbers. The
figures are put in place with ``update()``: the entry grid and the API strip leading
tabs and line breaks from what is typed, but a figure may reach the database another
way (an import, the admin's shell), and the export must not trust how it got there.
"""

import csv
import io
from decimal import Decimal

import pytest

from icc_portal.api.csv import neutralise_formula
from kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"

#: What a note says, and how the downloaded cell must read.
FORMULAS = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    (" =1+1", "' =1+1"),
    ("\n@SUM(A1)", "'\n@SUM(A1)"),
]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return list(csv.DictReader(io.StringIO(body, newline="")))


@pytest.fixture
def final_figure(sern):
    """Ravenna's approved final figure of KPI 2.2, which everyone may read."""
    return Measurement.objects.get(kpi__code="2.2", city__slug="ravenna", stage="final")


@pytest.mark.parametrize(("note", "downloaded"), FORMULAS)
def test_measurements_csv_neutralises_a_formula_in_a_note(
    anonymous, final_figure, note, downloaded
):
    Measurement.objects.filter(pk=final_figure.pk).update(note=note, text_value=note)
    rows = csv_rows(
        anonymous.get(URL, {"format": "csv", "kpi": "2.2", "city": "ravenna", "stage": "final"})
    )
    assert [row["note"] for row in rows] == [downloaded]
    assert rows[0]["text_value"] == downloaded


@pytest.mark.parametrize(("note", "downloaded"), FORMULAS)
def test_single_measurement_csv_neutralises_a_formula(anonymous, final_figure, note, downloaded):
    Measurement.objects.filter(pk=final_figure.pk).update(note=note)
    rows = csv_rows(anonymous.get(f"{URL}{final_figure.pk}/", {"format": "csv"}))
    assert rows[0]["note"] == downloaded
    # JSON is data, not a spreadsheet: the note reads there exactly as stored.
    assert anonymous.get(f"{URL}{final_figure.pk}/").json()["note"] == note


def test_measurements_csv_keeps_negative_numbers_numbers(anonymous, final_figure):
    for stored, shown in [("-5", "-5"), ("-0.5", "-0.5"), ("-1234.25", "-1234.25")]:
        Measurement.objects.filter(pk=final_figure.pk).update(value=Decimal(stored))
        query = {"kpi": "2.2", "city": "ravenna", "stage": "final"}
        rows = csv_rows(anonymous.get(URL, {**query, "format": "csv"}))
        assert rows[0]["value"] == shown
        single = csv_rows(anonymous.get(f"{URL}{final_figure.pk}/", {"format": "csv"}))
        assert single[0]["value"] == shown


@pytest.mark.parametrize(("name", "downloaded"), FORMULAS)
def test_progress_csv_neutralises_a_formula_in_a_kpi_name(
    anonymous, final_figure, name, downloaded
):
    KPI.objects.filter(pk=final_figure.kpi_id).update(name=name, unit="=2*3")
    response = anonymous.get(
        "/api/v1/progress/", {"consortium": "sern", "stage": "final", "kpi": "2.2", "format": "csv"}
    )
    rows = csv_rows(response)
    assert rows
    assert {row["kpi_name"] for row in rows} == {downloaded}
    assert {row["unit"] for row in rows} == {"'=2*3"}


def test_progress_csv_keeps_negative_numbers_numbers(anonymous, sern):
    # KPI 1.1 has a target per city, so Ravenna's own cell has a ratio (here below 0).
    figure = Measurement.objects.get(kpi__code="1.1", city__slug="ravenna", stage="final")
    Measurement.objects.filter(pk=figure.pk).update(value=Decimal("-5"))
    response = anonymous.get(
        "/api/v1/progress/",
        {"consortium": "sern", "stage": "final", "kpi": "1.1", "city": "ravenna", "format": "csv"},
    )
    [row] = csv_rows(response)
    assert row["value"] == "-5"
    assert row["ratio"].startswith("-") and not row["ratio"].startswith("'")
    assert Decimal(row["ratio"]) < 0


@pytest.mark.parametrize(("text", "cell"), FORMULAS)
def test_neutralise_formula_prefixes_what_a_spreadsheet_would_run(text, cell):
    assert neutralise_formula(text) == cell


@pytest.mark.parametrize(
    "text",
    ["", "-5", "-0.5", "10", "Ravenna", "2 of 3 reported", "a = b", "1-2", " 10 km", "'=1"],
)
def test_neutralise_formula_leaves_numbers_and_plain_text_alone(text):
    assert neutralise_formula(text) == text


@pytest.mark.parametrize("text", ["-", "-5e3", "-5,0", "-.5", "-5.", "-0x1F", "--5", "-5\n=1"])
def test_neutralise_formula_treats_only_a_plain_number_as_a_number(text):
    assert neutralise_formula(text) == "'" + text
