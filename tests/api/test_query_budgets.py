"""Every list runs a fixed number of queries, at a small and at a larger size.

Queries counted for a coordinator using a token:
    1   token and user (TokenAuthentication)
    4   roles: coordinated cities, steering seats, partnerships, memberships of the
        coordinated cities (``roles_of``, once per request)
then, per list:
    programmes   count, page                                            = 2
    consortia    count, page, memberships+cities                        = 3
    cities       count, page, visible memberships+consortia             = 3
    solutions    count, page, lead cities, implementing cities          = 4
    activities   count, page                                            = 2
    kpis         count, page, parts, framework references               = 4
    measurements stamp of the figures, count (reused while the stamp is unchanged),
                 page (KPI, solution, consortium, city joined)          = 3
    measurements as CSV: one streamed select, no count                  = 1
    progress     the consortium; the overview's matrix_inputs: members,
                 solutions, implementing cities, KPIs, stages with figures,
                 figures, baselines (midway and final); the whole text
                 answers                                                = 9
    progress as CSV: the same reads, no count                           = 9
An anonymous visitor runs only the per-list queries.
"""

from decimal import Decimal

import pytest

from kpis.models import FrameworkReference
from tests.api.conftest import client_for
from tests.cities.factories import (
    CityCoordinatorFactory,
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import ActivityFactory, SolutionFactory

pytestmark = pytest.mark.django_db

AUTH_QUERIES = 1 + 4
LIST_QUERIES = {
    "programmes/": 2,
    "consortia/": 3,
    "cities/": 3,
    "solutions/": 4,
    "activities/": 2,
    "kpis/": 4,
    "measurements/": 3,
    "measurements/?format=csv": 1,
    "progress/?consortium=budget&stage=final": 9,
    "progress/?consortium=budget&stage=final&format=csv": 9,
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


def test_a_repeated_measurements_list_reuses_its_count(django_assert_num_queries):
    """stamp and page only: the count of the same question over the same data is kept."""
    build(*SIZES["small"])
    client = client_for(None)
    consume(client.get("/api/v1/measurements/?page_size=5"))
    with django_assert_num_queries(2):
        consume(client.get("/api/v1/measurements/?page_size=5&page=2"))
