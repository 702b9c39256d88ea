"""Reads that cross relations: each brings what a page needs in a fixed number of queries.

The figures come through the measurements' queryset (:mod:`kpis.managers`), as plain
tuples straight from the database driver where a page holds thousands of them. Each
reader returns a typed record (:class:`MatrixInputs`, :class:`StageTableInputs`,
:class:`CityPageInputs`, :class:`KpiPageInputs`, :class:`ProgrammeInputs`) that a view binds
and hands on, never a dict read by keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models

from cities.access import visible_consortia_filter
from cities.models import Membership
from kpis import vocabulary
from kpis.managers import driver_rows
from kpis.models import KPI, FrameworkReference, Measurement
from kpis.vocabulary import STAGES
from roadmaps.models import Commitment, ThreeYearPlan
from solutions.models import Activity, Solution

#: The KPI fields the dashboards read, and so all a built matrix depends on of a KPI.
KPI_FIELDS = (
    "id",
    "solution_id",
    "parent_id",
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_basis",
    "target_scope",
    "target_text",
    "direction",
    "reporting_level",
    "rollup",
)


class Member(NamedTuple):
    """A member city of a consortium, as the dashboards need it."""

    pk: int
    name: str
    slug: str
    country: str
    population: int | None
    role: str

    @property
    def role_label(self) -> str:
        return "" if self.role == "member" else str(Membership.Role(self.role).label)


@dataclass(frozen=True, slots=True)
class ConsortiumFrame:
    """Everything but the figures that a consortium matrix needs.

    ``cities`` are the member cities (by country and name), ``solutions`` in number order,
    ``kpis`` those of the solutions (parts included), ``implementing`` solution id -> the
    ids of the cities that implement it.
    """

    cities: list[Member]
    solutions: list[Any]
    kpis: list[KPI]
    implementing: dict[int, set[int]]


@dataclass(frozen=True, slots=True)
class MatrixInputs(ConsortiumFrame):
    """A consortium matrix's frame and figures at the stage shown.

    ``stage`` is the stage asked for, else ``default_stage`` (the latest with figures);
    ``rows`` are ``managers.OVERVIEW_COLUMNS`` tuples, ``baselines`` ``(city_id, kpi_id,
    value)`` tuples (empty where the stage needs none).
    """

    stage: str
    default_stage: str
    rows: list[tuple]
    baselines: list[tuple] | tuple
    has_figures: bool = True  # any figure at any stage: else no stage is "the latest"


@dataclass(frozen=True, slots=True)
class StageTableInputs:
    """What "Assessment of solution maturity" tables are built from: KPIs × the three
    stages, solution by solution. The one record behind the city page's tables, the
    exported tables (:mod:`kpis.exchange`) and the deliverable.

    ``solutions`` with their consortium; ``lead_cities`` and ``implementing``: solution
    id -> ids of its lead and implementing cities among the cities read; ``kpis`` of the
    solutions (parts included); ``details`` the figures the user may see
    (``managers.DETAIL_FIELDS`` dictionaries) of the cities read and the consortium's own;
    ``activities`` of the solutions.
    """

    solutions: list[Solution]
    lead_cities: dict[int, set[int]]
    implementing: dict[int, set[int]]
    kpis: list[KPI]
    details: list[dict]
    activities: list[Activity]


@dataclass(frozen=True, slots=True)
class CityPageInputs:
    """What a city's page shows: its memberships in the consortia the user may read, the
    tables of the solutions it implements there, its plans and commitments."""

    memberships: list[Membership]
    tables: StageTableInputs
    plans: list[ThreeYearPlan]
    commitments: list[Commitment]


@dataclass(frozen=True, slots=True)
class KpiPageInputs:
    """What a KPI's page shows beside the KPI: its parts, framework references, the
    consortium's member cities, the ids of the implementing ones, and its figures."""

    parts: list[KPI]
    references: list[FrameworkReference]
    cities: list[Member]
    implementing: set[int]
    details: list[dict]


