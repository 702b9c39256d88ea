"""The consortium's journey: phases on a timeline, activities, governance, commitments, lessons."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.views.generic import TemplateView

from cities.access import visible_consortia
from cities.choice import chosen_consortium
from icc_portal.codes import natural_key
from solutions.models import Activity

from .models import Commitment, GovernanceBody, GovernanceRole, Lesson, Phase


@dataclass(frozen=True, slots=True)
class TimelinePhase:
    phase: Phase
    left: float  # percent of the timeline
    width: float
    is_current: bool

    @property
    def middle(self) -> float:
        """Where the phase's number sits, in percent of the timeline."""
        return round(self.left + self.width / 2, 2)


@dataclass(frozen=True, slots=True)
class Timeline:
    phases: list[TimelinePhase]
    years: list[tuple[int, float]]  # (year, left percent) of each 1 January on the line
    today: datetime.date
    today_left: float | None  # None when today is outside the journey
    today_position: str  # "before", "during", "after"


def timeline(phases: Sequence[Phase], today: datetime.date) -> Timeline | None:
    """Phases laid out on one line from the first start to the last end, today marked."""
    if not phases:
        return None
    first = min(phase.start for phase in phases)
    last = max(phase.end for phase in phases)
    days = (last - first).days + 1

    def left(day: datetime.date) -> float:
        return round((day - first).days / days * 100, 2)

    laid_out = [
        TimelinePhase(
            phase=phase,
            left=left(phase.start),
            width=round(((phase.end - phase.start).days + 1) / days * 100, 2),
            is_current=phase.start <= today <= phase.end,
        )
        for phase in phases
    ]
    years = [
        (year, left(datetime.date(year, 1, 1))) for year in range(first.year + 1, last.year + 1)
    ]
    position = "before" if today < first else "after" if today > last else "during"
    return Timeline(
        phases=laid_out,
        years=years,
        today=today,
        today_left=left(today) if position == "during" else None,
        today_position=position,
    )


class RoadmapView(TemplateView):
    """The journey phases on a timeline (today marked), activities by status, governance
    bodies, commitments and lessons of one consortium.

    Queries (fixed): consortia; phases; activities with their solution; governance bodies
    with their city; their roles; commitments with their city; lessons — plus session,
    user and roles.
    """

    template_name = "roadmaps/roadmap.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consortia = list(
            visible_consortia(self.request.user).annotate(
                has_phases=Exists(Phase.objects.filter(consortium=OuterRef("pk")))
            )
        )
        consortium = chosen_consortium(
            consortia, self.request.GET.get("consortium"), with_content="has_phases"
        )
        context.update(consortia=consortia, consortium=consortium)
        if consortium is None:
            return context
        phases = list(Phase.objects.filter(consortium=consortium).order_by("number"))
        activities = sorted(
            Activity.objects.filter(solution__consortium=consortium).select_related("solution"),
            key=lambda a: (a.solution.number, natural_key(a.code)),
        )
        bodies = GovernanceBody.objects.filter(consortium=consortium).select_related("city")
        bodies = bodies.prefetch_related(
            Prefetch("roles", queryset=GovernanceRole.objects.order_by("position"))
        )
        commitments = list(Commitment.objects.filter(consortium=consortium).select_related("city"))
        context.update(
            timeline=timeline(phases, timezone.localdate()),
            activity_columns=[
                (status, label, [a for a in activities if a.status == status])
                for status, label in Activity.Status.choices
            ],
            bodies=sorted(
                bodies,
                key=lambda b: (b.city_id is not None, b.city.name if b.city else "", b.position),
            ),
            commitment_groups=[
                (label, [c for c in commitments if c.kind == kind])
                for kind, label in Commitment.Kind.choices
            ],
            lessons=list(Lesson.objects.filter(consortium=consortium).order_by("number")),
        )
        return context
