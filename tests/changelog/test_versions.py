"""A consortium's data version: its own figures' rows and every definition row move it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from changelog import stamp, versions
from changelog.models import Change
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """Two consortia with a KPI each, and no figure yet."""
    made = []
    for slug in ("lanterns", "harbours"):
        consortium = ConsortiumFactory(slug=slug, name=slug.title())
        city = CityFactory(slug=f"{slug}-city", name=f"{slug.title()} City")
        MembershipFactory(consortium=consortium, city=city)
        kpi = KPIFactory(
            solution=SolutionFactory(consortium=consortium, implementing_cities=[city])
        )
        made.append((consortium, city, kpi))
    return made


def test_a_figure_moves_its_consortium_only_and_the_slug_reads_the_same_version(two):
    (lanterns, city, kpi), (harbours, _, _) = two
    before = versions.consortium_version(harbours.pk)

    MeasurementFactory(kpi=kpi, city=city, value=Decimal(3))

    mine = versions.consortium_version(lanterns.pk)
    assert mine.position == stamp.current().position
    assert versions.consortium_version(harbours.pk) == before
    assert versions.consortium_version_by_slug("lanterns") == mine
    assert versions.consortium_version_by_slug("harbours") == before
    assert versions.consortia_version([harbours.pk, lanterns.pk, lanterns.pk]) == mine


def test_a_version_says_when_it_was_recorded_in_utc(two):
    (lanterns, city, kpi), _ = two
    MeasurementFactory(kpi=kpi, city=city, value=Decimal(3))
    recorded = Change.objects.order_by("-id").values_list("recorded_at", flat=True).first()

    assert versions.consortium_version(lanterns.pk).changed_at == recorded
    assert versions.consortium_version(lanterns.pk).changed_at.utcoffset().total_seconds() == 0


def test_a_definition_moves_every_consortium(two):
    (lanterns, city, kpi), (harbours, _, _) = two
    MeasurementFactory(kpi=kpi, city=city, value=Decimal(3))
    figure = versions.consortium_version(lanterns.pk)

    harbours.vision = "Lights on the water"
    harbours.save()

    newest = stamp.current()
    assert newest.position > figure.position
    assert versions.definitions_version() == newest
    for consortium in (lanterns, harbours):
        assert versions.consortium_version(consortium.pk) == newest
        assert versions.consortium_version_by_slug(consortium.slug) == newest


def test_an_unknown_slug_and_no_consortium_read_the_definitions_version(two):
    (lanterns, city, kpi), _ = two
    MeasurementFactory(kpi=kpi, city=city, value=Decimal(3))
    definitions = versions.definitions_version()
    assert versions.consortium_version(lanterns.pk).position > definitions.position

    assert versions.consortium_version_by_slug("nowhere") == definitions
    assert versions.consortium_version_by_slug("lan\x00terns") == definitions
    assert versions.consortia_version([]) == definitions


def test_an_empty_log_is_at_the_beginning(db):
    Change.objects.all().delete()
    assert versions.definitions_version() == stamp.Stamp(0, stamp.BEGINNING)
    assert versions.consortium_version(1) == stamp.Stamp(0, stamp.BEGINNING)
    assert stamp.current() == stamp.Stamp(0, stamp.BEGINNING)


@pytest.fixture
def programmes(two):
    """Lanterns and Harbours in one programme, a third consortium with the newest figure
    in another: Harbours' figure is older than Lanterns', the third's newest of all."""
    from cities.models import Programme

    (lanterns, lantern_city, lantern_kpi), (harbours, harbour_city, harbour_kpi) = two
    shared = Programme.objects.create(name="Shared", slug="shared")
    lanterns.programme = harbours.programme = shared
    lanterns.save()
    harbours.save()
    other = ConsortiumFactory(slug="elsewhere")
    other_city = CityFactory(slug="elsewhere-city")
    MembershipFactory(consortium=other, city=other_city)
    other_kpi = KPIFactory(
        solution=SolutionFactory(consortium=other, implementing_cities=[other_city])
    )
    MeasurementFactory(kpi=harbour_kpi, city=harbour_city, value=Decimal(1))
    MeasurementFactory(kpi=lantern_kpi, city=lantern_city, value=Decimal(2))
    MeasurementFactory(kpi=other_kpi, city=other_city, value=Decimal(3))
    return lanterns, harbours, other


def every_question(lanterns, harbours, other) -> dict[str, stamp.Stamp]:
    return {
        "one": versions.consortium_version(harbours.pk),
        "slug": versions.consortium_version_by_slug("harbours"),
        "unknown slug": versions.consortium_version_by_slug("nowhere"),
        "many": versions.consortia_version([harbours.pk, lanterns.pk]),
        "programme": versions.programme_version_by_slug("shared"),
        "other programme": versions.programme_version_by_slug(other.programme.slug),
        "unknown programme": versions.programme_version_by_slug("nowhere"),
        "nul programme": versions.programme_version_by_slug("sha\x00red"),
        "newest": versions.newest_version(),
        "definitions": versions.definitions_version(),
    }


def test_a_programmes_version_is_its_consortias_newest_asked_in_or_out_of_a_request(
    programmes, django_assert_num_queries
):
    """Every way to ask, once with a query of its own and once from the request's one
    read of every version: the same answers, and the right ones."""
    lanterns, harbours, other = programmes
    outside = every_question(lanterns, harbours, other)

    current, token = versions.begin_request()
    try:
        with django_assert_num_queries(1):
            inside = every_question(lanterns, harbours, other)
    finally:
        versions.end_request(token)

    assert inside == outside
    definitions = outside["definitions"]
    assert outside["one"] == outside["slug"]
    assert outside["one"].position < outside["programme"].position
    assert outside["programme"] == outside["many"] == versions.consortium_version(lanterns.pk)
    assert outside["other programme"] == outside["newest"] == versions.consortium_version(other.pk)
    assert outside["newest"].position == stamp.current().position
    assert outside["unknown programme"] == outside["nul programme"] == definitions
    assert outside["unknown slug"] == definitions
