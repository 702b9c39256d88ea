"""The overview through the HTTP client, on the SERN demo data (loaded once per module).

Every figure is read from the page's HTML table, as a steering committee member would.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpis.models import KPI, Measurement
from tests.cities.factories import UserFactory
from tests.helpers.tables import read_matrix

pytestmark = pytest.mark.django_db


def overview(client, **params):
    response = client.get(reverse("home"), {"consortium": "sern", **params})
    assert response.status_code == 200
    return read_matrix(response.content.decode())


# --- The acceptance figures (final stage) ----------------------------------------------


def test_trollhattan_kpi_1_1_final_10_against_2_per_city_is_achieved(client, sern):
    cell = overview(client, stage="final")[("1.1", "Trollhättan")]

    assert cell.status == "achieved"
    assert cell.text.startswith("10 / 2")
    assert "Achieved" in cell.text and "500 %" in cell.text


def test_consortium_policy_processes_influenced_kpi_2_4_is_incomplete_without_ravenna(client, sern):
    cell = overview(client, stage="final")[("2.4", "Consortium")]

    # Trollhättan 0 + Cervia 1 against 4; Ravenna's figure is not available and could
    # still make up the rest: incomplete, not behind.
    assert cell.status == "incomplete"
    assert cell.text.startswith("1 / 4")
    assert "Incomplete" in cell.text and "2 of 3 reported" in cell.text


def test_consortium_datasets_collected_kpi_2_2_is_behind_at_one_of_two_countries(client, sern):
    cell = overview(client, stage="final")[("2.2", "Consortium")]

    assert cell.status == "behind"
    assert cell.text.startswith("16 / 4")  # the summed figure is still shown
    assert "1 of 2 countries at their target" in cell.text


def test_consortium_departments_kpi_1_1_is_incomplete_without_vanersborg(client, sern):
    cell = overview(client, stage="final")[("1.1", "Consortium")]

    assert cell.status == "incomplete"
    assert cell.text.startswith("3 / 4")
    assert "cities at their target" in cell.text and "3 of 4 reported" in cell.text


def test_cervia_datasets_collected_kpi_2_2_is_not_available_never_0_or_behind(client, sern):
    cell = overview(client, stage="final")[("2.2", "Cervia")]

    assert cell.status == "not_available"
    assert cell.text == "Not available"  # no figure at all: not 0
    assert "Behind" not in cell.text


def test_vanersborg_which_reported_nothing_shows_no_data(client, sern):
    cells = overview(client, stage="final")

    for code in ("1.1", "1.2", "1.3a", "1.4", "1.5c"):
        assert cells[(code, "Vänersborg")].status == "no_data"
        assert "No data" in cells[(code, "Vänersborg")].text
    assert "No data: 8" in cells[("Summary", "Vänersborg")].text


def test_city_outside_a_solution_has_an_empty_cell_not_a_red_one(client, sern):
    cell = overview(client, stage="final")[("2.4", "Vänersborg")]

    assert cell.classes == "none"
    assert cell.text == ""


def test_per_country_target_is_judged_in_the_country_column(client, sern):
    cells = overview(client, stage="final")

    assert cells[("2.2", "SE")].status == "behind"  # Trollhättan 0 of 2
    assert cells[("2.2", "IT")].status == "achieved"  # Ravenna 16, Cervia N/A
    assert "1 of 2 reported" in cells[("2.2", "IT")].text
    assert cells[("2.2", "Trollhättan")].status == "qualitative"  # no target of its own


def test_figures_the_consortium_reports_once_sit_in_the_consortium_column(client, sern):
    cells = overview(client, stage="final")

    assert cells[("3.1", "Consortium")].text.startswith("3 / 6")
    assert cells[("3.1", "Consortium")].status == "behind"
    assert cells[("3.4", "Consortium")].status == "achieved"
    assert "Reported once" in cells[("3.1", "Cervia")].text


def test_summary_line_counts_each_citys_kpis_by_status(client, sern):
    summary = overview(client, stage="final")[("Summary", "Trollhättan")].text

    assert "Achieved: 1" in summary
    assert "Not available: 2" in summary
    assert "Reported: " in summary  # the state of most SERN figures is counted too
    assert "On track" not in summary and "Behind" not in summary  # none: left out


def test_status_is_shown_by_text_as_well_as_colour(client, sern):
    html = client.get(reverse("home"), {"stage": "final"}).content.decode()

    for label in ("Achieved", "Behind", "Not available", "No data"):
        assert f"<em>{label}</em>" in html


# --- Stages -----------------------------------------------------------------------------


def test_default_stage_is_the_latest_with_figures(client, sern):
    response = client.get(reverse("home"))

    assert response.context["stage"] == "final"
    assert read_matrix(response.content.decode())[("1.1", "Trollhättan")].status == "achieved"


def test_midway_is_on_track_at_half_the_target(client, sern):
    cells = overview(client, stage="midway")

    assert cells[("1.1", "Ravenna")].text.startswith("3 / 2")
    assert cells[("2.1", "Trollhättan")].status == "no_data"  # the midway column is empty
    assert "Midway" in client.get(reverse("home"), {"stage": "midway"}).content.decode()


def test_latest_takes_each_citys_latest_figure_and_says_which_stage(client, sern):
    Measurement.objects.filter(kpi__code="1.1", city__slug="ravenna", stage="final").delete()

    cells = overview(client, stage="latest")

    assert cells[("2.2", "Ravenna")].text.startswith("16")
    assert "Midway" not in cells[("2.2", "Ravenna")].text
    assert cells[("1.1", "Ravenna")].text.startswith("3 / 2")
    assert "Midway" in cells[("1.1", "Ravenna")].text  # only the midway figure is left
    assert cells[("2.4", "Consortium")].status == "incomplete"  # Ravenna: not available


def test_unknown_stage_falls_back_to_the_default(client, sern):
    response = client.get(reverse("home"), {"stage": "someday"})

    assert response.status_code == 200
    assert response.context["stage"] == "final"


def test_baseline_stage_has_no_data_in_sern(client, sern):
    cells = overview(client, stage="baseline")

    assert cells[("1.1", "Trollhättan")].status == "no_data"


# --- Who sees what ----------------------------------------------------------------------


@pytest.fixture
def draft_for_vanersborg(sern):
    kpi = KPI.objects.get(solution__consortium=sern, code="1.1")
    return Measurement.objects.create(
        kpi=kpi,
        city_id=sern.cities.get(slug="vanersborg").pk,
        stage="final",
        status="reported",
        value=5,
        review_state="draft",
    )


def test_anonymous_visitors_see_approved_figures_only(client, draft_for_vanersborg):
    cell = overview(client, stage="final")[("1.1", "Vänersborg")]

    assert cell.status == "no_data"


def test_partners_see_approved_figures_only(client, sern_partner, draft_for_vanersborg):
    client.force_login(sern_partner)

    assert overview(client, stage="final")[("1.1", "Vänersborg")].status == "no_data"


def test_steering_committee_sees_drafts_marked_as_such(client, sern_steering, draft_for_vanersborg):
    client.force_login(sern_steering)

    response = client.get(reverse("home"), {"stage": "final"})
    cells = read_matrix(response.content.decode())

    assert cells[("1.1", "Vänersborg")].text.startswith("5 / 2")
    assert "Draft" in cells[("1.1", "Vänersborg")].text
    assert "Includes unapproved figures" in cells[("1.1", "Consortium")].text
    assert "Includes figures not yet approved" in response.content.decode()


def test_coordinator_sees_own_citys_drafts(
    client, sern_coordinator_vanersborg, draft_for_vanersborg
):
    client.force_login(sern_coordinator_vanersborg)

    assert "Draft" in overview(client, stage="final")[("1.1", "Vänersborg")].text


def test_submitted_figures_are_marked_submitted(client, sern_steering, draft_for_vanersborg):
    Measurement.objects.filter(pk=draft_for_vanersborg.pk).update(review_state="submitted")
    client.force_login(sern_steering)

    assert "Submitted" in overview(client, stage="final")[("1.1", "Vänersborg")].text


def test_unpublished_consortium_is_not_shown_to_anonymous_visitors(client, sern):
    sern.is_published = False
    sern.save()

    response = client.get(reverse("home"), {"consortium": "sern"})

    assert "SERN – Sweden Emilia Romagna Network" not in response.content.decode()


def test_text_in_cells_is_escaped(client, sern):
    kpi = KPI.objects.get(solution__consortium=sern, code="1.5a")
    Measurement.objects.filter(kpi=kpi, stage="final", city__slug="cervia").update(
        text_value="<script>alert(1)</script>"
    )
    UserFactory()  # a fresh cell: nothing cached can hide the escaping

    html = client.get(reverse("home"), {"stage": "final"}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
