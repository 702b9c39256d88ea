"""POST /api/v1/imports/: the same import as the Upload page, answered as JSON."""

from __future__ import annotations

import io

import pytest

from kpis.models import Measurement
from tests.helpers.api import client_for
from tests.helpers.exchange import TEMPLATE, as_bytes, figures_sheet, workbook_of
from tests.helpers.exchange import post_import as post

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(vanersborg_client):
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    sheet["G5"], sheet["G6"], sheet["G7"] = 3, 4, -2
    return as_bytes(workbook)


def test_a_dry_run_answers_the_preview_and_stores_nothing(sern_coordinator_vanersborg, filled):
    response = post(client_for(sern_coordinator_vanersborg), filled)

    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and body["applied"] is False and body["stored"] == 0
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 11, "refused": 1}
    refused = next(row for row in body["rows"] if row["status"] == "refused")
    assert refused["kpi_code"] == "1.3a" and refused["cell"] == "G7"
    assert refused["message"] == "A count cannot be negative." and refused["code"] == "negative"
    new = next(row for row in body["rows"] if row["kpi_code"] == "1.1")
    assert (new["status"], new["old"], new["new"]) == ("created", "not yet reported", "3")
    assert not Measurement.objects.filter(city__slug="vanersborg", stage="final").exists()


def test_dry_run_false_stores_the_accepted_rows(sern_coordinator_vanersborg, filled):
    response = post(client_for(sern_coordinator_vanersborg), filled, dry_run="false")

    assert response.status_code == 200
    assert response.json()["applied"] is True and response.json()["stored"] == 2
    stored = Measurement.objects.filter(city__slug="vanersborg", stage="final")
    assert sorted(stored.values_list("kpi__code", flat=True)) == ["1.1", "1.2"]


def test_the_same_permissions_as_the_grid(sern_coordinator_cervia, sern_partner, filled):
    assert post(client_for(sern_coordinator_cervia), filled).status_code == 403
    assert post(client_for(sern_partner), filled).status_code == 403
    assert post(client_for(None), filled).status_code == 401
    assert not Measurement.objects.filter(city__slug="vanersborg", stage="final").exists()


def test_a_request_without_its_unit_says_so(sern_coordinator_vanersborg, filled):
    api = client_for(sern_coordinator_vanersborg)
    response = api.post(
        "/api/v1/imports/", {"file": io.BytesIO(filled), "stage": "final"}, format="multipart"
    )
    assert response.status_code == 400 and "city" in response.json()["errors"]
    unknown = post(api, filled, city="atlantis")
    assert unknown.status_code == 400 and "city" in unknown.json()["errors"]


def test_the_consortiums_own_figures_import_with_the_grids_locks(client, sern_steering):
    """Steering enters the figures SERN reports once; the demo's are approved, so locked."""
    client.force_login(sern_steering)
    workbook = workbook_of(client.get("/consortia/sern/report/final/template/xlsx/"))
    sheet = figures_sheet(workbook)
    assert sheet["A5"].value == "3.1"
    sheet["G5"] = 5
    data = {"file": io.BytesIO(as_bytes(workbook)), "consortium": "sern", "stage": "final"}

    response = client_for(sern_steering).post("/api/v1/imports/", data, format="multipart")

    assert response.status_code == 200
    row = next(row for row in response.json()["rows"] if row["kpi_code"] == "3.1")
    assert row["status"] == "refused" and row["code"] == "locked"
    assert row["message"].startswith("This figure is approved and locked.")


def test_a_figure_deleted_after_the_download_is_refused_saying_to_download_again(
    vanersborg_client, sern_coordinator_vanersborg
):
    api = client_for(sern_coordinator_vanersborg)
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    assert sheet["A5"].value == "1.1"
    sheet["G5"] = 3
    assert post(api, as_bytes(workbook), dry_run="false").json()["stored"] == 1
    # A template downloaded now holds the figure at its version; then the figure is deleted.
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    figures_sheet(workbook)["G5"] = 5
    Measurement.objects.get(city__slug="vanersborg", stage="final", kpi__code="1.1").delete()

    (row,) = [
        row for row in post(api, as_bytes(workbook)).json()["rows"] if row["kpi_code"] == "1.1"
    ]

    assert (row["status"], row["code"]) == ("refused", "stale")
    assert row["message"] == (
        "This figure was deleted after the template was downloaded; this row was not stored. "
        "Download a fresh template from this page and enter your figure there."
    )
