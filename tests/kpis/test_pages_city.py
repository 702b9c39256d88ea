"""A city's page through the HTTP client, on the SERN demo data (loaded once per module)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpis.models import Measurement
from tests.cities.factories import (
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
)
from tests.helpers.tables import read_matrix

pytestmark = pytest.mark.django_db


def city_page(client, slug):
    response = client.get(reverse("city-detail", args=[slug]))
    assert response.status_code == 200
    return response, response.content.decode()


def stage_table(html):
    return read_matrix(html, table_class="stage-table")


def test_city_page_shows_each_kpi_with_three_stages_against_the_target(client, sern):
    response, html = city_page(client, "trollhattan")

    cells = stage_table(html)
    assert cells[("1.1", "Target")].text == "2 in each city"
    assert cells[("1.1", "Where")].status == "no_data"
    assert cells[("1.1", "Midway")].status == "achieved"
    assert cells[("1.1", "Final")].text.startswith("10 / 2")
    assert "10 departments in Trollhattan" in cells[("1.1", "Final")].text


def test_city_page_lists_its_solutions_with_the_lead_marked(client, sern):
    _response, html = city_page(client, "trollhattan")

    assert "Solution 1 · Digital Transformation Plan" in html
    assert "Lead city" in html
    assert 'href="/solutions/sern/2/"' in html  # Trollhättan reports on solution 2
    assert "Reported once by SERN for solution 3" in html


def test_a_city_outside_a_solution_does_not_list_it(client, sern):
    _response, html = city_page(client, "vanersborg")

    assert "Practical use of open data" not in html
    assert "No data" in html


def test_not_available_shows_its_reason_never_a_zero(client, sern):
    _response, html = city_page(client, "cervia")

    cell = stage_table(html)[("2.2", "Final")]
    assert cell.status == "not_available"
    assert "Reported as n.a. in the SERN final deliverable" in cell.text
    assert not cell.text.startswith("0")


def test_text_answers_and_notes_are_kept_as_written(client, sern):
    _response, html = city_page(client, "trollhattan")

    assert "Draft plans in development" in stage_table(html)[("1.3a", "Midway")].text


def test_evidence_links_and_dates_are_shown(client, sern):
    Measurement.objects.filter(kpi__code="1.1", city__slug="ravenna", stage="final").update(
        evidence_url="https://example.org/ravenna-plan.pdf"
    )

    _response, html = city_page(client, "ravenna")

    assert 'href="https://example.org/ravenna-plan.pdf" rel="noopener noreferrer">Evidence' in html
    # UPREST's "as of November 22"
    assert "as of 30 November 2022" in city_page(client, "cervia")[1]


def test_activities_and_their_status(client, sern):
    _response, html = city_page(client, "ravenna")

    assert "Work groups at municipal level established" in html
    assert 'class="activity-status activity-done">Done' in html
    assert 'class="activity-status activity-planned">Planned' in html


def test_three_year_plan_with_its_targets_and_commitments(client, sern):
    _response, html = city_page(client, "trollhattan")

    assert "Three-year plan" in html
    assert "well developed capacity to capture the possibilities of digitalisation" in html
    assert "Secure funding and organisation" in html
    assert "We will continue to work for allocation of resources" in html


def test_the_entry_links_are_on_the_city_page(client, sern):
    _response, html = city_page(client, "trollhattan")

    assert reverse("city-changes", args=["trollhattan"]) in html


def test_unknown_city_is_404(client, sern):
    assert client.get(reverse("city-detail", args=["atlantis"])).status_code == 404


def test_city_of_an_unpublished_consortium_is_404_for_visitors(client, db):
    hidden = ConsortiumFactory(is_published=False)
    city = CityFactory()
    MembershipFactory(consortium=hidden, city=city)

    assert client.get(reverse("city-detail", args=[city.slug])).status_code == 404


def test_coordinator_sees_own_drafts_marked(client, sern_coordinator_ravenna):
    measurement = Measurement.objects.get(kpi__code="1.1", city__slug="ravenna", stage="final")
    measurement.review_state = "draft"
    measurement.save()

    assert "Draft" not in stage_table(city_page(client, "ravenna")[1])[("1.1", "Final")].text

    client.force_login(sern_coordinator_ravenna)
    assert "Draft" in stage_table(city_page(client, "ravenna")[1])[("1.1", "Final")].text
