"""A programme's consortia side by side: their cities, how complete each stage is, where
each stands, and the KPIs they share through a framework reference code.

Read in a fixed number of queries however many consortia the programme holds
(``readers.programme_inputs``), then assembled without the ORM (:func:`programme_report`):
each consortium's matrix is the overview's (``build.build_matrix``, the progress rules of
:mod:`kpis.progress`), so the programme page, the overview and the progress API cannot
disagree. Only the figures the reader may see are read: an anonymous reader's counts
hold approved figures only.

* **How complete a stage is**: the units each leaf KPI expects (its solution's
  implementing cities, or the consortium for a KPI reported once), how many of them
  have a figure (reported, not available or not applicable: what the review calls not
  missing) and how many of those are approved.
* **Where a consortium stands**: its matrix at the overview's default stage (the latest
  with figures), every unit's cell counted by status (a city's, and the consortium's for
  a KPI it reports once; the country and consortium totals are not counted again).
* **Compared across consortia**: one table per framework reference code (CITYkeys,
  ISO 37120, U4SSC…) held by KPIs of at least two consortia; a row per KPI with its
  consortium's cell at each stage (:mod:`kpis.dashboards.frameworks`). A code only one
  consortium uses stays with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString

from kpis import vocabulary
from kpis.models import KPI
from kpis.progress import ReportingLevel
from kpis.vocabulary import STAGES, stage_heading
from solutions.models import Solution

from . import build
from .figures import STATUS_LABELS, Formatter
from .frameworks import (
    Reference,
    SharedIndicator,
    consortium_cells,
    reference_of,
    shared_codes,
    shared_indicator,
)
from .judging import CITY, KPI_ID, REVIEW, STAGE, STATUS, VALUE
from .matrix import SUMMARY_STATUSES, Matrix
from .readers import MatrixInputs, Member, ProgrammeInputs, reads_baseline

#: Statuses that make a stage one "with figures", as ``stages_with_figures`` counts them:
#: the overview's default stage is the latest such.
JUDGED = ("reported", "not_available")


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class StageCount:
    """How complete one stage of a consortium is: figures given and approved, of expected."""

    stage: str
    label: str
    expected: int
    reported: int
    approved: int

    @property
    def percent(self) -> int:
        return round(100 * self.reported / self.expected) if self.expected else 0


@dataclass(slots=True)
class Standing:
    """One consortium of the programme: cities, stages, status counts at its stage shown."""

    consortium: Any
    url: str
    cities: list[tuple[Member, str]]
    solution_count: int
    kpi_count: int
    stages: list[StageCount]
    stage: str  # the stage the status counts judge; "" when nothing is reported yet
    summary: list[tuple[str, str, int]]  # (status, label, count), every summary status
    has_unapproved: bool
    own_references: list[Reference] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return stage_heading(self.stage) if self.stage else ""

    @property
    def judged(self) -> int:
        return sum(count for _status, _label, count in self.summary)

    @property
    def summary_html(self) -> str:
        """The counts in words as well as colour, as the overview's summary line says them."""
        return SafeString(
            "".join(
                f'<span class="count count-{status}"><span class="count-word">'
                f"{escape(label)}</span>: {count}</span>"
                for status, label, count in self.summary
                if count
            )
        )


@dataclass(slots=True)
class ProgrammeReport:
    """The programme's page and API answer: each consortium's standing, the shared codes."""

    standings: list[Standing]
    shared: list[SharedIndicator]
    stage_labels: list[str] = field(default_factory=list)

    @property
    def city_count(self) -> int:
        return len({member.pk for item in self.standings for member, _url in item.cities})

    @property
    def table_shape(self) -> tuple[int, int]:
        """Rows and columns of the page's tables, as one table (the bench's bare anchor):
        two rows per consortium, one per KPI of a shared code; five columns."""
        return 2 * len(self.standings) + sum(len(item.rows) for item in self.shared), 5


def programme_report(
    consortia: Sequence, inputs: ProgrammeInputs, *, compare: bool = True
) -> ProgrammeReport:
    """Each consortium's standing and (unless not ``compare``) the tables of shared codes,
    in the active language."""
    formatter = Formatter()
    city_url = build.link_maker("city-detail")
    kpi_url = build.link_maker("kpi-detail", numeric=True)
    overview = reverse("home")
    consortium_of = {
        solution.pk: consortium_id
        for consortium_id, items in inputs.solutions.items()
        for solution in items
    }
    kpis_of: dict[int, list[KPI]] = defaultdict(list)
    for kpi in inputs.kpis:
        kpis_of[consortium_of[kpi.solution_id]].append(kpi)
    rows_of: dict[int, list[tuple]] = defaultdict(list)
    kpi_consortium = {kpi.pk: consortium_of[kpi.solution_id] for kpi in inputs.kpis}
    for row in inputs.rows:
        rows_of[kpi_consortium[row[KPI_ID]]].append(row)
    shown = {consortium.pk for consortium in consortia}
    references = [ref for ref in inputs.references if kpi_consortium[ref[0]] in shown]
    by_code, own_codes = shared_codes(references, kpi_consortium)
    kpi_by_id = {kpi.pk: kpi for kpi in inputs.kpis}
    standings = []
    frames = {}
    for consortium in consortia:
        frame = ConsortiumFigures(
            cities=inputs.members.get(consortium.pk, []),
            solutions=inputs.solutions.get(consortium.pk, []),
            kpis=kpis_of.get(consortium.pk, []),
            implementing=inputs.implementing,
            rows=rows_of.get(consortium.pk, []),
        )
        frames[consortium.pk] = frame
        standing = _standing(consortium, frame, formatter, city_url)
        standing.url = f"{overview}?consortium={consortium.slug}"
        standing.own_references = [
            reference_of(reference, kpi_by_id[reference[0]], kpi_url)
            for reference in own_codes
            if kpi_consortium[reference[0]] == consortium.pk
        ]
        standings.append(standing)
    if not compare:
        by_code = {}
    shared_ids = {reference[0] for items in by_code.values() for reference in items}
    cells = {
        consortium.pk: consortium_cells(frames[consortium.pk], shared_ids, formatter)
        for consortium in consortia
    }
    shared = [
        shared_indicator(key, items, consortia, frames, cells, formatter, kpi_url)
        for key, items in by_code.items()
    ]
    return ProgrammeReport(
        standings=standings, shared=shared, stage_labels=[stage_heading(s) for s in STAGES]
    )


