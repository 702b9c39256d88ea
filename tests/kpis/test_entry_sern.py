"""The entry grid on the SERN demo data (the acceptance reference)."""

import pytest
from django.urls import reverse

from kpis.models import Measurement
from tests.helpers.budgets import GRID_BUDGET
from tests.helpers.forms import page_form

pytestmark = pytest.mark.django_db


def codes(rows):
    return [row.kpi.code for row in rows]


def test_vanersborg_final_stage_lists_its_solution_1_kpis_as_missing(
    client, sern_coordinator_vanersborg
):
    client.force_login(sern_coordinator_vanersborg)
    response = client.get(reverse("entry-grid", args=["vanersborg", "final"]))
    grid = response.context["grid"]
    assert codes(grid.missing_rows) == ["1.1", "1.2", "1.3a", "1.3b", "1.4", "1.5a", "1.5b", "1.5c"]
    # Vänersborg leads UPREST (solution 3), which the consortium reports once: shown,
    # approved in the deliverable, so locked.
    consortium_rows = [row for row in grid.rows if row.unit[1] is None]
    assert codes(consortium_rows) == ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]
    assert {row.lock for row in consortium_rows} == {"approved"}
    html = response.content.decode()
    assert "2 in each city" in html and "6 across the consortium" in html


def test_ravenna_final_figures_are_approved_and_shown_read_only(client, sern_coordinator_ravenna):
    client.force_login(sern_coordinator_ravenna)
    response = client.get(reverse("entry-grid", args=["ravenna", "final"]))
    grid = response.context["grid"]
    assert not grid.missing_rows
    assert {row.lock for row in grid.rows} == {"approved"}
    assert not grid.has_open_rows
    html = response.content.decode()
    assert "Save all changes" not in html
    assert "n. 3 IT Department, EU policies office, HR department" in html


def test_steering_reopens_a_loaded_stage_and_the_coordinator_corrects_it(
    client, sern_steering, sern_coordinator_ravenna
):
    client.force_login(sern_steering)
    client.post(
        reverse("entry-review", args=["ravenna", "final"]),
        {"action": "reopen", "consortium": "sern", "comment": "Ravenna recounted its staff"},
    )
    staff = Measurement.objects.get(kpi__code="1.5c", city__slug="ravenna", stage="final")
    assert staff.review_state == "draft"

    client.force_login(sern_coordinator_ravenna)
    url = reverse("entry-grid", args=["ravenna", "final"])
    data = page_form(client, url)
    data[f"kpi{staff.kpi_id}-value"] = "8"
    assert client.post(url, data).status_code == 302
    staff.refresh_from_db()
    assert staff.value == 8 and staff.version == 3
    # Approved figures of other stages are untouched.
    midway = Measurement.objects.get(kpi__code="1.5c", city__slug="ravenna", stage="midway")
    assert midway.review_state == "approved"


def test_sern_grid_query_budget(client, sern_coordinator_vanersborg, django_assert_max_num_queries):
    client.force_login(sern_coordinator_vanersborg)
    with django_assert_max_num_queries(GRID_BUDGET):
        assert client.get(reverse("entry-grid", args=["vanersborg", "final"])).status_code == 200
