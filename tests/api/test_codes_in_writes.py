"""A KPI named by its consortium and code (``"sern/2.2"``) wherever an id is taken: one
figure, many at once, and the rows of an import; the city by its slug throughout."""

from __future__ import annotations

import csv
import io

import pytest

from cities.models import Consortium
from kpis.models import KPI, Measurement
from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def figure(**changes) -> dict:
    body = {"kpi": "sern/2.2", "city": "ravenna", "stage": "baseline", "status": "reported"}
    body["value"] = "7"
    body.update(changes)
    return body


def test_a_figure_is_written_with_kpi_sern_2_2_and_city_ravenna(ravenna_client):
    response = ravenna_client.post(URL, figure(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Measurement.objects.get(pk=body["id"])
    assert (stored.kpi.solution.consortium.slug, stored.kpi.code) == ("sern", "2.2")
    assert (stored.city.slug, stored.value, body["kpi"]) == ("ravenna", 7, stored.kpi_id)
    # The same figure by its id is the same figure: nothing new to store.
    again = ravenna_client.post(URL, figure(kpi=stored.kpi_id), format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert (
        ravenna_client.post(URL, figure(kpi=str(stored.kpi_id)), format="json").status_code == 200
    )


@pytest.mark.parametrize(
    ("reference", "code", "message"),
    [
        ("sern/9.9", "does_not_exist", "There is no KPI “sern/9.9”."),
        ("nowhere/2.2", "does_not_exist", "There is no KPI “nowhere/2.2”."),
        (
            "2.2",
            "incorrect_type",
            'Name the KPI by its id (12) or by its consortium and code ("sern/2.2").',
        ),
        (
            True,
            "incorrect_type",
            'Name the KPI by its id (12) or by its consortium and code ("sern/2.2").',
        ),
    ],
)
def test_a_code_that_names_no_kpi_is_400_on_kpi(ravenna_client, reference, code, message):
    body = assert_error_shape(
        ravenna_client.post(URL, figure(kpi=reference), format="json"), 400, "kpi"
    )
    assert (body["code"], body["errors"]["kpi"]) == (code, [message])


def test_a_code_two_solutions_share_is_refused_naming_their_ids(ravenna_client, sern):
    original = KPI.objects.get(solution__consortium__slug="sern", code="2.2")
    other_solution = original.solution.consortium.solutions.exclude(pk=original.solution_id).first()
    twin = KPI.objects.create(solution=other_solution, code="2.2", name="Twin", value_type="count")
    body = assert_error_shape(ravenna_client.post(URL, figure(), format="json"), 400, "kpi")
    assert body["code"] == "ambiguous"
    assert f"({min(original.pk, twin.pk)}, {max(original.pk, twin.pk)})" in body["errors"]["kpi"][0]


def test_bulk_rows_take_codes_and_ids_side_by_side(ravenna_client, sern):
    kpi_21 = KPI.objects.get(solution__consortium__slug="sern", code="2.1")
    response = ravenna_client.post(
        f"{URL}bulk/",
        {
            "figures": [
                figure(kpi="sern/2.2"),
                figure(kpi=kpi_21.pk, value="2"),
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [row["measurement"]["kpi_code"] for row in results] == ["2.2", "2.1"]
    refused = ravenna_client.post(
        f"{URL}bulk/", {"figures": [figure(kpi="sern/9.9"), figure(kpi="sern/2.1")]}, format="json"
    )
    body = assert_error_shape(refused, 400, "0.kpi")
    assert body["errors"] == {"0.kpi": ["There is no KPI “sern/9.9”."]}
    malformed = ravenna_client.post(f"{URL}bulk/", {"figures": [figure(kpi="x")]}, format="json")
    assert assert_error_shape(malformed, 400, "0.kpi")["code"] == "incorrect_type"


def template_rows(client) -> tuple[list[str], list[dict]]:
    response = client.get("/api/v1/imports/template.csv", {"city": "ravenna", "stage": "baseline"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames), list(reader)


def import_rows(client, header, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return client.post(
        "/api/v1/imports/",
        {"file": io.BytesIO(out.getvalue().encode()), "city": "ravenna", "stage": "baseline"},
        format="multipart",
    )


def test_an_import_row_may_name_its_kpi_by_code_alone(ravenna_client):
    header, rows = template_rows(ravenna_client)
    (row,) = [row for row in rows if row["kpi_code"] == "2.2"]
    by_code = {**row, "kpi_id": "", "kpi_code": "sern/2.2", "value": "7", "status": "reported"}
    bare = {**row, "kpi_id": "", "kpi_code": "2.2", "value": "7", "status": "reported"}
    for sent in (by_code, bare):
        preview = import_rows(ravenna_client, header, [sent])
        assert preview.status_code == 200, preview.content
        (result,) = preview.json()["rows"]
        assert (result["kpi"], result["kpi_code"], result["code"]) == (
            int(row["kpi_id"]),
            "2.2",
            "",
        )
    # A CSV of the partner's own, without the id column at all.
    header = [name for name in header if name != "kpi_id"]
    del by_code["kpi_id"]
    assert import_rows(ravenna_client, header, [by_code]).json()["counts"]["refused"] == 0


def test_an_import_row_whose_id_and_code_disagree_is_refused(ravenna_client):
    header, rows = template_rows(ravenna_client)
    (row,) = [row for row in rows if row["kpi_code"] == "2.2"]
    sent = {**row, "kpi_code": "sern/2.1", "value": "7", "status": "reported"}
    (result,) = import_rows(ravenna_client, header, [sent]).json()["rows"]
    assert result["code"] == "kpi_mismatch"
    assert result["message"] == (
        f"The code sern/2.1 and the KPI id {row['kpi_id']} of this row name two different "
        "KPIs: correct one of them."
    )


def _cell(header: list[str], column: str, line: int) -> str:
    return f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[header.index(column)]}{line}"


@pytest.mark.parametrize("slug", ["sern", "sern-round-2"])
def test_an_import_row_with_a_bare_code_two_kpis_share_is_refused_with_a_real_example(
    ravenna_client, sern, slug
):
    # The example is the consortium's own ("sern-round-2/2.2"), not SERN's for everyone.
    Consortium.objects.filter(pk=sern.pk).update(slug=slug)
    original = KPI.objects.get(solution__consortium=sern, code="2.2")
    other = original.solution.consortium.solutions.exclude(pk=original.solution_id).first()
    KPI.objects.create(solution=other, code="2.2", name="Twin", value_type="count")
    header, rows = template_rows(ravenna_client)
    (row,) = [row for row in rows if row["kpi_code"] == "2.2" and row["kpi_id"] == str(original.pk)]
    sent = {**row, "kpi_id": "", "value": "7", "status": "reported"}
    (result,) = import_rows(ravenna_client, header, [sent]).json()["rows"]
    assert (result["status"], result["code"]) == ("refused", "ambiguous")
    assert result["cell"] == _cell(header, "kpi_code", 2)
    assert result["message"] == (
        "Two KPIs of this template have the code 2.2: write it as consortium/code "
        f"(e.g. {slug}/2.2)."
    )


@pytest.mark.parametrize(
    ("kpi_id", "kpi_code"),
    # An id that is no whole number names no KPI, even beside a code that does: the row
    # was refused as naming "two different KPIs", the id "-1", which nobody wrote.
    [("abc", ""), ("", "9.9"), ("999999", ""), ("abc", "2.2"), ("-3", "sern/2.2"), ("2.5", "2.2")],
)
def test_an_import_row_naming_no_kpi_of_the_template_is_refused(ravenna_client, kpi_id, kpi_code):
    header, rows = template_rows(ravenna_client)
    sent = {**rows[0], "kpi_id": kpi_id, "kpi_code": kpi_code, "value": "7", "status": "reported"}
    (result,) = import_rows(ravenna_client, header, [sent]).json()["rows"]
    assert (result["status"], result["code"], result["kpi"]) == ("refused", "not_in_template", None)
    assert result["cell"] == _cell(header, "kpi_code", 2)
    assert result["message"] == (
        "This row is not one of the template's KPIs: download the template again."
    )
