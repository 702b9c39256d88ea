"""What "My reporting" shows: every unit a user enters or reviews, with each stage's state.

Read in four queries whatever the size: the memberships the user coordinates or
steers (every one for an admin), the stage reviews of those consortia (the submitted
ones a steering member may approve are listed first, as awaiting their review), the
figures counted by unit, stage and review state, and the KPIs each unit reports.

What a stage expects of a unit is the rule of :mod:`kpis.reporting.missing`: a city
reports the city-level KPIs of the solutions it implements, the consortium its
consortium-level ones, a composite KPI through its parts. So "13 of 19 figures, 6
missing" here is the count the missing list and the submit warning give, and each row
says why (``UnitStages.expected`` and ``.solutions``: "8 KPIs per stage, of solution 1,
which it implements").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from cities import access
from cities.models import City, Consortium, Membership
from cities.words import StageWords, common_programme
from kpis.models import KPI, Measurement, StageReview
from kpis.vocabulary import STAGES, ReportingStage
from solutions.models import Solution


@dataclass(frozen=True, slots=True)
class StageSummary:
    """One cell of "My reporting": a stage, its state as people read it, its figures."""

    stage: ReportingStage
    label: str
    figures: int
    #: How many figures the stage expects of the unit, and how many of those it has.
    expected: int = 0
    reported: int = 0

    @property
    def missing(self) -> int:
        return max(self.expected - self.reported, 0)

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.missing == 0


@dataclass(frozen=True, slots=True)
class UnitStages:
    """A city of a consortium (or the consortium itself, ``city=None``) stage by stage."""

    consortium: Consortium
    city: City | None
    stages: list[StageSummary]
    coordinates: bool = False
    #: Why each stage expects what it does: the figures a stage expects of the unit, and
    #: the numbers of the solutions they come from (those the city implements; for the
    #: consortium, those with KPIs it reports once).
    expected: int = 0
    solutions: tuple[int, ...] = ()

    @property
    def solution_numbers(self) -> str:
        """ "1", "1 and 2", "1, 2 and 3", in the reader's language."""
        return get_text_list([str(number) for number in self.solutions], _("and"))


@dataclass(frozen=True, slots=True)
class AwaitingReview:
    """A unit's stage submitted to a consortium whose stages the user approves."""

    review: StageReview
    url: str

    @property
    def unit(self) -> str:
        return self.review.city.name if self.review.city_id else str(self.review.consortium)

    @property
    def stage_label(self) -> str:
        return StageWords(self.review.consortium.programme).label(self.review.stage)


@dataclass(frozen=True, slots=True)
class ReportingHome:
    stages: list[ReportingStage]
    stage_labels: list[str]  # the programme's words when every unit shares one programme
    units: list[UnitStages]
    consortium_units: list[UnitStages]
    awaiting: list[AwaitingReview]


def reporting_home(user) -> ReportingHome:
    """The cities the user coordinates or steers, and their consortia's own figures."""
    roles = access.roles_of(user)
    memberships = Membership.objects.select_related("city", "consortium__programme").order_by(
        "consortium__name", "city__name"
    )
    if not roles.is_admin:
        memberships = memberships.filter(
            Q(city_id__in=roles.coordinated_city_ids)
            | Q(consortium_id__in=roles.steering_consortium_ids)
        )
    # A member city that implements none of its consortium's solutions reports nothing
    # there: listed for its own coordinators only, not as "Not started" for reviewers.
    implements = Solution.implementing_cities.through.objects.filter(
        solution__consortium_id=OuterRef("consortium_id"), city_id=OuterRef("city_id")
    )
    memberships = memberships.filter(Q(city_id__in=roles.coordinated_city_ids) | Exists(implements))
    memberships = list(memberships)
    consortium_ids = {membership.consortium_id for membership in memberships}
    all_reviews = list(
        StageReview.objects.filter(consortium_id__in=consortium_ids).select_related(
            "city", "consortium__programme", "changed_by"
        )
    )
    reviews = {
        (review.consortium_id, review.city_id, review.stage): review for review in all_reviews
    }
    awaiting = [
        AwaitingReview(review, _grid_url(review))
        for review in sorted(all_reviews, key=lambda review: review.changed_at)
        if review.state == StageReview.State.SUBMITTED
        and (roles.is_admin or review.consortium_id in roles.approving_consortium_ids)
    ]
    counts: dict[tuple, dict[str, int]] = {}
    reported: dict[tuple, int] = defaultdict(int)
    for row in (
        Measurement.objects.filter(kpi__solution__consortium_id__in=consortium_ids)
        .exclude(status=Measurement.Status.NOT_REPORTED)
        .values("kpi__solution__consortium_id", "city_id", "stage", "review_state")
        .annotate(figures=Count("id"), expected=Count("id", filter=_EXPECTED_FIGURE))
        .order_by()
    ):
        unit = (row["kpi__solution__consortium_id"], row["city_id"], row["stage"])
        counts.setdefault(unit, {})[row["review_state"]] = row["figures"]
        reported[unit] += row["expected"]
    expected = expected_figures(consortium_ids)

    def stages(consortium_id: int, city_id: int | None) -> list[StageSummary]:
        return [
            stage_summary(
                stage,
                reviews.get((consortium_id, city_id, stage.value)),
                counts.get((consortium_id, city_id, stage.value), {}),
                expected=expected[(consortium_id, city_id)].figures,
                reported=reported[(consortium_id, city_id, stage.value)],
            )
            for stage in ReportingStage.ordered()
        ]

    consortia = {membership.consortium for membership in memberships}
    words = StageWords(common_programme(consortia))
    return ReportingHome(
        stages=ReportingStage.ordered(),
        stage_labels=[words.label(stage) for stage in STAGES],
        units=[
            UnitStages(
                consortium=membership.consortium,
                city=membership.city,
                coordinates=membership.city_id in roles.coordinated_city_ids,
                stages=stages(membership.consortium_id, membership.city_id),
                expected=expected[(membership.consortium_id, membership.city_id)].figures,
                solutions=expected[(membership.consortium_id, membership.city_id)].solutions,
            )
            for membership in memberships
        ],
        consortium_units=[
            UnitStages(
                consortium=consortium,
                city=None,
                stages=stages(consortium.pk, None),
                expected=expected[(consortium.pk, None)].figures,
                solutions=expected[(consortium.pk, None)].solutions,
            )
            for consortium in sorted(consortia, key=lambda consortium: consortium.name)
        ],
        awaiting=awaiting,
    )


