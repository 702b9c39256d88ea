"""The access rules (cities.access) the web views and the API share."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cities import access
from kpis.models import Measurement
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


def test_roles_are_read_once_and_cached(
    entry_world, coordinator_ravenna, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the four role tables in one UNION ALL
        roles = access.roles_of(coordinator_ravenna)
    assert roles.coordinated_city_ids == {entry_world.ravenna.pk}
    assert roles.coordinated_consortium_ids == {entry_world.consortium.pk}
    with django_assert_num_queries(0):
        access.roles_of(coordinator_ravenna)


def test_anonymous_has_no_roles(entry_world):
    assert access.roles_of(AnonymousUser()) == access.NO_ROLES


def test_coordinator_edits_own_city_only(entry_world, coordinator_ravenna):
    assert access.can_edit_city(coordinator_ravenna, entry_world.ravenna)
    assert not access.can_edit_city(coordinator_ravenna, entry_world.cervia)


def test_consortium_figures_by_steering_and_lead_city_coordinators(
    entry_world, coordinator_ravenna, coordinator_cervia, steering_member, partner_user
):
    consortium, leads = entry_world.consortium, [entry_world.cervia.pk]
    assert access.can_report_for_consortium(coordinator_cervia, consortium, leads)
    assert access.can_report_for_consortium(steering_member, consortium, leads)
    assert not access.can_report_for_consortium(coordinator_ravenna, consortium, leads)
    assert not access.can_report_for_consortium(partner_user, consortium, leads)


def test_who_views_a_city_grid(
    entry_world, coordinator_ravenna, coordinator_cervia, steering_member, partner_user
):
    city, consortia = entry_world.ravenna, [entry_world.consortium.pk]
    assert access.can_view_city_reporting(coordinator_ravenna, city, consortia)
    assert access.can_view_city_reporting(steering_member, city, consortia)
    assert not access.can_view_city_reporting(coordinator_cervia, city, consortia)
    assert not access.can_view_city_reporting(partner_user, city, consortia)
    assert not access.can_view_city_reporting(AnonymousUser(), city, consortia)
    assert not access.can_view_city_reporting(
        steering_member, entry_world.bologna, [entry_world.other_consortium.pk]
    )


def test_who_submits_and_reviews(entry_world, coordinator_ravenna, steering_member, partner_user):
    consortium, city = entry_world.consortium, entry_world.ravenna
    assert access.can_submit_stage(coordinator_ravenna, consortium, city)
    assert not access.can_submit_stage(steering_member, consortium, city)
    assert access.can_submit_stage(steering_member, consortium, None)
    assert access.can_review_stage(steering_member, consortium)
    assert not access.can_review_stage(coordinator_ravenna, consortium)
    assert not access.can_review_stage(partner_user, consortium)
    assert not access.can_review_stage(steering_member, entry_world.other_consortium)


@pytest.fixture
def figures(entry_world):
    """A draft and an approved figure of Ravenna, a draft of Cervia, a draft consortium one."""
    kpis = entry_world.kpis
    return {
        "ravenna_draft": MeasurementFactory(
            kpi=kpis.count, city=entry_world.ravenna, review_state="draft"
        ),
        "ravenna_approved": MeasurementFactory(kpi=kpis.percent, city=entry_world.ravenna),
        "cervia_draft": MeasurementFactory(
            kpi=kpis.count, city=entry_world.cervia, review_state="submitted"
        ),
        "consortium_draft": MeasurementFactory(kpi=kpis.consortium, review_state="draft"),
    }


def visible(user, figures):
    ids = set(Measurement.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, figure in figures.items() if figure.pk in ids}


def test_anonymous_and_partners_see_approved_figures_only(entry_world, figures, partner_user):
    assert visible(AnonymousUser(), figures) == {"ravenna_approved"}
    assert visible(partner_user, figures) == {"ravenna_approved"}


def test_unpublished_consortium_is_hidden_from_anonymous_visitors(entry_world, figures):
    entry_world.consortium.is_published = False
    entry_world.consortium.save()
    assert visible(AnonymousUser(), figures) == set()


def test_coordinators_see_their_own_drafts_and_lead_city_consortium_drafts(
    entry_world, figures, coordinator_ravenna, coordinator_cervia
):
    assert visible(coordinator_ravenna, figures) == {"ravenna_draft", "ravenna_approved"}
    assert visible(coordinator_cervia, figures) == {
        "cervia_draft",
        "consortium_draft",
        "ravenna_approved",
    }


def test_steering_and_admins_see_every_draft(entry_world, figures, steering_member, site_admin):
    assert visible(steering_member, figures) == set(figures)
    assert visible(site_admin, figures) == set(figures)


def test_reporting_role_link_costs_at_most_one_query(
    entry_world, coordinator_ravenna, partner_user, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert not access.has_reporting_role(AnonymousUser())
    with django_assert_num_queries(1):
        assert access.has_reporting_role(coordinator_ravenna)
    with django_assert_num_queries(0):
        assert access.has_reporting_role(coordinator_ravenna)  # cached on the user
    with django_assert_num_queries(1):
        assert not access.has_reporting_role(partner_user)
