"""Only what is public is open data: an unpublished consortium, one that has not chosen to
offer open data, and a figure that is not approved appear nowhere — not in the catalogue,
not on the page, not in a file — whoever asks (the anonymous reader's view, as the API's)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cities.models import City, Consortium
from kpis.models import KPI, Measurement
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.helpers import personas
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db

DRAFT_VALUE = Decimal("987654")


def everything_public(client, slug: str) -> list[bytes]:
    """What the open data says of consortium ``slug``: page, catalogues, every file."""
    bodies = [client.get("/open-data/").content]
    for suffix in ("jsonld", "ttl", "rdf"):
        bodies.append(client.get(f"/open-data/{slug}/catalog.{suffix}").content)
    for stage in ("baseline", "midway", "final"):
        for fmt in ("csv", "xlsx"):
            bodies.append(client.get(f"/open-data/{slug}/{stage}.{fmt}").content)
    for city in City.objects.filter(consortia__slug=slug):
        bodies.append(client.get(f"/open-data/{slug}/cities/{city.slug}.csv").content)
    return bodies


def a_consortium_with_a_figure(*, slug: str, published: bool, open_data: bool) -> Consortium:
    consortium = ConsortiumFactory(
        name=f"Network {slug}", slug=slug, is_published=published, open_data=open_data
    )
    city = CityFactory(name=f"Town of {slug}", slug=f"town-{slug}", country="IT")
    MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=[city])
    kpi = KPIFactory(solution=solution, code="1.1", target_value=Decimal("4"))
    MeasurementFactory(kpi=kpi, city=city, stage="final", value=Decimal("4242"))
    return consortium


@pytest.mark.parametrize(("published", "open_data"), [(False, True), (True, False), (False, False)])
def test_a_consortium_that_is_not_published_as_open_data_appears_nowhere(
    client, sern, published, open_data
):
    hidden = a_consortium_with_a_figure(slug="withheld", published=published, open_data=open_data)
    for reader in (None, personas.sern_steering(), personas.steering("its-steering", hidden)):
        if reader is not None:
            client.force_login(reader)
        for path in (
            "catalog",
            "catalog.ttl",
            "final.csv",
            "final.xlsx",
            "cities/town-withheld.csv",
        ):
            assert client.get(f"/open-data/withheld/{path}").status_code == 404
        for body in everything_public(client, "sern"):
            assert b"withheld" not in body and b"4242" not in body


def test_open_data_since_is_set_once_when_open_data_is_first_chosen(db):
    consortium = ConsortiumFactory(is_published=True)
    assert consortium.open_data_since is None
    consortium.open_data = True
    consortium.save()
    since = consortium.open_data_since
    assert since is not None
    consortium.open_data = False
    consortium.save()
    consortium.open_data = True
    consortium.save(update_fields=["open_data"])
    consortium.refresh_from_db()
    assert consortium.open_data_since == since


def test_the_admin_refuses_open_data_for_an_unpublished_consortium(db):
    consortium = ConsortiumFactory(is_published=False, open_data=True)
    with pytest.raises(ValidationError) as refused:
        consortium.full_clean()
    assert "open_data" in refused.value.error_dict


def _draft_in_sern(stage: str, state: str = Measurement.ReviewState.DRAFT) -> Measurement:
    """Ravenna's KPI 1.1 at ``stage``, not approved (a draft, or ``state``), with a figure
    no approved one has."""
    kpi = KPI.objects.get(solution__consortium__slug="sern", code="1.1")
    ravenna = City.objects.get(slug="ravenna")
    figure, _ = Measurement.objects.update_or_create(
        kpi=kpi,
        city=ravenna,
        stage=stage,
        defaults={
            "status": Measurement.Status.REPORTED,
            "value": DRAFT_VALUE,
            "note": "DRAFT-NOTE",
            "review_state": state,
        },
    )
    return figure


@pytest.mark.parametrize("state", ["draft", "submitted"])
@pytest.mark.parametrize("reader", ["anonymous", "steering", "coordinator", "partner"])
def test_a_figure_not_approved_appears_nowhere_whoever_asks(client, sern, reader, state):
    """A draft, and a figure submitted for review but not yet approved: its number is in
    no file, catalogue or page (the CSV has no note, so the number is what would leak)."""
    _draft_in_sern("final", state)
    _draft_in_sern("baseline", state)  # SERN's only baseline figure: no baseline dataset
    if reader != "anonymous":
        person = {
            "steering": personas.sern_steering,
            "coordinator": lambda: personas.sern_coordinator("ravenna"),
            "partner": personas.sern_partner,
        }[reader]()
        client.force_login(person)
    for body in everything_public(client, "sern"):
        assert b"987654" not in body and b"DRAFT-NOTE" not in body
    catalogue = client.get("/open-data/sern/catalog.ttl").content.decode()
    assert "catalog#final" in catalogue and "catalog#baseline" not in catalogue
    assert client.get("/open-data/sern/baseline.csv").status_code == 404
    assert 'id="sern-baseline"' not in client.get("/open-data/").content.decode()


def test_a_figure_once_approved_is_open_data(client, sern):
    figure = _draft_in_sern("final")
    assert b"987654" not in client.get("/open-data/sern/final.csv").content
    figure.review_state = Measurement.ReviewState.APPROVED
    figure.save()
    assert b"987654" in client.get("/open-data/sern/final.csv").content
