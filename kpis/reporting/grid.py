"""What the entry grid shows: the KPIs a unit reports at a stage, their figures, the
previous stage's figures and the review state, read in a fixed number of queries.

``city_grid`` is one city's page (its KPIs, plus the KPIs its consortia report once
when the user may enter those); ``consortium_grid`` only the consortium's own KPIs.
Both raise ``PermissionDenied`` for a user who may not open them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cities import access
from cities.models import City, Consortium, Membership
from cities.words import DEFAULT_WORDS, StageWords, common_programme
from icc_portal.codes import natural_key
from kpis.models import KPI, Measurement, StageReview
from kpis.progress import changed_target
from kpis.vocabulary import (
    STAGE_SHORT_LABELS,
    ReportingStage,
    change_from_baseline,
    previous_stage,
)
from solutions.models import Solution

from .rules import LOCK_MESSAGES

ReviewState = Measurement.ReviewState
State = StageReview.State


def stage_tabs(current: str, words: StageWords = DEFAULT_WORDS) -> list[dict]:
    return [
        {
            "value": stage.value,
            "label": words.label(stage.value),
            "short": STAGE_SHORT_LABELS[stage],
            "current": stage.value == current,
        }
        for stage in ReportingStage.ordered()
    ]


@dataclass
class GridRow:
    kpi: KPI
    unit: tuple[int, int | None]
    measurement: Measurement | None
    previous: Measurement | None
    may_enter: bool
    lock: str = ""  # "", "approved", "stage_approved", "under_review"
    form: object = None
    #: For a target relative to the baseline that this unit answers to: its own target
    #: beside the baseline it is counted from ("−20 % from 72.5 = 58"), or why there is none.
    own_target: str = ""

    @property
    def is_missing(self) -> bool:
        return self.measurement is None or self.measurement.status == "not_reported"

    @property
    def is_open(self) -> bool:
        """Shown with inputs: the user may enter it and it is not locked."""
        return self.may_enter and not self.lock

    @property
    def lock_message(self) -> str:
        """Why the figure cannot be changed now, as the write service would refuse it."""
        return str(LOCK_MESSAGES[self.lock]) if self.lock else ""

    @property
    def anchor(self) -> str:
        return f"kpi-{self.kpi.pk}"


@dataclass
class GridSection:
    consortium: Consortium
    solution: Solution
    is_consortium_level: bool
    rows: list[GridRow]


@dataclass
class UnitPanel:
    """A unit's review: its state, its comment and what this user may do with it."""

    consortium: Consortium
    city: City | None
    review: StageReview | None
    rows: list[GridRow] = field(default_factory=list)
    may_submit: bool = False
    may_review: bool = False
    # Set when a review action on this unit was refused: shown beside the field, focused.
    error: str = ""
    error_field: str = ""
    comment_value: str = ""
    failed_action: str = ""

    @property
    def anchor(self) -> str:
        unit = f"city-{self.city.pk}" if self.city is not None else "consortium"
        return f"review-{self.consortium.pk}-{unit}"

    @property
    def missing_rows(self) -> list[GridRow]:
        return [row for row in self.rows if row.is_missing]

    @property
    def confirm_label(self) -> str:
        """The words of the confirmation box: what the person does despite the gaps."""
        count = self.missing_count
        if self.can_approve:
            return ngettext(
                "Approve with %(count)s figure missing",
                "Approve with %(count)s figures missing",
                count,
            ) % {"count": count}
        return ngettext(
            "Submit with %(count)s figure missing", "Submit with %(count)s figures missing", count
        ) % {"count": count}

    @property
    def state(self) -> str:
        return self.review.state if self.review else State.DRAFT

    @property
    def shown_state(self) -> str:
        """The state as people read it: a draft stage whose figures are all approved
        (loaded from a published deliverable) reads "approved"."""
        if self.state == State.DRAFT and self.has_approved and not self.has_drafts:
            return State.APPROVED
        return self.state

    @property
    def state_label(self) -> str:
        if self.shown_state == State.APPROVED and self.state == State.DRAFT and self.missing_count:
            return _("Partly approved")
        return State(self.shown_state).label

    @property
    def has_approved(self) -> bool:
        return any(
            row.measurement and row.measurement.review_state == ReviewState.APPROVED
            for row in self.rows
        )

    @property
    def has_drafts(self) -> bool:
        return any(
            row.measurement and row.measurement.review_state == ReviewState.DRAFT
            for row in self.rows
        )

    @property
    def approved_count(self) -> int:
        return sum(
            bool(row.measurement and row.measurement.review_state == ReviewState.APPROVED)
            for row in self.rows
        )

    @property
    def missing_count(self) -> int:
        return sum(row.is_missing for row in self.rows)

    @property
    def entered_count(self) -> int:
        return len(self.rows) - self.missing_count

    @property
    def can_submit(self) -> bool:
        return self.may_submit and self.state in (State.DRAFT, State.RETURNED) and self.has_drafts

    @property
    def can_approve(self) -> bool:
        return self.may_review and self.state == State.SUBMITTED

    @property
    def can_reopen(self) -> bool:
        return self.may_review and (self.state == State.APPROVED or self.has_approved)


