"""Query budgets of the entry pages at two data sizes: the count must not grow with the data."""

from decimal import Decimal

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from kpis.models import KPI, StageReview
from tests.cities.factories import CityFactory, MembershipFactory
from tests.helpers.budgets import GRID_BUDGET
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def grow(world, extra_kpis, extra_cities):
    """More KPIs (city and consortium level), more cities, figures at two stages, reviews."""
    cities = [world.ravenna, world.cervia]
    for number in range(extra_cities):
        city = CityFactory(slug=f"extra-city-{number}")
        MembershipFactory(consortium=world.consortium, city=city)
        world.plans.implementing_cities.add(city)
        cities.append(city)
    kpis = [world.kpis.count, world.kpis.percent]
    for number in range(extra_kpis):
        kpis.append(KPIFactory(solution=world.plans, code=f"9.{number}", target_value=Decimal(4)))
        consortium_kpi = KPIFactory(
            solution=world.project,
            code=f"8.{number}",
            target_scope=KPI.TargetScope.CONSORTIUM,
            reporting_level=KPI.ReportingLevel.CONSORTIUM,
        )
        for stage in ("midway", "final"):
            MeasurementFactory(kpi=consortium_kpi, stage=stage, review_state="draft")
    for city in cities:
        for kpi in kpis:
            for stage in ("midway", "final"):
                MeasurementFactory(kpi=kpi, city=city, stage=stage, value=2, review_state="draft")
        StageReview.objects.create(consortium=world.consortium, city=city, stage="final")


@pytest.mark.parametrize("size", [(0, 0), (25, 8)], ids=["small", "large"])
@pytest.mark.parametrize("persona", ["coordinator_cervia", "steering_member"])
def test_grid_query_count_does_not_grow(
    request, client, entry_world, django_assert_max_num_queries, size, persona
):
    grow(entry_world, *size)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("entry-grid", args=["cervia", "final"])
    with django_assert_max_num_queries(GRID_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["grid"].rows) == 7 + 2 * size[0]


@pytest.mark.parametrize("size", [(0, 0), (10, 5)], ids=["small", "large"])
def test_missing_list_and_home_query_counts(
    client, entry_world, steering_member, django_assert_max_num_queries, size
):
    grow(entry_world, *size)
    client.force_login(steering_member)
    with django_assert_max_num_queries(GRID_BUDGET):
        assert client.get(reverse("entry-missing", args=["ravenna", "final"])).status_code == 200
    # session, user, roles (3), memberships, reviews, figures, KPIs, nav link (cached)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("entry-home")).status_code == 200


@pytest.mark.parametrize("size", [(0, 0), (10, 5)], ids=["small", "large"])
def test_changes_page_query_count(
    client, entry_world, steering_member, django_assert_max_num_queries, size
):
    grow(entry_world, *size)
    client.force_login(steering_member)
    # session, user, consortium, roles (3), count, page, previous versions, events, nav
    with django_assert_max_num_queries(11):
        assert client.get(reverse("consortium-changes", args=["test-network"])).status_code == 200


def render(template, user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(template).render({"user": user, **context}, request)


def test_nav_link_costs_no_query_for_anonymous_visitors(entry_world, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        html = render('{% include "kpis/entry/_nav.html" %}', AnonymousUser())
    assert "My reporting" not in html


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("coordinator_ravenna", True), ("steering_member", True), ("partner_user", False)],
)
def test_nav_link_costs_one_query_for_a_signed_in_user(
    request, entry_world, django_assert_num_queries, persona, shown
):
    user = request.getfixturevalue(persona)
    with django_assert_num_queries(1):
        html = render('{% include "kpis/entry/_nav.html" %}', user)
    assert ("My reporting" in html) is shown
    if shown:
        assert html.strip().startswith("<li>") and reverse("entry-home") in html


@pytest.mark.parametrize(
    ("persona", "grid_links", "budget"),
    [
        ("anonymous", False, 0),
        ("partner_user", False, 3),
        ("coordinator_ravenna", True, 4),
        ("steering_member", True, 4),
    ],
)
def test_city_links_show_what_the_user_may_use(
    request, entry_world, django_assert_max_num_queries, persona, grid_links, budget
):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    with django_assert_max_num_queries(budget):
        html = render('{% include "kpis/entry/_city_links.html" %}', user, city=entry_world.ravenna)
    assert reverse("city-changes", args=["ravenna"]) in html
    assert (reverse("entry-grid", args=["ravenna", "final"]) in html) is grid_links
    assert (reverse("entry-missing", args=["ravenna", "midway"]) in html) is grid_links
