"""A Hypothesis strategy for a whole consortium, and the code that stores one.

:func:`consortium_specs` draws a consortium as plain data (:class:`ConsortiumSpec`): cities
in one or more countries, solutions that some, all or none of them implement, lead cities,
KPIs of every kind the model's rules allow (value type, target and its scope, direction,
reporting level, roll-up: :data:`kpis.invariants.ROLLUPS_BY_VALUE_TYPE` and the rules of
:func:`kpis.invariants.kpi_errors`), composite KPIs with parts, figures of every status at
each stage in every review state, and stage reviews in every state. :func:`build_consortium`
stores it with the ORM, every row within the models' constraints.

Every figure that is not approved carries :data:`UNAPPROVED` in its note (and in its text
answer, if it has one), so a test can tell that none reached a reader who may not see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st

from cities.models import City, Consortium, Membership, Programme
from kpis.invariants import ROLLUPS_BY_VALUE_TYPE
from kpis.models import KPI, Measurement, StageReview
from kpis.vocabulary import STAGES
from solutions.models import Activity, AmbitionStatement, Solution

#: In the note (and text answer) of every figure that is not approved, and nowhere else.
UNAPPROVED = "UNAPPROVED-FIGURE"
COUNTRIES = ("IT", "SE", "ES")
STATUSES = ("reported", "not_available", "not_applicable", "not_reported")
REVIEW_STATES = ("draft", "submitted", "approved")


@dataclass(frozen=True)
class KpiSpec:
    value_type: str
    target_value: Decimal | None
    target_scope: str
    direction: str
    reporting_level: str
    rollup: str
    parts: tuple[KpiSpec, ...] = ()


@dataclass(frozen=True)
class FigureSpec:
    """One figure of one KPI (its place in the spec's order) for one unit at one stage."""

    status: str
    review_state: str
    number: Decimal | None = None  # the figure, or the number beside a yes/no answer
    answer: bool | None = None
    words: str = ""  # a text answer (alone on a number KPI: an answer with no figure)


@dataclass(frozen=True)
class SolutionSpec:
    implementing: tuple[int, ...]  # positions in the city list
    lead: tuple[int, ...]
    kpis: tuple[KpiSpec, ...]


@dataclass(frozen=True)
class ConsortiumSpec:
    countries: tuple[str, ...]  # one per city
    solutions: tuple[SolutionSpec, ...]
    published: bool
    #: (solution, KPI, part or -1, city position or -1 for the consortium, stage) -> figure
    figures: dict
    #: (city position or -1, stage) -> review state
    reviews: dict


def _targets(value_type: str):
    if value_type == "count":
        return st.one_of(st.none(), st.integers(0, 12).map(Decimal))
    if value_type == "percent":
        return st.one_of(st.none(), st.sampled_from([Decimal(0), Decimal(50), Decimal(100)]))
    if value_type == "number":
        return st.one_of(st.none(), st.sampled_from([Decimal(0), Decimal("2.5"), Decimal(20)]))
    return st.none()  # yes/no and text KPIs carry no target value


@st.composite
def kpi_specs(draw, *, part: bool = False) -> KpiSpec:
    """One KPI the model accepts (``kpi_errors`` finds nothing to refuse)."""
    value_type = draw(st.sampled_from(("count", "number", "percent", "boolean", "text")))
    target_value = draw(_targets(value_type))
    reporting_level = draw(st.sampled_from(("city", "consortium")))
    if reporting_level == "consortium":
        target_scope = "consortium"
    else:
        target_scope = draw(st.sampled_from(("city", "country", "consortium")))
    rollups = list(ROLLUPS_BY_VALUE_TYPE[value_type])
    if "count_met" in rollups and (target_value is None or target_scope != "city"):
        rollups.remove("count_met")  # counting cities at target needs a target per city
    spec = KpiSpec(
        value_type=value_type,
        target_value=target_value,
        target_scope=target_scope,
        direction=draw(st.sampled_from(("higher", "lower"))),
        reporting_level=reporting_level,
        rollup=draw(st.sampled_from(rollups)),
    )
    if part or not draw(st.booleans()) or draw(st.integers(0, 3)):
        return spec
    parts = tuple(draw(st.lists(kpi_specs(part=True), min_size=1, max_size=2)))
    return KpiSpec(**{**spec.__dict__, "parts": parts})


def _figure(draw, kpi: KpiSpec) -> FigureSpec | None:
    status = draw(st.sampled_from((*STATUSES, "absent")))
    if status == "absent":
        return None
    review_state = draw(st.sampled_from(REVIEW_STATES))
    if status != "reported":
        return FigureSpec(status, review_state)
    number = answer = None
    words = ""
    if kpi.value_type == "boolean":
        answer = draw(st.booleans())
        number = draw(st.one_of(st.none(), st.integers(0, 200).map(Decimal)))
    elif kpi.value_type == "text":
        words = draw(st.sampled_from(("Draft plans in development", "To be performed in 2023")))
    elif draw(st.integers(0, 5)) == 0:
        words = "n.a. yet, survey planned"  # a reported answer with no usable figure
    elif kpi.value_type == "count":
        number = Decimal(draw(st.integers(0, 30)))
    elif kpi.value_type == "percent":
        number = Decimal(draw(st.integers(0, 100)))
    else:
        number = Decimal(draw(st.integers(-200, 400))) / 10
    return FigureSpec(status, review_state, number, answer, words)


@st.composite
def consortium_specs(draw, *, max_cities: int = 4, max_solutions: int = 2) -> ConsortiumSpec:
    city_count = draw(st.integers(1, max_cities))
    country_pool = COUNTRIES[: draw(st.integers(1, len(COUNTRIES)))]
    countries = tuple(draw(st.sampled_from(country_pool)) for _ in range(city_count))
    solutions = []
    for _ in range(draw(st.integers(1, max_solutions))):
        implementing = tuple(
            sorted(draw(st.sets(st.integers(0, city_count - 1), max_size=city_count)))
        )
        lead = tuple(sorted(draw(st.sets(st.sampled_from(implementing)))) if implementing else ())
        kpis = tuple(draw(st.lists(kpi_specs(), min_size=1, max_size=3)))
        solutions.append(SolutionSpec(implementing, lead, kpis))
    figures = {}
    for s, solution in enumerate(solutions):
        for k, kpi in enumerate(solution.kpis):
            measured = [(p, part) for p, part in enumerate(kpi.parts)] or [(-1, kpi)]
            for p, measured_kpi in measured:
                units = (
                    (-1,) if measured_kpi.reporting_level == "consortium" else solution.implementing
                )
                for unit in units:
                    for stage in STAGES:
                        figure = _figure(draw, measured_kpi)
                        if figure is not None:
                            figures[(s, k, p, unit, stage)] = figure
    reviews = {}
    for unit in (-1, *range(city_count)):
        for stage in STAGES:
            state = draw(st.sampled_from((None, "draft", "submitted", "returned", "approved")))
            if state:
                reviews[(unit, stage)] = state
    return ConsortiumSpec(countries, tuple(solutions), draw(st.booleans()), figures, reviews)


def _kpi(spec: KpiSpec, *, solution, code: str, parent=None) -> KPI:
    return KPI.objects.create(
        solution=solution,
        parent=parent,
        code=code,
        name=f"KPI {code} ({spec.value_type}, {spec.rollup})",
        unit="%" if spec.value_type == "percent" else "",
        value_type=spec.value_type,
        target_value=spec.target_value,
        target_scope=spec.target_scope,
        direction=spec.direction,
        reporting_level=spec.reporting_level,
        rollup=spec.rollup,
    )


def build_consortium(spec: ConsortiumSpec, *, slug: str = "generated") -> Consortium:
    """Store the consortium a spec describes; its KPIs are 1.1, 1.2, parts 1.2a, 1.2b…"""
    programme = Programme.objects.create(name=f"Programme of {slug}", slug=f"{slug}-programme")
    consortium = Consortium.objects.create(
        programme=programme,
        name=f"Generated Network {slug}",
        short_name="GN",
        slug=slug,
        vision="A vision",
        is_published=spec.published,
        open_data=spec.published,  # every published one offers open data (/open-data/)
    )
    cities = [
        City.objects.create(name=f"City {n} {country}", slug=f"{slug}-city-{n}", country=country)
        for n, country in enumerate(spec.countries)
    ]
    for city in cities:
        Membership.objects.create(consortium=consortium, city=city)
    ambition = AmbitionStatement.objects.create(consortium=consortium, number=1, text="Ambition")
    kpis: dict[tuple, KPI] = {}
    for s, solution_spec in enumerate(spec.solutions):
        solution = Solution.objects.create(
            consortium=consortium,
            number=s + 1,
            title=f"Solution {s + 1}",
            ambition_statement=ambition,
        )
        solution.implementing_cities.set([cities[n] for n in solution_spec.implementing])
        solution.lead_cities.set([cities[n] for n in solution_spec.lead])
        Activity.objects.create(solution=solution, code=f"{s + 1}.1", title="Work groups")
        for k, kpi_spec in enumerate(solution_spec.kpis):
            code = f"{s + 1}.{k + 1}"
            kpi = kpis[(s, k, -1)] = _kpi(kpi_spec, solution=solution, code=code)
            for p, part in enumerate(kpi_spec.parts):
                kpis[(s, k, p)] = _kpi(part, solution=solution, code=code + "abc"[p], parent=kpi)
    Measurement.objects.bulk_create(
        _measurement(
            figure, kpi=kpis[(s, k, p)], city=None if unit < 0 else cities[unit], stage=stage
        )
        for (s, k, p, unit, stage), figure in spec.figures.items()
    )
    StageReview.objects.bulk_create(
        StageReview(
            consortium=consortium, city=None if unit < 0 else cities[unit], stage=stage, state=state
        )
        for (unit, stage), state in spec.reviews.items()
    )
    return consortium


def _measurement(figure: FigureSpec, *, kpi: KPI, city, stage: str) -> Measurement:
    unapproved = figure.review_state != "approved"
    words = figure.words
    if words and unapproved:
        words = f"{words} {UNAPPROVED}"
    return Measurement(
        kpi=kpi,
        city=city,
        stage=stage,
        status=figure.status,
        value=figure.number,
        boolean_value=figure.answer,
        text_value=words,
        reason="Not measured" if figure.status in ("not_available", "not_applicable") else "",
        note=UNAPPROVED if unapproved else "As approved",
        review_state=figure.review_state,
    )
