"""A solution's page through the HTTP client, on the SERN demo data (loaded once per module)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cities.factories import ConsortiumFactory
from tests.helpers.tables import read_matrix
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def solution_page(client, number=2, **params):
    response = client.get(reverse("solution-detail", args=["sern", number]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_solution_page_shows_the_charter(client, sern):
    html = solution_page(client)

    for words in (
        "Use of open data as tangible evidence for e-governance and tourism.",
        "To provide an easier everyday life",
        "To define a plan and adjust the organisational framework",
        "Improved knowledge about the use of datasets",
        "ICC Consortium Team",
        "Lack of data education and awareness",
        "Internal own resources",
        "€64,840",
        "License costs 2.500/year",
    ):
        assert words in html
    assert 'href="/cities/ravenna/">Ravenna</a>' in html  # the lead


def test_solution_page_lists_activities_with_their_resources(client, sern):
    html = solution_page(client)

    assert "Data collection" in html
    assert "15 work days/city" in html
    assert "25 work days/city" in html
    assert 'class="activity-status activity-planned">Planned' in html


def test_solution_without_euro_estimate_says_so(client, sern):
    assert "No euro estimate given" in solution_page(client, 1)


def test_each_kpi_is_compared_across_the_implementing_cities(client, sern):
    cells = read_matrix(solution_page(client, stage="final"))

    assert cells[("2.2", "Cervia")].status == "not_available"
    assert cells[("2.4", "Consortium")].status == "incomplete"  # Ravenna: not available
    assert cells[("2.2", "Consortium")].status == "behind"  # Sweden short of its 2
    assert ("1.1", "Cervia") not in cells  # only this solution's KPIs
    assert not any(column == "Vänersborg" for _code, column in cells)


def test_stage_selector_changes_the_stage(client, sern):
    cells = read_matrix(solution_page(client, stage="midway"))

    assert cells[("2.2", "Ravenna")].text.startswith("5")


def test_unknown_solution_is_404(client, sern):
    assert client.get(reverse("solution-detail", args=["sern", 9])).status_code == 404
    assert client.get(reverse("solution-detail", args=["nowhere", 1])).status_code == 404


def test_solution_of_an_unpublished_consortium_is_404_for_visitors(client, db):
    solution = SolutionFactory(consortium=ConsortiumFactory(is_published=False))
    url = reverse("solution-detail", args=[solution.consortium.slug, solution.number])

    assert client.get(url).status_code == 404