def consortium_members(consortium_id: int) -> list[Member]:
    """A consortium's member cities by country and name; one query."""
    rows = (
        Membership.objects.filter(consortium_id=consortium_id)
        .order_by("city__country", "city__name")
        .values_list(
            "city_id", "city__name", "city__slug", "city__country", "city__population", "role"
        )
    )
    return [Member(*row) for row in rows]


def consortium_frame(consortium, *, solution=None) -> ConsortiumFrame:
    """Everything but the figures that a consortium matrix needs, in four queries.

    With ``solution`` only that solution and its KPIs are read (three queries).
    """
    members = consortium_members(consortium.pk)
    solutions = (
        [solution]
        if solution is not None
        else list(Solution.objects.filter(consortium=consortium).order_by("number"))
    )
    solution_ids = [item.pk for item in solutions]
    implementing: dict[int, set[int]] = {solution_id: set() for solution_id in solution_ids}
    through = Solution.implementing_cities.through
    for solution_id, city_id in through.objects.filter(solution_id__in=solution_ids).values_list(
        "solution_id", "city_id"
    ):
        implementing[solution_id].add(city_id)
    kpis = list(KPI.objects.filter(solution_id__in=solution_ids).only(*KPI_FIELDS))
    return ConsortiumFrame(
        cities=members, solutions=solutions, kpis=kpis, implementing=implementing
    )


def reads_baseline(kpi) -> bool:
    """A baseline moves a ratio, and is where a target relative to it is counted from;
    only numbers with a target have one."""
    return kpi.is_numeric and kpi.target_value is not None


def matrix_inputs(user, consortium, *, requested_stage: str | None, solution=None) -> MatrixInputs:
    """Everything a consortium matrix is built from, read in a fixed number of queries.

    The frame (memberships with cities, solutions, implementing cities, KPIs: four
    queries, three with ``solution``), the stages with figures (one), the figures of
    the stage shown (one) and, for midway and final, the baselines (one). The stage is
    the one asked for, else the latest with figures. Only figures ``user`` may see.
    """
    frame = consortium_frame(consortium, solution=solution)
    measurements = Measurement.objects.visible_to(user)
    kpi_ids = [kpi.pk for kpi in frame.kpis]
    present = measurements.stages_with_figures(kpi_ids)
    default = vocabulary.default_stage(present)
    stage = vocabulary.parse_stage(requested_stage, default=default)
    baselines = ()
    if vocabulary.needs_baselines(stage):
        baselines = measurements.baseline_values(
            [kpi.pk for kpi in frame.kpis if reads_baseline(kpi)]
        )
    return MatrixInputs(
        cities=frame.cities,
        solutions=frame.solutions,
        kpis=frame.kpis,
        implementing=frame.implementing,
        stage=stage,
        default_stage=default,
        has_figures=bool(present),
        rows=measurements.for_overview(kpi_ids, vocabulary.stages_to_read(stage)),
        baselines=baselines,
    )


@dataclass(frozen=True, slots=True)
class OverviewFrame(ConsortiumFrame):
    """The overview's frame and the stage it shows (the one asked for, else the latest
    with figures): what its solutions' kept parts are put together in."""

    stage: str
    default_stage: str
    has_figures: bool


def overview_frame(user, consortium, *, requested_stage: str | None) -> OverviewFrame:
    """The consortium's frame (four queries) and the stages with figures (one)."""
    frame = consortium_frame(consortium)
    present = Measurement.objects.visible_to(user).stages_with_figures(
        [kpi.pk for kpi in frame.kpis]
    )
    default = vocabulary.default_stage(present)
    return OverviewFrame(
        cities=frame.cities,
        solutions=frame.solutions,
        kpis=frame.kpis,
        implementing=frame.implementing,
        stage=vocabulary.parse_stage(requested_stage, default=default),
        default_stage=default,
        has_figures=bool(present),
    )


