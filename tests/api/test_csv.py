"""Measurements as CSV: the whole filtered set, streamed, in a fixed column order."""

import csv
import io
from decimal import Decimal

import pytest

from kpis.models import KPI, Measurement
from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
COLUMNS = [
    "id",
    "consortium",
    "solution",
    "kpi",
    "kpi_code",
    "city",
    "country",
    "stage",
    "status",
    "value",
    "boolean_value",
    "text_value",
    "reason",
    "note",
    "evidence_url",
    "as_of",
    "review_state",
    "version",
    "updated_at",
]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming, "a large export must not be built in memory"
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def test_format_csv_exports_the_whole_filtered_set_unpaginated(anonymous, sern):
    response = anonymous.get(URL, {"format": "csv", "page_size": 10})
    assert 'filename="measurements.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == Measurement.objects.count() == 84


def test_accept_header_text_csv(anonymous, sern):
    rows = read_csv(
        anonymous.get(URL, {"consortium": "sern", "stage": "midway"}, HTTP_ACCEPT="text/csv")
    )
    assert {row["stage"] for row in rows} == {"midway"}
    assert len(rows) == Measurement.objects.filter(stage="midway").count()


def test_csv_applies_the_same_filters_and_values_as_json(anonymous, sern):
    query = {"city": "ravenna", "stage": "final", "solution": 2}
    rows = read_csv(anonymous.get(URL, {**query, "format": "csv"}))
    json_rows = anonymous.get(URL, query).json()["results"]
    assert [row["id"] for row in rows] == [str(row["id"]) for row in json_rows]
    for csv_row, json_row in zip(rows, json_rows, strict=True):
        for column in COLUMNS:
            expected = json_row[column]
            expected = "" if expected is None else str(expected)
            assert csv_row[column] == expected, column


def test_csv_decimals_are_plain_strings(anonymous, sern):
    kpi = KPI.objects.get(code="2.2")
    measurement = Measurement.objects.get(kpi=kpi, city__slug="ravenna", stage="final")
    for stored, shown in [("2.5", "2.5"), ("1000", "1000"), ("0.0001", "0.0001"), ("0", "0")]:
        Measurement.objects.filter(pk=measurement.pk).update(value=Decimal(stored))
        rows = read_csv(
            anonymous.get(URL, {"format": "csv", "kpi": "2.2", "city": "ravenna", "stage": "final"})
        )
        assert rows[0]["value"] == shown
        json_value = anonymous.get(f"{URL}{measurement.pk}/").json()["value"]
        assert json_value == shown


def test_csv_booleans_and_empty_cells(anonymous, sern):
    rows = read_csv(anonymous.get(URL, {"format": "csv", "status": "not_available"}))
    assert rows
    assert all(row["value"] == "" and row["reason"] for row in rows)


def test_csv_errors_are_json_in_the_one_error_shape(anonymous, sern):
    response = anonymous.get(URL, {"format": "csv", "stage": "someday"})
    assert_error_shape(response, 400, "stage")
    response = anonymous.get(URL, {"stage": "someday"}, HTTP_ACCEPT="text/csv")
    assert_error_shape(response, 400, "stage")


def test_csv_of_a_single_measurement(anonymous, sern):
    measurement = Measurement.objects.filter(status="reported").first()
    response = anonymous.get(f"{URL}{measurement.pk}/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == COLUMNS
    assert rows[0]["id"] == str(measurement.pk)


def test_csv_export_reads_rows_in_chunks(anonymous, sern, monkeypatch):
    """The export iterates the queryset (``iterator()``), it never loads it as a list."""
    from django.db.models.query import QuerySet

    calls = []
    original = QuerySet.iterator

    def spy(self, *args, **kwargs):
        calls.append(kwargs.get("chunk_size"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    read_csv(anonymous.get(URL, {"format": "csv"}))
    assert calls and calls[0] >= 100


@pytest.mark.parametrize("url", [URL, "/api/v1/progress/?consortium=sern"])
def test_csv_refuses_a_malformed_page_too(anonymous, sern, url):
    separator = "&" if "?" in url else "?"
    response = anonymous.get(f"{url}{separator}format=csv&page=-3")
    assert_error_shape(response, 400, "page")
