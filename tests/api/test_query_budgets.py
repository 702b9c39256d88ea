"""Every list runs a fixed number of queries, at a small and at a larger size.

Queries counted for a coordinator using a token, the first time it is read:
    1   token, user and the user's limits (TokenAuthentication)
    1   roles: coordinated cities, steering seats, partnerships, memberships of the
        coordinated cities in one UNION ALL (``roles_of``, once per request)
both kept in the cache under the definitions' version (``TOKEN_KEPT``): the token read
again costs nothing but the request's versions, the one query every request runs
(``changelog.versions.read_versions``; tests/changelog/test_signed_in_from_the_cache.py).
Then, per list, the data version its ETag and Last-Modified are computed from (the
newest row of the change log, one query: ``icc_portal.api.conditional``; for progress
the consortium's: ``changelog.versions``), and
    programmes   count, page, their consortia you may read; the programme
                 page's reads: memberships+cities, solutions, implementing
                 cities, KPIs, framework references, figures            = 1 + 9
    consortia    count, page, memberships+cities                        = 1 + 3
    cities       count, page, visible memberships+consortia             = 1 + 3
    solutions    count, page, lead cities, implementing cities          = 1 + 4
    activities   count, page                                            = 1 + 2
    kpis         count, page, parts, framework references               = 1 + 4
    measurements count (reused while the data version is unchanged),
                 page (KPI, solution, consortium, city joined)          = 1 + 2
    measurements as CSV: one streamed select, no count                  = 1 + 1
    progress     the consortium; the overview's matrix_inputs: members,
                 solutions, implementing cities, KPIs, stages with figures,
                 figures, baselines (midway and final); the whole text
                 answers                                                = 1 + 9
    progress as CSV: the same reads, no count                           = 1 + 9
    changes      from the start: the solutions a coordinator's cities lead
                 (the cursor's reader digest), the log's next rows, the
                 figures they touch as the reader sees them             = 1 + 3
                 from a cursor, also how far the log is pruned and what
                 the reader could see at the cursor                     = 1 + 5
A 304 (``If-None-Match`` current) runs the data version's query alone, and so does a
read of a measurements or progress page already answered at this version (its JSON is
kept under its ETag), with a token read before as with none. An anonymous visitor runs
only the per-list queries.
"""

from decimal import Decimal

import pytest

