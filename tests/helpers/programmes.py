"""A programme of three consortia for the programme page's and API's tests.

"Mission" holds North and South (published) and Hidden (not published). North's 1.1 and
South's 1.1 carry the same CITYkeys code (ENV-1, shared: one table across consortia);
North's 1.2 carries U4SSC EC-9, which no other consortium uses (it stays with North).
North: Oslo and Bergen implement solution 1; South: Porto implements it. Figures at
final: North's Oslo 3 (approved) and Bergen 1 (a draft), South's Porto 5 (approved);
Hidden's Riga 7 (approved, but its consortium is not published).
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from kpis.models import KPI, FrameworkReference
from tests.cities.factories import (
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    ProgrammeFactory,
)
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory


def consortium_with(programme, name: str, slug: str, cities: list, *, published: bool = True):
    consortium = ConsortiumFactory(
        programme=programme, name=name, short_name=name, slug=slug, is_published=published
    )
    for city in cities:
        MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=cities)
    return consortium, solution


def mission_world() -> SimpleNamespace:
    programme = ProgrammeFactory(name="Mission", slug="mission")
    oslo = CityFactory(name="Oslo", slug="oslo", country="NO")
    bergen = CityFactory(name="Bergen", slug="bergen", country="NO")
    porto = CityFactory(name="Porto", slug="porto", country="PT")
    riga = CityFactory(name="Riga", slug="riga", country="LV")
    north, north_solution = consortium_with(programme, "North", "north", [oslo, bergen])
    south, south_solution = consortium_with(programme, "South", "south", [porto])
    hidden, hidden_solution = consortium_with(
        programme, "Hidden", "hidden", [riga], published=False
    )
    target = {"target_value": Decimal("2"), "target_scope": KPI.TargetScope.CITY}
    north_trees = KPIFactory(solution=north_solution, code="1.1", name="Trees planted", **target)
    north_plans = KPIFactory(solution=north_solution, code="1.2", name="Plans adopted", **target)
    south_trees = KPIFactory(solution=south_solution, code="1.1", name="Trees (k)", **target)
    hidden_trees = KPIFactory(solution=hidden_solution, code="1.1", name="Trees", **target)
    for kpi in (north_trees, south_trees, hidden_trees):
        FrameworkReference.objects.create(
            kpi=kpi, framework="citykeys", code="ENV-1", label="Green space"
        )
    FrameworkReference.objects.create(kpi=north_plans, framework="u4ssc", code="EC-9")
    figures = SimpleNamespace(
        oslo=MeasurementFactory(kpi=north_trees, city=oslo, value=Decimal("3")),
        bergen=MeasurementFactory(
            kpi=north_trees, city=bergen, value=Decimal("1"), review_state="draft"
        ),
        porto=MeasurementFactory(kpi=south_trees, city=porto, value=Decimal("5")),
        riga=MeasurementFactory(kpi=hidden_trees, city=riga, value=Decimal("7")),
    )
    return SimpleNamespace(
        programme=programme,
        north=north,
        south=south,
        hidden=hidden,
        cities=SimpleNamespace(oslo=oslo, bergen=bergen, porto=porto, riga=riga),
        kpis=SimpleNamespace(north_trees=north_trees, north_plans=north_plans),
        figures=figures,
    )
