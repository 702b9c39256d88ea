"""Reads that cross relations: each brings what a page needs in a fixed number of queries.

The dashboards read measurements as plain tuples straight from the database driver
(:func:`driver_rows`), not model instances: an overview of 200 cities × 100 KPIs is
20,000 rows, and building that many objects would cost more than the page itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Substr

from cities.access import visible_measurements_filter

# The statuses that say something; a stored "not yet reported" row is the same as none.
INFORMATIVE_STATUSES = ("reported", "not_available", "not_applicable")

#: Length of a text answer kept for a matrix cell; the full text is on the city page.
MATRIX_TEXT_LENGTH = 80

#: Columns of an overview row, in order (the annotation last, as in the SQL).
OVERVIEW_COLUMNS = (
    "city_id",
    "kpi_id",
    "stage",
    "status",
    "value",
    "boolean_value",
    "review_state",
    "short_text",
)

#: The KPI fields the dashboards read.
KPI_FIELDS = (
    "id",
    "solution_id",
    "parent_id",
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_scope",
    "target_text",
    "direction",
    "reporting_level",
    "rollup",
)

#: Fields of a detail row (city page, KPI page), as dictionaries.
DETAIL_FIELDS = (
    "id",
    "kpi_id",
    "city_id",
    "stage",
    "status",
    "value",
    "boolean_value",
    "text_value",
    "reason",
    "note",
    "evidence_url",
    "as_of",
    "review_state",
)


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeasurementQuerySet:
        """Only the figures this user may read (approved ones for anonymous visitors)."""
        return self.filter(visible_measurements_filter(user))

    def informative(self) -> MeasurementQuerySet:
        return self.filter(status__in=INFORMATIVE_STATUSES)

    def for_overview(self, kpi_ids: Iterable[int], stages: Iterable[str]) -> list[tuple]:
        """These KPIs' figures at these stages: tuples in ``OVERVIEW_COLUMNS`` order.

        ``city_id`` is ``None`` for figures the consortium reports once; text answers are
        read where there is no number, cut to ``MATRIX_TEXT_LENGTH`` characters. One
        query, unordered, returned as the driver gives it (see :func:`driver_rows`).
        """
        rows = (
            self.informative()
            .filter(kpi_id__in=list(kpi_ids), stage__in=list(stages))
            .annotate(
                short_text=Case(  # a number needs no words in a matrix cell
                    When(value__isnull=True, then=Substr("text_value", 1, MATRIX_TEXT_LENGTH)),
                    default=Value(""),
                    output_field=models.TextField(),
                )
            )
            .order_by()
        )
        return driver_rows(rows.values_list(*OVERVIEW_COLUMNS))

    def baseline_values(self, kpi_ids: Iterable[int]) -> list[tuple]:
        """``(city_id, kpi_id, value)`` of these KPIs' reported baseline figures.

        The starting points later stages are judged from. One query, as the driver gives it.
        """
        rows = self.filter(
            kpi_id__in=list(kpi_ids), stage="baseline", status="reported", value__isnull=False
        ).order_by()
        return driver_rows(rows.values_list("city_id", "kpi_id", "value"))

    def for_city(self, city, kpi_ids: Iterable[int]):
        """A city's own figures for these KPIs, and the consortium's for those it reports once.

        Dictionaries of ``DETAIL_FIELDS``; one query.
        """
        return (
            self.informative()
            .filter(kpi_id__in=list(kpi_ids))
            .filter(Q(city=city) | Q(city__isnull=True, kpi__reporting_level="consortium"))
            .order_by()
            .values(*DETAIL_FIELDS)
        )

    def for_kpis(self, kpi_ids: Iterable[int]):
        """Every figure of these KPIs at every stage, as dictionaries; one query."""
        return self.informative().filter(kpi_id__in=list(kpi_ids)).order_by().values(*DETAIL_FIELDS)

    def stages_with_figures(self, kpi_ids: Iterable[int]) -> set[str]:
        """The stages at which these KPIs have at least one reported or N/A figure.

        One query of three ``EXISTS``, each stopping at its first row.
        """
        from kpis.models import Stage

        figures = self.filter(kpi_id__in=list(kpi_ids), status__in=("reported", "not_available"))
        flags = (
            self.model.objects.annotate(
                **{stage: models.Exists(figures.filter(stage=stage)) for stage in Stage.values}
            )
            .values_list(*Stage.values)
            .order_by()[:1]
        )
        # Any row carries the flags; with no measurement at all there is nothing to say.
        found = next(iter(flags), None)
        return {stage for stage, flag in zip(Stage.values, found or (), strict=False) if flag}


def driver_rows(queryset) -> list[tuple]:
    """A ``values_list`` queryset's rows as the database driver returns them.

    Django's per-row conversion costs more than the whole matrix built from the rows,
    so the dashboards skip it and convert each *distinct* raw value once with
    :func:`plain_decimal` and :func:`plain_bool`: numbers may come back as ``int``,
    ``float``, ``str`` or ``Decimal`` and yes/no as ``0``/``1`` or ``bool``, by backend.
    Annotations must come last in the field list, as they do in the SQL.
    """
    query = queryset.query
    selected = [*query.values_select, *query.annotation_select]
    if list(queryset._fields) != selected:
        raise ValueError(f"list annotations last: {selected} != {queryset._fields}")
    try:
        sql, params = query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. ``kpi_id__in=[]``: Django knows without asking
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def plain_decimal(raw) -> Decimal | None:
    """A raw number from :func:`driver_rows` as the Decimal the model field would give."""
    if raw is None or isinstance(raw, Decimal):
        return raw
    if isinstance(raw, float):
        return Decimal(repr(raw))  # the shortest decimal that reads back as this float
    return Decimal(raw)


def plain_bool(raw) -> bool | None:
    return None if raw is None else bool(raw)


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
        from cities.models import Membership

        return "" if self.role == "member" else str(Membership.Role(self.role).label)


def consortium_members(consortium_id: int) -> list[Member]:
    """A consortium's member cities by country and name; one query."""
    from cities.models import Membership

    rows = (
        Membership.objects.filter(consortium_id=consortium_id)
        .order_by("city__country", "city__name")
        .values_list(
            "city_id", "city__name", "city__slug", "city__country", "city__population", "role"
        )
    )
    return [Member(*row) for row in rows]


