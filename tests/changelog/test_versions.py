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
