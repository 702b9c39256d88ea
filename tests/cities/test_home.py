"""The home page is the consortium overview; it keeps the consortia, cities and solutions in view.

The SERN demo data is loaded once for this module.
"""

import pytest
from django.urls import reverse

from tests.cities.factories import ConsortiumFactory, MembershipFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_consortium_with_its_cities_and_solutions(client, sern):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "SERN – Sweden Emilia Romagna Network" in html
    for city in ("Ravenna", "Cervia", "Trollhättan", "Vänersborg"):
        assert f'href="/cities/{city.lower().replace("ä", "a")}/"' in html
    assert "Digital Transformation Plan" in html
    assert 'href="/solutions/sern/3/"' in html
    assert "UPREST" in html.upper()


def test_home_lists_every_consortium_when_there_are_several(client, sern):
    other = ConsortiumFactory(name="Green Ports Network")
    MembershipFactory(consortium=other)

    html = client.get(reverse("home")).content.decode()

    assert "All consortia" in html
    assert "Green Ports Network" in html
    assert f'href="?consortium={other.slug}"' in html
    assert '<select id="consortium-select" name="consortium">' in html


def test_home_picks_a_consortium_with_kpis_first(client, sern):
    ConsortiumFactory(name="AAA first by name, no KPIs")

    response = client.get(reverse("home"))

    assert response.context["consortium"] == sern


def test_home_shows_the_consortium_asked_for(client, sern):
    other = ConsortiumFactory(name="Green Ports Network")
    SolutionFactory(consortium=other, title="Shore power")

    response = client.get(reverse("home"), {"consortium": other.slug})

    assert response.context["consortium"] == other
    assert "Shore power" in response.content.decode()
    assert "This consortium has no KPIs yet." in response.content.decode()


def test_unknown_consortium_falls_back_to_the_default(client, sern):
    response = client.get(reverse("home"), {"consortium": "no-such-consortium"})

    assert response.status_code == 200
    assert response.context["consortium"] == sern
