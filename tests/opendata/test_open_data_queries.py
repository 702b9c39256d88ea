"""The open data's page, catalogue and files run a fixed number of SQL queries, at the SERN
demo's size and at ten times it (``big``: 40 cities, 21 KPIs at three stages, beside SERN).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from cities.models import Consortium
from tests.helpers import personas

pytestmark = pytest.mark.django_db

#: The open data (opendata.reading.read_open_data): the consortia with their versions and
#: stages with approved figures; the definitions' version; member cities; the cities with
#: approved figures; solutions; KPIs; roadmap phases.
OPEN_DATA = 7
#: Signed in: the session, the user, whether they report anywhere (the menu's link).
SIGNED_IN = 3
#: The consortium's data version, read before anything else.
VERSION = 1
#: The matrix of a stage (kpis.dashboards.readers.matrix_inputs): memberships, solutions,
#: implementing cities, KPIs, stages with figures, figures, baselines.
MATRIX = 7


@pytest.fixture(params=["sern", "big"])
def open_consortium(request, sern):
    if request.param == "big":
        consortium = request.getfixturevalue("big")
    else:
        consortium = sern
    Consortium.objects.filter(pk=consortium.pk).update(open_data=True)
    return consortium.slug


def test_the_sizes_are_what_they_say(open_consortium):
    consortium = Consortium.objects.get(slug=open_consortium)
    assert consortium.memberships.count() == {"sern": 4, "big": 40}[open_consortium]


def test_the_page_runs_a_fixed_number_of_queries(
    client, open_consortium, django_assert_max_num_queries
):
    with django_assert_max_num_queries(OPEN_DATA):
        page = client.get("/open-data/")
    assert f'id="{open_consortium}-final"' in page.content.decode()
    client.force_login(personas.sern_partner())
    with django_assert_max_num_queries(OPEN_DATA + SIGNED_IN):
        assert client.get("/open-data/").status_code == 200


def test_the_catalogue_runs_a_fixed_number_of_queries(
    client, open_consortium, django_assert_max_num_queries
):
    url = f"/open-data/{open_consortium}/catalog.ttl"
    with django_assert_max_num_queries(VERSION + OPEN_DATA):
        first = client.get(url)
    assert b"catalog#final" in first.content
    with django_assert_max_num_queries(VERSION):  # kept at this version
        assert client.get(url).content == first.content
    with django_assert_max_num_queries(VERSION):  # the client holds it: 304
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_runs_a_fixed_number_of_queries(
    client, open_consortium, fmt, django_assert_max_num_queries
):
    url = f"/open-data/{open_consortium}/final.{fmt}"
    cache.clear()
    with django_assert_max_num_queries(VERSION + OPEN_DATA + MATRIX):
        first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(VERSION):
        assert client.get(url).content == first.content


def test_a_city_file_runs_a_fixed_number_of_queries(
    client, open_consortium, django_assert_max_num_queries
):
    """Its city's column of the matrix at each stage with approved figures (at most three)."""
    city = Consortium.objects.get(slug=open_consortium).cities.order_by("slug").first()
    url = f"/open-data/{open_consortium}/cities/{city.slug}.csv"
    with django_assert_max_num_queries(VERSION + OPEN_DATA + 3 * MATRIX):
        first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(VERSION):
        assert client.get(url).content == first.content