def stage_figures(user, kpis, stage: str) -> tuple[list[tuple], list[tuple] | tuple]:
    """The figures of these KPIs the user may see at the stage (``OVERVIEW_COLUMNS``
    tuples) and, for midway and final, their baselines: two queries (one at baseline)."""
    measurements = Measurement.objects.visible_to(user)
    baselines = ()
    if vocabulary.needs_baselines(stage):
        baselines = list(
            measurements.baseline_values([kpi.pk for kpi in kpis if reads_baseline(kpi)])
        )
    rows = list(
        measurements.for_overview([kpi.pk for kpi in kpis], vocabulary.stages_to_read(stage))
    )
    return rows, baselines


def city_stage_tables(user, city, consortium_ids) -> StageTableInputs:
    """The city's tables in these consortia, in four queries whatever the size.

    The solutions the city implements there (with whether it leads them); their KPIs;
    the city's figures and the consortium's for what it reports once; the activities.
    """
    leads = Solution.lead_cities.through.objects.filter(
        solution_id=models.OuterRef("pk"), city_id=city.pk
    )
    solutions = list(
        Solution.objects.filter(consortium_id__in=list(consortium_ids), implementing_cities=city)
        .annotate(is_lead=models.Exists(leads))
        .select_related("consortium")
        .order_by("consortium__name", "number")
    )
    solution_ids = [solution.pk for solution in solutions]
    kpis = list(KPI.objects.filter(solution_id__in=solution_ids).only(*KPI_FIELDS))
    details = list(Measurement.objects.visible_to(user).for_city(city, [kpi.pk for kpi in kpis]))
    activities = list(Activity.objects.filter(solution_id__in=solution_ids).order_by())
    return StageTableInputs(
        solutions=solutions,
        lead_cities={
            solution.pk: {city.pk} if solution.is_lead else set() for solution in solutions
        },
        implementing={solution.pk: {city.pk} for solution in solutions},
        kpis=kpis,
        details=details,
        activities=activities,
    )


def consortium_stage_tables(user, consortium) -> StageTableInputs:
    """Every member city's tables and the consortium's own, in six queries whatever the size.

    The consortium's solutions; their lead and implementing cities; their KPIs; every
    figure of them the user may see; their activities.
    """
    solutions = list(Solution.objects.filter(consortium=consortium).order_by("number"))
    for solution in solutions:
        solution.consortium = consortium
    solution_ids = [solution.pk for solution in solutions]
    lead_cities: dict[int, set[int]] = {solution_id: set() for solution_id in solution_ids}
    implementing: dict[int, set[int]] = {solution_id: set() for solution_id in solution_ids}
    for pairs, through in (
        (lead_cities, Solution.lead_cities.through),
        (implementing, Solution.implementing_cities.through),
    ):
        rows = through.objects.filter(solution_id__in=solution_ids).values_list(
            "solution_id", "city_id"
        )
        for solution_id, city_id in rows:
            pairs[solution_id].add(city_id)
    kpis = list(KPI.objects.filter(solution_id__in=solution_ids).only(*KPI_FIELDS))
    details = list(Measurement.objects.visible_to(user).for_kpis([kpi.pk for kpi in kpis]))
    activities = list(Activity.objects.filter(solution_id__in=solution_ids).order_by())
    return StageTableInputs(
        solutions=solutions,
        lead_cities=lead_cities,
        implementing=implementing,
        kpis=kpis,
        details=details,
        activities=activities,
    )


def visible_memberships(user, city) -> list[Membership]:
    """The city's memberships in the consortia the user may read, by name; one query."""
    return list(
        Membership.objects.filter(visible_consortia_filter(user, prefix="consortium__"), city=city)
        .select_related("consortium__programme", "consortium__previous_round")
        .order_by("consortium__name")
    )


def city_page_inputs(user, city, memberships: list[Membership] | None = None) -> CityPageInputs:
    """What a city's page shows, in eight queries whatever the size (seven when the
    ``memberships`` of :func:`visible_memberships` are given).

    Memberships in the consortia the user may read; the city's tables there
    (:func:`city_stage_tables`: four); the city's three-year plans with their targets
    (two); its commitments.
    """
    if memberships is None:
        memberships = visible_memberships(user, city)
    consortium_ids = [membership.consortium_id for membership in memberships]
    plans = list(
        ThreeYearPlan.objects.filter(city=city, consortium_id__in=consortium_ids)
        .select_related("consortium")
        .prefetch_related("targets")
    )
    commitments = list(
        Commitment.objects.filter(city=city, consortium_id__in=consortium_ids).select_related(
            "consortium"
        )
    )
    return CityPageInputs(
        memberships=memberships,
        tables=city_stage_tables(user, city, consortium_ids),
        plans=plans,
        commitments=commitments,
    )