@dataclass(slots=True)
class ConsortiumFigures:
    """One consortium's part of the inputs: what its matrices are built from at any stage."""

    cities: list[Member]
    solutions: list[Solution]
    kpis: list[KPI]
    implementing: dict[int, set[int]]
    rows: list[tuple]

    def inputs(self, stage: str, kpis: Sequence[KPI], default: str, present: bool) -> MatrixInputs:
        """The overview's matrix inputs at ``stage``, as ``readers.matrix_inputs`` reads them."""
        baselines: list[tuple] = []
        if vocabulary.needs_baselines(stage):
            reading = {kpi.pk for kpi in kpis if reads_baseline(kpi)}
            baselines = [
                (row[CITY], row[KPI_ID], row[VALUE])
                for row in self.rows
                if row[STAGE] == "baseline"
                and row[STATUS] == "reported"
                and row[VALUE] is not None
                and row[KPI_ID] in reading
            ]
        shown = vocabulary.stages_to_read(stage)
        return MatrixInputs(
            cities=self.cities,
            solutions=self.solutions,
            kpis=list(kpis),
            implementing={
                solution.pk: self.implementing[solution.pk] for solution in self.solutions
            },
            stage=stage,
            default_stage=default,
            has_figures=present,
            rows=[row for row in self.rows if row[STAGE] in shown],
            baselines=baselines,
        )

    def present_stages(self) -> set[str]:
        return {row[STAGE] for row in self.rows if row[STATUS] in JUDGED}


def _standing(consortium, frame: ConsortiumFigures, formatter, city_url) -> Standing:
    present = frame.present_stages()
    default = vocabulary.default_stage(present)
    inputs = frame.inputs(default, frame.kpis, default, bool(present))
    matrix = build.inputs_matrix(inputs, formatter=formatter)
    return Standing(
        consortium=consortium,
        url="",
        cities=[(member, city_url(member.slug)) for member in frame.cities],
        solution_count=len(frame.solutions),
        kpi_count=len(_leaf_kpis(frame.kpis)),
        stages=_completeness(frame),
        stage=default if present else "",
        summary=_unit_counts(matrix, frame.kpis),
        has_unapproved=matrix.has_unapproved,
    )


def _leaf_kpis(kpis: Sequence[KPI]) -> list[KPI]:
    """The KPIs figures are entered for: a composite is reported through its parts."""
    composites = {kpi.parent_id for kpi in kpis if kpi.parent_id}
    return [kpi for kpi in kpis if kpi.pk not in composites]


def _completeness(frame: ConsortiumFigures) -> list[StageCount]:
    """Per stage: the units expected, those with a figure, those approved (module doc)."""
    slots = set()
    for kpi in _leaf_kpis(frame.kpis):
        if kpi.reporting_level == ReportingLevel.CONSORTIUM:
            slots.add((kpi.pk, None))
        else:
            slots.update((kpi.pk, city) for city in frame.implementing.get(kpi.solution_id, ()))
    given: Counter = Counter()
    approved: Counter = Counter()
    for row in frame.rows:
        if (row[KPI_ID], row[CITY]) in slots:
            given[row[STAGE]] += 1
            approved[row[STAGE]] += row[REVIEW] == "approved"
    return [
        StageCount(stage, stage_heading(stage), len(slots), given[stage], approved[stage])
        for stage in STAGES
    ]


def _unit_counts(matrix: Matrix, kpis: Sequence[KPI]) -> list[tuple[str, str, int]]:
    """Every unit's cell by status: cities' cells, and the consortium's for a KPI it reports
    once (the totals judge the same figures again, so they are not counted)."""
    reported_once = {kpi.pk for kpi in kpis if kpi.reporting_level == ReportingLevel.CONSORTIUM}
    counts: Counter = Counter()
    for row in matrix.kpi_rows:
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if column.kind == "city" or (
                column.kind == "consortium" and row.kpi_id in reported_once
            ):
                counts[cell.status] += 1
    counts.pop("none", None)
    return [
        (str(status), str(STATUS_LABELS[status]), counts[status]) for status in SUMMARY_STATUSES
    ]
