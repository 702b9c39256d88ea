"""What "My reporting" shows: every unit a user enters or reviews, with each stage's state.

Read in three queries whatever the size: the memberships the user coordinates or
steers (every one for an admin), the stage reviews of those consortia (the submitted
ones a steering member may approve are listed first, as awaiting their review), and the
figures counted by unit, stage and review state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cities import access
from cities.models import City, Consortium, Membership
from cities.words import StageWords, common_programme
from kpis.models import Measurement, StageReview
from kpis.vocabulary import STAGES, ReportingStage
from solutions.models import Solution


@dataclass(frozen=True, slots=True)
class StageSummary:
    """One cell of "My reporting": a stage, its state as people read it, its figures."""

    stage: ReportingStage
    label: str
    figures: int


@dataclass(frozen=True, slots=True)
class UnitStages:
    """A city of a consortium (or the consortium itself, ``city=None``) stage by stage."""

    consortium: Consortium
    city: City | None
    stages: list[StageSummary]
    coordinates: bool = False


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
    for row in (
        Measurement.objects.filter(kpi__solution__consortium_id__in=consortium_ids)
        .exclude(status=Measurement.Status.NOT_REPORTED)
        .values("kpi__solution__consortium_id", "city_id", "stage", "review_state")
        .annotate(figures=Count("id"))
        .order_by()
    ):
        unit = (row["kpi__solution__consortium_id"], row["city_id"], row["stage"])
        counts.setdefault(unit, {})[row["review_state"]] = row["figures"]

    def stages(consortium_id: int, city_id: int | None) -> list[StageSummary]:
        return [
            stage_summary(
                stage,
                reviews.get((consortium_id, city_id, stage.value)),
                counts.get((consortium_id, city_id, stage.value), {}),
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
            )
            for membership in memberships
        ],
        consortium_units=[
            UnitStages(consortium=consortium, city=None, stages=stages(consortium.pk, None))
            for consortium in sorted(consortia, key=lambda consortium: consortium.name)
        ],
        awaiting=awaiting,
    )


def _grid_url(review: StageReview) -> str:
    if review.city_id is not None:
        return reverse("entry-grid", args=[review.city.slug, review.stage])
    return reverse("consortium-entry-grid", args=[review.consortium.slug, review.stage])


def stage_summary(stage, review: StageReview | None, counts: dict[str, int]) -> StageSummary:
    """One cell of "My reporting": the stage's review state, or what its figures say."""
    figures = sum(counts.values())
    state = review.state if review else StageReview.State.DRAFT
    if state == StageReview.State.DRAFT and figures and not counts.get("draft"):
        label = _("Approved") if counts.get("approved") == figures else _("Submitted")
    elif state == StageReview.State.DRAFT and not figures:
        label = _("Not started")
    else:
        label = StageReview.State(state).label
    return StageSummary(stage=stage, label=label, figures=figures)