def kpi_page_inputs(user, kpi) -> KpiPageInputs:
    """What a KPI's page shows beside the KPI itself, in five queries whatever the size.

    Its parts (for a composite), framework references, the consortium's member cities,
    the solution's implementing cities, and every figure of the KPI the user may see.
    """
    parts = list(KPI.objects.filter(parent=kpi).only(*KPI_FIELDS))
    parts.sort(key=lambda part: part.code)
    references = list(FrameworkReference.objects.filter(kpi=kpi).order_by("framework", "code"))
    members = consortium_members(kpi.solution.consortium_id)
    through = Solution.implementing_cities.through
    implementing = set(
        through.objects.filter(solution_id=kpi.solution_id).values_list("city_id", flat=True)
    )
    return KpiPageInputs(
        parts=parts,
        references=references,
        cities=members,
        implementing=implementing,
        details=list(Measurement.objects.visible_to(user).for_kpis([kpi.pk])),
    )


@dataclass(frozen=True, slots=True)
class ProgrammeInputs:
    """What a programme's page is built from, for the consortia the reader may see.

    ``members``: consortium id -> member cities; ``solutions`` by consortium; ``implementing``:
    solution id -> city ids; ``kpis`` of every solution (parts included); ``references``:
    ``(kpi id, framework, code, label)``; ``rows``: every figure the reader may see at every
    stage (``managers.OVERVIEW_COLUMNS`` tuples).
    """

    members: dict[int, list[Member]]
    solutions: dict[int, list[Solution]]
    implementing: dict[int, set[int]]
    kpis: list[KPI]
    references: list[tuple]
    rows: list[tuple]


def programme_inputs(user, consortia: Sequence) -> ProgrammeInputs:
    """Everything the programme's page needs of these consortia, in six queries whatever
    their number and size: memberships with cities, solutions, implementing cities, KPIs,
    framework references, and every figure the user may see at every stage."""
    ids = [consortium.pk for consortium in consortia]
    members: dict[int, list[Member]] = {pk: [] for pk in ids}
    for consortium_id, *member in (
        Membership.objects.filter(consortium_id__in=ids)
        .order_by("city__country", "city__name")
        .values_list(
            "consortium_id",
            "city_id",
            "city__name",
            "city__slug",
            "city__country",
            "city__population",
            "role",
        )
    ):
        members[consortium_id].append(Member(*member))
    solutions: dict[int, list[Solution]] = {pk: [] for pk in ids}
    for solution in Solution.objects.filter(consortium_id__in=ids).order_by("number"):
        solutions[solution.consortium_id].append(solution)
    solution_ids = [solution.pk for items in solutions.values() for solution in items]
    implementing: dict[int, set[int]] = {pk: set() for pk in solution_ids}
    through = Solution.implementing_cities.through
    for solution_id, city_id in through.objects.filter(solution_id__in=solution_ids).values_list(
        "solution_id", "city_id"
    ):
        implementing[solution_id].add(city_id)
    kpis = list(KPI.objects.filter(solution_id__in=solution_ids).only(*KPI_FIELDS))
    kpi_ids = [kpi.pk for kpi in kpis]
    references = driver_rows(
        FrameworkReference.objects.filter(kpi_id__in=kpi_ids)
        .order_by("framework", "code", "kpi_id")
        .values_list("kpi_id", "framework", "code", "label")
    )
    rows = Measurement.objects.visible_to(user).for_overview(kpi_ids, STAGES) if kpi_ids else []
    return ProgrammeInputs(members, solutions, implementing, kpis, references, rows)
