"""Recent-changes pages follow the consortium's own visibility: unpublished is 404 to outsiders.

The Test Network (``entry_world``) is unpublished here. Its members (its coordinators,
its steering committee) and admins read its changes; anonymous visitors and people of
other consortia get the same 404 as for its other pages, without its name.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.reporting.entry import RowInput, record_measurements
from tests.cities.factories import MembershipFactory
from tests.helpers import personas

pytestmark = pytest.mark.django_db

CONSORTIUM_CHANGES = "/consortia/test-network/changes/"
CITY_CHANGES = "/cities/ravenna/changes/"


@pytest.fixture
def unpublished(entry_world, coordinator_ravenna):
    record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[
            RowInput(
                kpi=entry_world.kpis.count,
                status="reported",
                expected_version=0,
                value=Decimal(3),
                note="Counted by the IT office",
            )
        ],
    )
    entry_world.consortium.is_published = False
    entry_world.consortium.save()
    return entry_world


@pytest.fixture
def outsider(unpublished):
    """A partner of the other network: signed in, but not of the Test Network."""
    return personas.partner("outsider", unpublished.other_consortium, password=None)


def assert_not_found(response) -> None:
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find this page" in html
    for name in ("Test Network", "Ravenna", "Departments involved", "coord-ravenna"):
        assert name not in html, name


@pytest.mark.parametrize("url", [CONSORTIUM_CHANGES, CITY_CHANGES])
def test_anonymous_visitors_get_404_like_the_consortiums_other_pages(client, unpublished, url):
    assert client.get("/cities/ravenna/").status_code == 404  # the city's own page
    assert_not_found(client.get(url))


@pytest.mark.parametrize("url", [CONSORTIUM_CHANGES, CITY_CHANGES])
def test_people_of_another_consortium_get_404(client, outsider, url):
    client.force_login(outsider)
    assert_not_found(client.get(url))


@pytest.mark.parametrize("persona", ["coordinator_ravenna", "steering_member", "site_admin"])
@pytest.mark.parametrize("url", [CONSORTIUM_CHANGES, CITY_CHANGES])
def test_members_and_admins_still_read_the_changes(client, request, unpublished, persona, url):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Recent changes" in html
    assert "Departments involved" in html and "Entered" in html


def test_a_city_also_in_a_published_consortium_keeps_its_changes_page(client, unpublished):
    MembershipFactory(consortium=unpublished.other_consortium, city=unpublished.cervia)
    response = client.get(reverse("city-changes", args=["cervia"]))
    assert response.status_code == 200
    assert "Recent changes: Cervia" in response.content.decode()


def test_published_again_the_pages_open_to_anonymous_visitors(client, unpublished):
    unpublished.consortium.is_published = True
    unpublished.consortium.save()
    assert client.get(CONSORTIUM_CHANGES).status_code == 200
    assert client.get(CITY_CHANGES).status_code == 200