def visible_consortia(user):
    """The consortia whose pages the user may read, with their programme; a queryset."""
    from cities.access import visible_consortia_filter
    from cities.models import Consortium

    return Consortium.objects.filter(visible_consortia_filter(user)).select_related("programme")


def consortium_frame(consortium, *, solution=None) -> dict:
    """Everything but the figures that a consortium matrix needs, in four queries.

    Returns plain data: ``members`` and ``cities`` (the member cities as :class:`Member`),
    ``solutions``,
    ``kpis`` (of those solutions, parts included) and ``implementing`` (solution id ->
    set of city ids). With ``solution`` only that solution and its KPIs are read.
    """
    from kpis.models import KPI
    from solutions.models import Solution

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
    return {
        "members": members,
        "cities": members,
        "solutions": solutions,
        "kpis": kpis,
        "implementing": implementing,
    }


def matrix_inputs(user, consortium, *, requested_stage: str | None, solution=None) -> dict:
    """Everything a consortium matrix is built from, read in a fixed number of queries.

    The frame (memberships with cities, solutions, implementing cities, KPIs: four
    queries, three with ``solution``), the stages with figures (one), the figures of
    the stage shown (one) and, for midway and final, the baselines (one). The stage is
    the one asked for, else the latest with figures. Only figures ``user`` may see.
    """
    from kpis.models import Measurement

    from . import build

    frame = consortium_frame(consortium, solution=solution)
    measurements = Measurement.objects.visible_to(user)
    kpi_ids = [kpi.pk for kpi in frame["kpis"]]
    default = build.default_stage(measurements.stages_with_figures(kpi_ids))
    stage = build.parse_stage(requested_stage, default=default)
    baselines = ()
    if build.needs_baselines(stage):
        baselines = measurements.baseline_values(
            [kpi.pk for kpi in frame["kpis"] if build.reads_baseline(kpi)]
        )
    return {
        **frame,
        "stage": stage,
        "default_stage": default,
        "rows": measurements.for_overview(kpi_ids, build.stages_to_read(stage)),
        "baselines": baselines,
    }


def city_page_inputs(user, city) -> dict:
    """What a city's page shows, in eight queries whatever the size.

    Memberships in the consortia the user may read; the solutions the city implements
    there (with whether it leads them); their KPIs; the city's figures and the
    consortium's for what it reports once; the solutions' activities; the city's
    three-year plans with their targets (two); its commitments.
    """
    from cities.access import visible_consortia_filter
    from cities.models import Membership
    from kpis.models import KPI, Measurement
    from roadmaps.models import Commitment, ThreeYearPlan
    from solutions.models import Activity, Solution

    memberships = list(
        Membership.objects.filter(visible_consortia_filter(user, prefix="consortium__"), city=city)
        .select_related("consortium__programme")
        .order_by("consortium__name")
    )
    consortium_ids = [membership.consortium_id for membership in memberships]
    leads = Solution.lead_cities.through.objects.filter(
        solution_id=models.OuterRef("pk"), city_id=city.pk
    )
    solutions = list(
        Solution.objects.filter(consortium_id__in=consortium_ids, implementing_cities=city)
        .annotate(is_lead=models.Exists(leads))
        .select_related("consortium")
        .order_by("consortium__name", "number")
    )
    solution_ids = [solution.pk for solution in solutions]
    kpis = list(KPI.objects.filter(solution_id__in=solution_ids).only(*KPI_FIELDS))
    details = list(Measurement.objects.visible_to(user).for_city(city, [kpi.pk for kpi in kpis]))
    activities = list(Activity.objects.filter(solution_id__in=solution_ids).order_by())
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
    return {
        "memberships": memberships,
        "solutions": solutions,
        "lead_solution_ids": {solution.pk for solution in solutions if solution.is_lead},
        "implementing": {solution.pk: {city.pk} for solution in solutions},
        "kpis": kpis,
        "details": details,
        "activities": activities,
        "plans": plans,
        "commitments": commitments,
    }


def kpi_page_inputs(user, kpi) -> dict:
    """What a KPI's page shows beside the KPI itself, in five queries whatever the size.

    Its parts (for a composite), framework references, the consortium's member cities,
    the solution's implementing cities, and every figure of the KPI the user may see.
    """
    from kpis.models import KPI, FrameworkReference, Measurement
    from solutions.models import Solution

    parts = list(KPI.objects.filter(parent=kpi).only(*KPI_FIELDS))
    parts.sort(key=lambda part: part.code)
    references = list(FrameworkReference.objects.filter(kpi=kpi).order_by("framework", "code"))
    members = consortium_members(kpi.solution.consortium_id)
    through = Solution.implementing_cities.through
    implementing = set(
        through.objects.filter(solution_id=kpi.solution_id).values_list("city_id", flat=True)
    )
    details = list(Measurement.objects.visible_to(user).for_kpis([kpi.pk]))
    return {
        "parts": parts,
        "references": references,
        "cities": members,
        "implementing": implementing,
        "details": details,
    }