#: A figure a stage expects (the rule of :func:`kpis.reporting.missing.unit_kpis`): of a
#: KPI without parts, the city's of a city-level KPI of a solution the city implements,
#: the consortium's of a consortium-level KPI.
_EXPECTED_FIGURE = ~Exists(KPI.objects.filter(parent=OuterRef("kpi_id"))) & (
    Q(city__isnull=True, kpi__reporting_level=KPI.ReportingLevel.CONSORTIUM)
    | Q(
        Exists(
            Solution.implementing_cities.through.objects.filter(
                solution_id=OuterRef("kpi__solution_id"), city_id=OuterRef("city_id")
            )
        ),
        kpi__reporting_level=KPI.ReportingLevel.CITY,
    )
)


@dataclass(frozen=True, slots=True)
class Expected:
    """What each stage expects of a unit: how many figures, from which solutions."""

    figures: int = 0
    solutions: tuple[int, ...] = ()


def expected_figures(consortium_ids) -> defaultdict[tuple[int, int | None], Expected]:
    """(consortium id, city id or None) -> how many figures each stage expects of the unit
    and the numbers of the solutions they come from (one query: a reportable KPI per row,
    once per city implementing its solution); a unit that expects nothing, ``Expected()``."""
    has_parts = Exists(KPI.objects.filter(parent=OuterRef("pk")))
    kpis: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    solutions: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    for pk, consortium_id, number, level, city_id in (
        KPI.objects.filter(solution__consortium_id__in=consortium_ids)
        .filter(~has_parts)
        .values_list(
            "pk",
            "solution__consortium_id",
            "solution__number",
            "reporting_level",
            "solution__implementing_cities",
        )
    ):
        if level == KPI.ReportingLevel.CONSORTIUM:
            unit = (consortium_id, None)
        elif city_id is not None:
            unit = (consortium_id, city_id)
        else:
            continue
        kpis[unit].add(pk)
        solutions[unit].add(number)
    expected = defaultdict(Expected)
    for unit, ids in kpis.items():
        expected[unit] = Expected(len(ids), tuple(sorted(solutions[unit])))
    return expected


def _grid_url(review: StageReview) -> str:
    if review.city_id is not None:
        return reverse("entry-grid", args=[review.city.slug, review.stage])
    return reverse("consortium-entry-grid", args=[review.consortium.slug, review.stage])


def stage_summary(
    stage, review: StageReview | None, counts: dict[str, int], *, expected=0, reported=0
) -> StageSummary:
    """One cell of "My reporting": the stage's review state, or what its figures say, and
    how many of the figures it expects are there."""
    figures = sum(counts.values())
    state = review.state if review else StageReview.State.DRAFT
    if state == StageReview.State.DRAFT and figures and not counts.get("draft"):
        label = _("Approved") if counts.get("approved") == figures else _("Submitted")
    elif state == StageReview.State.DRAFT and not figures:
        label = _("Not started")
    else:
        label = StageReview.State(state).label
    return StageSummary(
        stage=stage, label=label, figures=figures, expected=expected, reported=reported
    )
