"""The verdict on each row of an import, read over the API as a partner's program reads it:
its row number, its KPI, the figure before and after in words, and a refused row's cell,
message and code (kpis.exchange.imports.preview_upload).

test_import_api.py covers the endpoint's shape and its permissions; here, rows: a KPI
written twice, the rows after a refused one, what a stored figure reads as.
"""

from __future__ import annotations

import pytest

from kpis.exchange.template import COLUMNS
from kpis.models import KPI, Measurement
from tests.helpers.api import client_for
from tests.helpers.exchange import (
    TEMPLATE,
    as_bytes,
    colleague_saves_1_1,
    figures_sheet,
    post_import,
    workbook_of,
)

pytestmark = pytest.mark.django_db


def post(user, content: bytes, **fields):
    return post_import(client_for(user), content, **fields)


def rows_by_number(response) -> dict[int, dict]:
    assert response.status_code == 200, response.content[:500]
    return {row["row"]: row for row in response.json()["rows"]}


def test_a_kpi_written_twice_is_refused_on_its_second_row_and_the_rows_after_are_read(
    vanersborg_client, sern_coordinator_vanersborg
):
    """Row 6 (1.2 in the template) is overwritten with a second 1.1: refused at its code's
    cell. The rows after it are still judged: 1.3a (row 7) is created."""
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    for column in range(1, len(COLUMNS) + 1):
        sheet.cell(row=6, column=column).value = sheet.cell(row=5, column=column).value
    sheet["G5"], sheet["G6"], sheet["G7"] = 3, 5, 2

    rows = rows_by_number(post(sern_coordinator_vanersborg, as_bytes(workbook)))

    assert sorted(rows) == list(range(5, 19))
    twice = rows[6]
    assert (twice["kpi"], twice["kpi_code"], twice["status"]) == (None, "", "refused")
    assert (twice["cell"], twice["message"], twice["code"]) == (
        "A6",
        "This KPI appears twice.",
        "duplicate",
    )
    assert twice["problems"] == [
        {"cell": "A6", "field": "", "message": "This KPI appears twice.", "code": "duplicate"}
    ]
    first = rows[5]
    assert (first["kpi_code"], first["status"], first["new"]) == ("1.1", "created", "3")
    after = rows[7]
    assert (after["kpi_code"], after["status"], after["new"]) == ("1.3a", "created", "2")


def test_a_stored_figure_reads_in_words_before_and_after_in_its_kpis_own_type(
    vanersborg_client, sern_coordinator_vanersborg
):
    """A percentage KPI's figure reads "3 %", stored (3.1's, left as it is) or new (1.1's)."""
    KPI.objects.filter(code__in=["1.1", "3.1"]).update(value_type=KPI.ValueType.PERCENT)
    assert Measurement.objects.get(city=None, stage="final", kpi__code="3.1").value == 3
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    figures_sheet(workbook)["G5"] = 40

    response = post(sern_coordinator_vanersborg, as_bytes(workbook))
    rows = rows_by_number(response)

    assert response.json()["file_type"] == "xlsx"
    assert (rows[5]["status"], rows[5]["old"], rows[5]["new"]) == (
        "created",
        "not yet reported",
        "40 %",
    )
    assert (rows[13]["kpi_code"], rows[13]["status"], rows[13]["old"], rows[13]["new"]) == (
        "3.1",
        "unchanged",
        "3 %",
        "3 %",
    )


def test_a_csv_upload_says_it_was_read_as_csv(vanersborg_client, sern_coordinator_vanersborg):
    download = vanersborg_client.get("/cities/vanersborg/report/final/template/csv/")
    content = b"".join(download.streaming_content)

    response = post(sern_coordinator_vanersborg, content)

    assert response.status_code == 200, response.content[:500]
    assert response.json()["file_type"] == "csv"
    assert response.json()["counts"]["refused"] == 0


def test_a_reader_who_may_enter_nothing_here_is_told_so(vanersborg_client):
    """The steering committee of a second consortium Vänersborg belongs to reads its grid,
    but that consortium reports nothing once: there is no figure here it may enter."""
    from cities.models import City
    from tests.cities.factories import ConsortiumFactory, MembershipFactory
    from tests.helpers import personas

    content = as_bytes(workbook_of(vanersborg_client.get(TEMPLATE)))
    other = ConsortiumFactory(slug="lakes")
    MembershipFactory(consortium=other, city=City.objects.get(slug="vanersborg"))

    response = post(personas.steering("lakes-steering", other), content)

    assert response.status_code == 403, response.json()
    assert response.json()["detail"] == "You may not enter figures here."


def test_a_row_whose_code_and_id_disagree_is_refused_at_its_code(
    vanersborg_client, sern_coordinator_vanersborg
):
    """Row 7 is 1.3a's (id 4) with its code typed over as 1.1."""
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    kpi_id = sheet["P7"].value
    sheet["A7"], sheet["G7"] = "1.1", 2

    row = rows_by_number(post(sern_coordinator_vanersborg, as_bytes(workbook)))[7]

    message = (
        f"The code 1.1 and the KPI id {kpi_id} of this row name two different KPIs: correct "
        "one of them."
    )
    assert (row["status"], row["kpi"]) == ("refused", None)
    assert row["problems"] == [
        {"cell": "A7", "field": "", "message": message, "code": "kpi_mismatch"}
    ]


def test_a_row_changed_after_a_colleague_saved_its_figure_is_refused_as_a_whole_row(
    vanersborg_client, sern_coordinator_vanersborg
):
    """The colleague saves 1.1 after the template was downloaded; the file changes 1.1
    too. The row is refused, about its version (no cell the reader typed), saying who saved
    what; the row after it (1.2) is still created."""
    from cities.models import City

    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    sheet["G5"], sheet["G6"] = 3, 4
    colleague_saves_1_1(City.objects.get(slug="vanersborg"), 5)

    rows = rows_by_number(post(sern_coordinator_vanersborg, as_bytes(workbook)))

    stale = rows[5]
    assert (stale["kpi_code"], stale["status"], stale["old"], stale["new"]) == (
        "1.1",
        "refused",
        "5",
        "3",
    )
    [problem] = stale["problems"]
    # About the row's version, a column of no cell the reader typed in: no cell named.
    assert (problem["cell"], problem["field"], problem["code"]) == ("", "version", "stale")
    assert problem["message"].startswith("colleague-vanersborg saved this figure on ")
    assert problem["message"].endswith(
        ", after the template was downloaded: it is now 5 (version 1). This row was not "
        "stored: download a fresh template from this page and enter your figure there."
    )
    assert (rows[6]["kpi_code"], rows[6]["status"]) == ("1.2", "created")
