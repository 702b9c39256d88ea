"""Every dashboard page runs a fixed number of SQL queries, however large the consortium.

Each page is rendered at the demo size (SERN: 4 cities, 3 solutions, 21 KPIs, 84 figures)
and at a generated size ten times larger (40 cities; 3 solutions × 7 KPIs; every stage,
about 2,400 figures) under the same bound, and no query runs while its template renders.
The overview, city, solution, KPI and programme pages keep their judged part rendered
under the data version, and the whole page besides (kpis/dashboards/versioned.py): the
first request reads the versions besides what it read before (one query more), and the
next one reads only what decides the key (``KEPT``): every version at once, in one query
(``changelog.versions.read_versions``). A signed-in reader costs nothing more then: the
session, the user and the roles come from the cache, the user and the roles under the
definitions' version read in that same query.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from cities.models import City, Consortium
from kpis.models import KPI, Measurement
from tests.cities.factories import SteeringCommitteeMemberFactory

pytestmark = pytest.mark.django_db

# Anonymous visitor. A logged-in user adds three: the session, the user, and the user's
# roles (one query: coordinated cities, steering committees, partnerships, memberships).
# The city page hands the entry grid's links the consortia it read (they read them no more).
LOGGED_IN = 3
ENTRY_LINKS: dict[str, int] = {}
BUDGETS = {
    # the definitions' version; consortia; the data version; memberships with cities;
    # solutions; implementing cities; KPIs; stages with figures; figures of the stage;
    # baselines
    "overview": 10,
    # the definitions' version; city; memberships with consortia; the data version;
    # solutions; KPIs; figures; activities; three-year plans; their targets; commitments
    "city": 11,
    # consortium; solution with theme and ambition; lead cities; activities; the data
    # version; memberships with cities; implementing cities; KPIs; stages with figures;
    # figures; baselines
    "solution": 11,
    # the definitions' version; KPI with solution, consortium, programme and parent; the
    # data version; parts; framework references; memberships with cities; implementing
    # cities; figures
    "kpi": 8,
    # consortia; phases; activities with solutions; governance bodies with cities; their
    # roles; commitments with cities; lessons
    "roadmap": 7,
}


#: The same pages once their judged part is kept: what decides the key, nothing more.
KEPT = {  # the versions, before the view runs: the whole page is kept
    "overview": 1,
    "city": 1,
    "kpi": 1,
    "solution": 1,  # the versions: the whole page is kept, read before the view runs
    "programme": 1,
}
#: A signed-in reader of a kept page: the session and the user come from the cache.
KEPT_LOGGED_IN = 0


def page_urls(consortium: Consortium) -> dict[str, str]:
    city = City.objects.filter(memberships__consortium=consortium).order_by("name").first()
    kpi = KPI.objects.filter(solution__consortium=consortium, target_value__isnull=False)
    kpi = kpi.order_by("solution__number", "code").first()
    return {
        "overview": f"/?consortium={consortium.slug}",
        "city": f"/cities/{city.slug}/",
        "solution": f"/solutions/{consortium.slug}/1/",
        "kpi": f"/kpis/{kpi.pk}/",
        "roadmap": f"/roadmap/?consortium={consortium.slug}",
        "programme": f"/programmes/{consortium.programme.slug}/",
    }


def test_the_generated_consortium_is_ten_times_the_demo(sern, big):
    assert big.memberships.count() == 10 * sern.memberships.count()
    assert Measurement.objects.filter(kpi__solution__consortium=big).count() > 20 * 84


@pytest.mark.parametrize("page", sorted(BUDGETS))
@pytest.mark.parametrize("size", ["sern", "big"])
def test_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, big, page, size
):
    url = page_urls(Consortium.objects.get(slug=size))[page]
    with django_assert_max_num_queries(BUDGETS[page]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", sorted(BUDGETS))
@pytest.mark.parametrize("size", ["sern", "big"])
def test_page_runs_a_fixed_number_of_queries_for_a_steering_member(
    client, django_assert_max_num_queries, big, page, size
):
    consortium = Consortium.objects.get(slug=size)
    client.force_login(SteeringCommitteeMemberFactory(consortium=consortium).user)
    url = page_urls(consortium)[page]
    with django_assert_max_num_queries(BUDGETS[page] + LOGGED_IN + ENTRY_LINKS.get(page, 0)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", sorted(KEPT))
@pytest.mark.parametrize("size", ["sern", "big"])
def test_a_kept_page_reads_only_its_key(client, django_assert_max_num_queries, big, page, size):
    consortium = Consortium.objects.get(slug=size)
    client.force_login(SteeringCommitteeMemberFactory(consortium=consortium).user)
    url = page_urls(consortium)[page]
    first = client.get(url)
    with django_assert_max_num_queries(KEPT[page] + KEPT_LOGGED_IN + ENTRY_LINKS.get(page, 0)):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content.decode().count("<td") == first.content.decode().count("<td")


@pytest.mark.parametrize("page", sorted(KEPT))
@pytest.mark.parametrize("size", ["sern", "big"])
def test_a_kept_page_reads_only_its_key_for_an_anonymous_reader(
    client, django_assert_max_num_queries, big, page, size
):
    url = page_urls(Consortium.objects.get(slug=size))[page]
    first = client.get(url)
    with django_assert_max_num_queries(KEPT[page]):
        again = client.get(url)
    assert again.status_code == 200
    assert without_tokens(again) == without_tokens(first)


def without_tokens(response) -> str:
    """The page without its CSRF tokens (a new one each time)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize("page", sorted(BUDGETS))
@pytest.mark.parametrize("size", ["sern", "big"])
def test_no_query_runs_while_the_template_renders(big, page, size):
    consortium = Consortium.objects.get(slug=size)
    request = RequestFactory().get(page_urls(consortium)[page])
    request.user = SteeringCommitteeMemberFactory(consortium=consortium).user
    match = resolve(request.path)

    response = match.func(request, *match.args, **match.kwargs)
    with CaptureQueriesContext(connection) as queries:
        response.render()

    assert response.status_code == 200
    assert len(queries) == 0, [query["sql"] for query in queries]