from kpis.models import FrameworkReference
from tests.cities.factories import (
    CityCoordinatorFactory,
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.helpers.api import client_for
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import ActivityFactory, SolutionFactory

pytestmark = pytest.mark.django_db

AUTH_QUERIES = 1 + 1
#: A token read before: its user and roles come from the cache.
TOKEN_KEPT = 0
VERSION = 1
LIST_QUERIES = {
    "programmes/": VERSION + 9,
    "consortia/": VERSION + 3,
    "cities/": VERSION + 3,
    "solutions/": VERSION + 4,
    "activities/": VERSION + 2,
    "kpis/": VERSION + 4,
    "measurements/": VERSION + 2,
    "measurements/?format=csv": VERSION + 1,
    "progress/?consortium=budget&stage=final": VERSION + 9,
    "progress/?consortium=budget&stage=final&format=csv": VERSION + 9,
    "changes/": VERSION + 3,
}
SIZES = {"small": (2, 2), "large": (9, 12)}


def build(city_count: int, kpis_per_solution: int):
    """One published consortium; every city reports every KPI at two stages."""
    programme = ProgrammeFactory()
    consortium = ConsortiumFactory(programme=programme, slug="budget")
    cities = [CityFactory(country="IT" if n % 2 else "SE") for n in range(city_count)]
    for city in cities:
        MembershipFactory(consortium=consortium, city=city)
    for number in (1, 2):
        solution = SolutionFactory(consortium=consortium, number=number, implementing_cities=cities)
        solution.lead_cities.set(cities[:2])
        for index in range(kpis_per_solution):
            ActivityFactory(solution=solution, code=f"{number}.{index + 1}")
            kpi = KPIFactory(solution=solution, code=f"{number}.{index + 1}")
            FrameworkReference.objects.create(kpi=kpi, framework="citykeys", code=f"K{index}")
            for city in cities:
                for stage in ("midway", "final"):
                    MeasurementFactory(
                        kpi=kpi,
                        city=city,
                        stage=stage,
                        value=Decimal(index),
                        review_state="approved" if stage == "final" else "draft",
                    )
    coordinator = CityCoordinatorFactory(user=UserFactory(), city=cities[0]).user
    return coordinator


def consume(response):
    assert response.status_code == 200, response.content
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", LIST_QUERIES)
def test_list_query_count_is_fixed_for_a_coordinator(django_assert_max_num_queries, size, path):
    coordinator = build(*SIZES[size])
    client = client_for(coordinator)
    separator = "&" if "?" in path else "?"
    with django_assert_max_num_queries(AUTH_QUERIES + LIST_QUERIES[path]):
        consume(client.get(f"/api/v1/{path}{separator}page_size=500"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", LIST_QUERIES)
def test_list_query_count_is_fixed_for_anonymous(django_assert_max_num_queries, size, path):
    build(*SIZES[size])
    client = client_for(None)
    separator = "&" if "?" in path else "?"
    with django_assert_max_num_queries(LIST_QUERIES[path]):
        consume(client.get(f"/api/v1/{path}{separator}page_size=500"))


def test_the_large_size_really_is_larger(db):
    from kpis.models import Measurement

    build(*SIZES["large"])
    assert Measurement.objects.count() == 9 * 12 * 2 * 2
    cells = client_for(None).get("/api/v1/progress/?consortium=budget&stage=final").json()
    assert cells["count"] == 9 * 12 * 2 + 12 * 2  # every city, and the consortium


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "path", ["measurements/?page_size=5", "progress/?consortium=budget&stage=final"]
)
def test_a_page_read_again_is_answered_from_the_cache(django_assert_max_num_queries, size, path):
    build(*SIZES[size])
    client = client_for(UserFactory(is_superuser=True))
    first = client.get(f"/api/v1/{path}")
    with django_assert_max_num_queries(TOKEN_KEPT + VERSION):
        again = client.get(f"/api/v1/{path}")
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]


def test_a_repeated_measurements_list_reuses_its_count(django_assert_num_queries):
    """data version and page only: the count of the same question over the same data is kept."""
    build(*SIZES["small"])
    client = client_for(None)
    consume(client.get("/api/v1/measurements/?page_size=5"))
    with django_assert_num_queries(2):
        consume(client.get("/api/v1/measurements/?page_size=5&page=2"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "path",
    [
        "programmes/",
        "measurements/",
        "measurements/?format=csv",
        "progress/?consortium=budget&stage=final",
    ],
)
def test_a_current_etag_is_answered_304_in_one_query(django_assert_max_num_queries, size, path):
    """The data version alone, the token read before kept; nothing of the list is read."""
    coordinator = build(*SIZES[size])
    client = client_for(coordinator)
    separator = "&" if "?" in path else "?"
    url = f"/api/v1/{path}{separator}page_size=500"
    first = client.get(url)
    consume(first)
    with django_assert_max_num_queries(TOKEN_KEPT + VERSION):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    anonymous = client_for(None)
    fresh = anonymous.get(url)
    consume(fresh)  # a streamed CSV holds its database cursor until read
    tag = fresh["ETag"]
    with django_assert_max_num_queries(1):  # anonymous: the data version alone
        assert anonymous.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304


@pytest.mark.parametrize("size", SIZES)
def test_a_page_of_changes_from_a_cursor_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries, size
):
    from kpis.models import Measurement

    coordinator = build(*SIZES[size])
    client = client_for(coordinator)
    cursor = client.get("/api/v1/changes/?page_size=500").json()["next"]
    edited = list(Measurement.objects.all()[:50])
    for figure in edited:
        figure.note = "checked"
        figure.save()
    with django_assert_max_num_queries(TOKEN_KEPT + VERSION + 5):  # the token read before
        body = client.get(f"/api/v1/changes/?page_size=500&since={cursor}").json()
    seen = Measurement.objects.visible_to(coordinator).filter(pk__in=[f.pk for f in edited])
    assert len(body["results"]) == seen.count() > 0