@dataclass
class Grid:
    stage: str
    city: City | None
    consortium: Consortium | None
    sections: list[GridSection]
    panels: list[UnitPanel]
    #: The stages' names: the programme's of the grid's consortia (cities.words).
    words: StageWords = DEFAULT_WORDS

    @property
    def stage_label(self) -> str:
        return self.words.label(self.stage)

    @property
    def previous_stage(self) -> str | None:
        return previous_stage(self.stage)

    @property
    def previous_stage_label(self) -> str:
        previous = self.previous_stage
        return STAGE_SHORT_LABELS[ReportingStage(previous)] if previous else ""

    @property
    def tabs(self) -> list[dict]:
        return stage_tabs(self.stage, self.words)

    @property
    def rows(self) -> list[GridRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def enterable_rows(self) -> list[GridRow]:
        return [row for row in self.rows if row.may_enter]

    @property
    def has_open_rows(self) -> bool:
        return any(row.is_open for row in self.rows)

    @property
    def missing_rows(self) -> list[GridRow]:
        return [row for row in self.rows if row.is_missing]

    @property
    def show_consortium_names(self) -> bool:
        return len({section.consortium.pk for section in self.sections}) > 1


def city_grid(user, city: City, stage: str) -> Grid:
    """The city's grid (queries: memberships, roles, KPIs, lead cities, figures, reviews)."""
    memberships = list(Membership.objects.filter(city=city).select_related("consortium__programme"))
    consortia = {membership.consortium_id: membership.consortium for membership in memberships}
    if not access.can_view_city_reporting(user, city, consortia):
        raise PermissionDenied
    implemented = Solution.implementing_cities.through.objects.filter(city=city).values(
        "solution_id"
    )
    kpis = _kpis(
        Q(solution__consortium_id__in=list(consortia))
        & (
            Q(reporting_level=KPI.ReportingLevel.CITY, solution_id__in=implemented)
            | Q(reporting_level=KPI.ReportingLevel.CONSORTIUM)
        )
    )
    return _grid(user, stage, kpis, city=city, consortia=consortia, consortium=None)


def consortium_grid(user, consortium: Consortium, stage: str) -> Grid:
    """The figures a consortium reports once; for whoever may enter or review them."""
    kpis = _kpis(Q(solution__consortium=consortium, reporting_level=KPI.ReportingLevel.CONSORTIUM))
    grid = _grid(
        user, stage, kpis, city=None, consortia={consortium.pk: consortium}, consortium=consortium
    )
    if not grid.rows and not access.can_review_stage(user, consortium):
        raise PermissionDenied
    return grid


def _kpis(condition: Q) -> list[KPI]:
    """Reportable KPIs (composite parents are reported through their parts), in order."""
    has_parts = Exists(KPI.objects.filter(parent=OuterRef("pk")))
    kpis = KPI.objects.filter(condition).filter(~has_parts).select_related("solution__consortium")
    return sorted(
        kpis,
        key=lambda kpi: (
            kpi.reporting_level != KPI.ReportingLevel.CITY,
            kpi.solution.consortium.name,
            kpi.solution.number,
            natural_key(kpi.code),
        ),
    )


def _grid(user, stage, kpis, *, city, consortia, consortium) -> Grid:
    consortium_kpis = [kpi for kpi in kpis if kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM]
    leads: dict[int, set[int]] = {}
    if consortium_kpis:
        for solution_id, city_id in Solution.lead_cities.through.objects.filter(
            solution_id__in={kpi.solution_id for kpi in consortium_kpis}
        ).values_list("solution_id", "city_id"):
            leads.setdefault(solution_id, set()).add(city_id)
    for kpi in kpis:
        kpi.solution.lead_city_ids = leads.get(kpi.solution_id, set())

    def may_enter(kpi: KPI) -> bool:
        if kpi.reporting_level == KPI.ReportingLevel.CITY:
            return access.can_edit_city(user, city)
        return access.can_report_for_consortium(
            user, kpi.solution.consortium, kpi.solution.lead_city_ids
        )

    def may_see(kpi: KPI) -> bool:
        if kpi.reporting_level == KPI.ReportingLevel.CITY:
            return True
        # The consortium's own figures: for those who enter or review them.
        return may_enter(kpi) or access.can_review_stage(user, kpi.solution.consortium)

    kpis = [kpi for kpi in kpis if may_see(kpi)]
    # The baseline too, in the same query: a target relative to it is counted from it.
    stages = list(dict.fromkeys([stage, previous_stage(stage) or stage, "baseline"]))
    city_kpi_ids = [kpi.pk for kpi in kpis if kpi.reporting_level == KPI.ReportingLevel.CITY]
    own_kpi_ids = [kpi.pk for kpi in kpis if kpi.reporting_level != KPI.ReportingLevel.CITY]
    figures = {}
    if kpis:
        for measurement in (
            Measurement.objects.filter(stage__in=stages)
            .filter(
                Q(kpi_id__in=city_kpi_ids, city=city) | Q(kpi_id__in=own_kpi_ids, city__isnull=True)
            )
            .select_related("entered_by")
        ):
            figures[(measurement.kpi_id, measurement.stage)] = measurement
    reviews = {}
    if kpis:
        for review in (
            StageReview.objects.filter(consortium_id__in=list(consortia), stage=stage)
            .filter(Q(city=city) | Q(city__isnull=True))
            .select_related("changed_by")
        ):
            reviews[(review.consortium_id, review.city_id)] = review

    panels: dict[tuple[int, int | None], UnitPanel] = {}
    sections = []
    for (consortium_id, _solution_id, level), group in groupby(
        kpis, key=lambda kpi: (kpi.solution.consortium_id, kpi.solution_id, kpi.reporting_level)
    ):
        group = list(group)
        rows = []
        for kpi in group:
            unit = (consortium_id, city.pk if level == KPI.ReportingLevel.CITY else None)
            panel = panels.get(unit)
            if panel is None:
                unit_consortium = consortia[consortium_id]
                panel = panels[unit] = UnitPanel(
                    consortium=unit_consortium,
                    city=city if unit[1] is not None else None,
                    review=reviews.get(unit),
                    may_review=access.can_review_stage(user, unit_consortium),
                )
            measurement = figures.get((kpi.pk, stage))
            row = GridRow(
                kpi=kpi,
                unit=unit,
                measurement=measurement,
                previous=figures.get((kpi.pk, previous_stage(stage))),
                may_enter=may_enter(kpi),
            )
            row.lock = _lock(panel, measurement)
            row.own_target = own_target_words(kpi, figures.get((kpi.pk, "baseline")))
            panel.may_submit = panel.may_submit or row.may_enter
            panel.rows.append(row)
            rows.append(row)
        sections.append(
            GridSection(
                consortium=consortia[consortium_id],
                solution=group[0].solution,
                is_consortium_level=level == KPI.ReportingLevel.CONSORTIUM,
                rows=rows,
            )
        )
    ordered = sorted(panels.values(), key=lambda panel: panel.city is None)
    words = StageWords(common_programme(consortia.values()))
    return Grid(stage, city, consortium, sections=sections, panels=ordered, words=words)


def own_target_words(kpi: KPI, baseline: Measurement | None) -> str:
    """A unit's own target when the KPI's target is a change from each unit's baseline and
    the unit reporting it has a target of its own (a city's per-city target, the
    consortium's own figure); empty otherwise."""
    if not (kpi.target_basis == KPI.TargetBasis.CHANGE and kpi.is_numeric):
        return ""
    if kpi.target_value is None or (
        kpi.reporting_level == KPI.ReportingLevel.CITY and kpi.target_scope != KPI.TargetScope.CITY
    ):
        return ""
    if baseline is None or baseline.status != "reported" or baseline.value is None:
        return str(_("No baseline figure yet: the target is counted from it."))
    target = changed_target(baseline.value, kpi.target_value)
    return change_from_baseline(kpi.target_value, baseline.value, target)


def _lock(panel: UnitPanel, measurement: Measurement | None) -> str:
    if panel.state == State.APPROVED:
        return "stage_approved"
    if panel.state == State.SUBMITTED:
        return "under_review"
    if measurement is not None and measurement.review_state == ReviewState.APPROVED:
        return "approved"
    return ""
