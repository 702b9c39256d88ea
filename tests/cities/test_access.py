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


def test_every_role_read_into_its_own_set(
    entry_world, coordinator_ravenna, steering_member, partner_user, site_admin
):
    consortium = entry_world.consortium.pk
    assert access.roles_of(coordinator_ravenna) == access.Roles(
        coordinated_city_ids=frozenset({entry_world.ravenna.pk}),
        steering_consortium_ids=frozenset(),
        approving_consortium_ids=frozenset(),
        partner_consortium_ids=frozenset(),
        coordinated_consortium_ids=frozenset({consortium}),
        is_admin=False,
    )
    steering = access.roles_of(steering_member)
    assert steering.steering_consortium_ids == {consortium}
    assert steering.approving_consortium_ids == {consortium}  # may approve by default
    assert steering.coordinated_city_ids == steering.coordinated_consortium_ids == frozenset()
    assert steering.reader_consortium_ids == {consortium}
    assert access.roles_of(partner_user) == access.Roles(
        frozenset(), frozenset(), frozenset(), frozenset({consortium}), frozenset(), False
    )
    assert access.roles_of(site_admin) == access.Roles(
        frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), True
    )
    assert access.roles_of(None) is access.NO_ROLES


def test_a_steering_member_who_may_not_approve(entry_world, steering_member):
    from cities.models import SteeringCommitteeMember

    SteeringCommitteeMember.objects.filter(user=steering_member).update(can_approve=False)
    roles = access.roles_of(steering_member)
    assert roles.steering_consortium_ids == {entry_world.consortium.pk}
    assert roles.approving_consortium_ids == frozenset()
    assert not access.can_approve(steering_member, entry_world.consortium)
    assert not access.can_review_stage(steering_member, entry_world.consortium)


def test_who_has_a_reporting_role(
    entry_world,
    coordinator_ravenna,
    steering_member,
    partner_user,
    site_admin,
    django_assert_num_queries,
):
    assert access.has_reporting_role(None) is False
    with django_assert_num_queries(0):
        assert access.has_reporting_role(site_admin) is True  # admins need no role row
    assert access.has_reporting_role(steering_member) is True
    assert access.has_reporting_role(partner_user) is False
    assert partner_user._icc_reports is False
    assert coordinator_ravenna.__dict__.get("_icc_reports") is None
    access.roles_of(coordinator_ravenna)
    with django_assert_num_queries(0):  # the roles a view read already say it
        assert access.has_reporting_role(coordinator_ravenna) is True
    access.roles_of(partner_user)
    with django_assert_num_queries(0):
        assert access.has_reporting_role(partner_user) is False


def test_visible_consortia_by_role(entry_world, partner_user, site_admin):
    entry_world.other_consortium.is_published = False
    entry_world.other_consortium.save()

    def slugs(user):
        return set(access.visible_consortia(user).values_list("slug", flat=True))

    published, hidden = entry_world.consortium.slug, "other-network"
    assert slugs(AnonymousUser()) == {published}
    assert slugs(site_admin) == {published, hidden}
    entry_world.consortium.is_published = False
    entry_world.consortium.save()
    assert slugs(AnonymousUser()) == set()
    assert slugs(partner_user) == {published}  # their own, published or not
    assert access.visible_consortia_filter(site_admin, "consortium__") == access.Q()


def test_reader_fingerprint_changes_with_the_roles(
    entry_world, coordinator_ravenna, partner_user, site_admin
):
    from tests.cities.factories import PartnerFactory

    coordinator = access.reader_fingerprint(coordinator_ravenna)
    partner = access.reader_fingerprint(partner_user)
    assert len(coordinator) == len(partner) == 16
    assert int(coordinator, 16) >= 0
    assert len({coordinator, partner, access.reader_fingerprint(site_admin)}) == 3
    assert access.reader_fingerprint(coordinator_ravenna) == coordinator
    PartnerFactory(user=partner_user, consortium=entry_world.other_consortium)
    del partner_user._icc_roles
    assert access.reader_fingerprint(partner_user) != partner


def test_names_are_shown_to_signed_in_users_only(partner_user):
    assert access.can_see_names(partner_user) is True
    assert access.can_see_names(AnonymousUser()) is False
    assert access.can_see_names(None) is False


def test_the_fingerprint_follows_the_solutions_a_coordinators_city_leads(
    entry_world, coordinator_ravenna, site_admin
):
    from tests.cities.factories import CityCoordinatorFactory
    from tests.solutions.factories import SolutionFactory

    before = access.reader_fingerprint(coordinator_ravenna)
    admin_before = access.reader_fingerprint(site_admin)
    CityCoordinatorFactory(user=site_admin, city=entry_world.cervia)
    del site_admin._icc_roles
    admin_coordinating = access.reader_fingerprint(site_admin)
    solution = SolutionFactory(consortium=entry_world.consortium, number=9, title="New")
    solution.lead_cities.set([entry_world.ravenna, entry_world.cervia])
    # Ravenna now leads one more solution: its coordinator sees its consortium figures.
    assert access.reader_fingerprint(coordinator_ravenna) != before
    # An admin sees everything: leading solutions changes nothing of what they see.
    assert access.reader_fingerprint(site_admin) == admin_coordinating
    assert admin_coordinating != admin_before  # (the coordinated city is part of it)


def test_roles_of_a_partner_take_one_query(entry_world, partner_user, django_assert_num_queries):
    with django_assert_num_queries(1):  # the role tables in one UNION ALL, like anyone's
        roles = access.roles_of(partner_user)
    assert roles.partner_consortium_ids == {entry_world.consortium.pk}
    assert roles.coordinated_consortium_ids == frozenset()


def test_a_coordinator_belongs_to_their_citys_consortia(entry_world, coordinator_bologna):
    from cities.models import Membership

    membership = Membership.objects.get(city=entry_world.bologna)
    assert membership.pk != entry_world.other_consortium.pk  # ids that cannot be confused
    assert access.roles_of(coordinator_bologna).coordinated_consortium_ids == {
        entry_world.other_consortium.pk
    }


def test_visibility_class_names_what_each_reader_sees_of_a_consortium(
    entry_world, coordinator_ravenna, coordinator_cervia, steering_member, partner_user, site_admin
):
    """The word a cache key holds: readers of one class see the same figures."""
    consortium = entry_world.consortium.pk
    ravenna, cervia = entry_world.ravenna.pk, entry_world.cervia.pk
    assert access.visibility_class(site_admin, consortium) == "all"
    assert access.visibility_class(steering_member, consortium) == "all"
    assert access.visibility_class(coordinator_ravenna, consortium) == f"cities:{ravenna}"
    assert access.visibility_class(coordinator_cervia, consortium) == f"cities:{cervia}"
    assert access.visibility_class(partner_user, consortium) == "approved"
    assert access.visibility_class(AnonymousUser(), consortium) == "approved"
    # A steering member of one consortium reads another as everyone does.
    assert access.visibility_class(steering_member, entry_world.other_consortium.pk) == ("approved")


def test_visibility_class_of_a_coordinator_of_two_cities_lists_both_in_order(entry_world):
    from tests.helpers import personas

    user = personas.coordinator("coord-two", entry_world.cervia, entry_world.ravenna, password=None)
    first, second = sorted([entry_world.ravenna.pk, entry_world.cervia.pk])
    assert access.visibility_class(user, entry_world.consortium.pk) == f"cities:{first},{second}"
