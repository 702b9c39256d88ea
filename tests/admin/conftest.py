"""The admin as a programme officer uses it: forms read from the page, filled in, sent.

``page_form(client, url, read_admin_form)`` (:mod:`tests.helpers.forms`) returns what the
browser would send from the admin's change form as it stands (every input, the selected
options, the inlines' management forms), as a dict of lists; a test changes what the
officer would type and posts it.

The world (``setup_world``): "Let's GOv" (``letsgov``), set up with member cities and
nothing else, as a new consortium is; and a SERN-like consortium (``sern``, two of SERN's
cities) with a solution, a composite KPI and its parts, so pickers have another
consortium's rows to leave out.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def officer(client, site_admin):
    """A programme officer: an administrator, signed in, reading the admin in English."""
    client.force_login(site_admin)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def setup_world(db):
    from cities.models import Membership
    from kpis.models import KPI
    from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
    from tests.kpis.factories import KPIFactory
    from tests.solutions.factories import SolutionFactory

    letsgov = ConsortiumFactory(name="Let's GOv", short_name="Let's GOv", slug="letsgov")
    sern = ConsortiumFactory(name="Sweden Emilia Romagna Network", short_name="SERN", slug="sern")
    cities = {
        slug: CityFactory(name=name, slug=slug, country=country)
        for slug, name, country in [
            ("bologna", "Bologna", "IT"),
            ("milan", "Milan", "IT"),
            ("turin", "Turin", "IT"),
            ("ravenna", "Ravenna", "IT"),
            ("trollhattan", "Trollhättan", "SE"),
        ]
    }
    MembershipFactory(consortium=letsgov, city=cities["bologna"], role=Membership.Role.LEAD)
    for slug in ("milan", "turin"):
        MembershipFactory(consortium=letsgov, city=cities[slug])
    for slug in ("ravenna", "trollhattan"):
        MembershipFactory(consortium=sern, city=cities[slug])
    sern_solution = SolutionFactory(
        consortium=sern,
        number=1,
        title="Digital Transformation Plan",
        implementing_cities=[cities["ravenna"], cities["trollhattan"]],
    )
    composite = KPIFactory(
        solution=sern_solution,
        code="1.5",
        name="Plans implemented and staff contributing",
        target_value=None,
        rollup=KPI.Rollup.NONE,
    )
    part = KPIFactory(
        solution=sern_solution, code="1.5a", name="Plans implemented", parent=composite
    )
    return SimpleNamespace(
        letsgov=letsgov,
        sern=sern,
        cities=SimpleNamespace(**cities),
        sern_solution=sern_solution,
        sern_composite=composite,
        sern_part=part,
    )
