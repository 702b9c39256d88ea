"""The home page. The SERN demo data is loaded for every test of this module."""

import pytest
from django.urls import reverse

from tests.cities.factories import ConsortiumFactory, MembershipFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def test_home_lists_consortia_with_cities_and_solutions(client, sern):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "SERN – Sweden Emilia Romagna Network" in html
    for city in ("Ravenna", "Cervia", "Trollhättan", "Vänersborg"):
        assert city in html
    assert "Digital Transformation Plan" in html
    assert "UPREST" in html.upper()


@pytest.mark.parametrize("consortia", [2, 20])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, consortia):
    for _ in range(consortia):
        consortium = ConsortiumFactory()
        for _ in range(5):
            MembershipFactory(consortium=consortium)
        SolutionFactory.create_batch(3, consortium=consortium)
    # consortia + programme (joined), memberships + cities (joined), solutions
    with django_assert_max_num_queries(3):
        response = client.get(reverse("home"))
    assert response.status_code == 200
