"""The programme page and the programmes API list run a fixed number of SQL queries,
however many consortia, cities and figures the programme holds.

Both are read at a small size (12 cities in 2 consortia) and at ten times it (112 cities in
12 consortia, the EU Cities Mission's scale), each consortium with 5 KPIs at three stages
and a CITYkeys code they all share (``generate_bench_data --programme``), under the same
bound; no query runs while the page's template renders.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from cities.models import Consortium
from tests.cities.factories import SteeringCommitteeMemberFactory
from tests.helpers.api import client_for

pytestmark = pytest.mark.django_db

SIZES = {"1x": (12, 2), "10x": (112, 12)}
URL = "/programmes/prog-programme/"
LOGGED_IN = 3  # the session (the cache emptied), the user, the user's roles
#: The definitions' version; the programme's consortia you may read; their data version
#: (one query for all of them); memberships with cities; solutions; implementing cities;
#: KPIs; framework references; figures.
PAGE = 9
#: Kept: the request's versions (one query), read before the view runs: the whole page is
#: kept. Signed in, nothing more: the session, the user and the roles come from the cache.
KEPT = 1
#: Token and user; roles; the change log's version; count; page; the consortia of the
#: page's programmes; then the page's six reads.
API_LIST = 2 + 1 + 1 + 2 + 1 + 6


@pytest.fixture(params=sorted(SIZES))
def programme(request):
    cities, consortia = SIZES[request.param]
    call_command(
        "generate_bench_data",
        "--programme",
        "--slug=prog",
        f"--cities={cities}",
        f"--consortia={consortia}",
        "--solutions=1",
        "--kpis=5",
        stdout=io.StringIO(),
    )
    return request.param


def a_steering_member():
    return SteeringCommitteeMemberFactory(consortium=Consortium.objects.get(slug="prog-01")).user


def test_the_sizes_are_what_they_say(programme):
    consortia = Consortium.objects.filter(programme__slug="prog-programme")
    cities, count = SIZES[programme]
    assert consortia.count() == count
    assert sum(consortium.memberships.count() for consortium in consortia) == cities


def test_the_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, programme):
    with django_assert_max_num_queries(PAGE):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count('id="ref-citykeys-') == 1  # BENCH-1.1 alone
    client.force_login(a_steering_member())
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(PAGE + LOGGED_IN):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(KEPT):
        again = client.get(URL)
    assert again.status_code == 200
    client.logout()
    assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(KEPT):  # anonymous
        again = client.get(URL)
    assert again.content.decode().count('id="ref-citykeys-') == 1


def test_no_query_runs_while_the_page_renders(programme):
    request = RequestFactory().get(URL)
    request.user = a_steering_member()
    match = resolve(request.path)
    response = match.func(request, *match.args, **match.kwargs)
    with CaptureQueriesContext(connection) as queries:
        response.render()
    assert response.status_code == 200
    assert len(queries) == 0, [query["sql"] for query in queries]


def test_the_api_list_runs_a_fixed_number_of_queries(django_assert_max_num_queries, programme):
    client = client_for(a_steering_member())
    with django_assert_max_num_queries(API_LIST):
        response = client.get("/api/v1/programmes/?slug=prog-programme")
    [record] = response.json()["results"]
    assert len(record["consortia"]) == SIZES[programme][1]
    # The token, its user and roles kept since the first read: the versions, then the kept
    # answer (under its ETag).
    with django_assert_max_num_queries(1):
        again = client.get("/api/v1/programmes/?slug=prog-programme")
    assert again.json() == response.json()
