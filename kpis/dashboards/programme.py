"""A programme's consortia side by side: their cities, how complete each stage is, where
each stands, and the KPIs they share through a framework reference code.

Read in a fixed number of queries however many consortia the programme holds
(:func:`programme_inputs`), then assembled without the ORM (:func:`programme_report`):
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
  consortium's cell at each stage. A code only one consortium uses stays with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cities.models import Membership
from kpis import vocabulary
from kpis.managers import driver_rows
from kpis.models import KPI, FrameworkReference, Measurement
from kpis.progress import ReportingLevel
from kpis.vocabulary import STAGES, stage_heading
from solutions.models import Solution

from . import build
from .figures import STATUS_LABELS, Cell, Formatter
from .judging import CITY, KPI_ID, REVIEW, STAGE, STATUS, VALUE
from .matrix import SUMMARY_STATUSES, Matrix
from .readers import KPI_FIELDS, MatrixInputs, Member, reads_baseline

#: Statuses that say a unit gave its figure (a stored "not yet reported" is none).
JUDGED = ("reported", "not_available")


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


@dataclass(frozen=True, slots=True)
class Reference:
    """A framework reference of a KPI: which framework, which code, which KPI carries it."""

    framework: str
    framework_label: str
    code: str
    label: str
    kpi_code: str
    kpi_url: str


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


@dataclass(frozen=True, slots=True)
class SharedRow:
    """A KPI carrying a shared code: its consortium's cell at each stage."""

    consortium: Any
    kpi: KPI
    url: str
    target: str
    cells: list[Cell]


@dataclass(frozen=True, slots=True)
class SharedIndicator:
    """One framework reference code held by KPIs of two consortia or more."""

    framework: str
    framework_label: str
    code: str
    label: str
    rows: list[SharedRow]

    @property
    def anchor(self) -> str:
        return "ref-" + "".join(
            ch if ch.isalnum() else "-" for ch in f"{self.framework}-{self.code}"
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
    def cell_count(self) -> int:
        """Cells the page prints (its tables' size, for the bench's bare table)."""
        return sum(len(row.cells) for item in self.shared for row in item.rows) + sum(
            len(item.stages) + len(item.summary) for item in self.standings
        )


def programme_report(consortia: Sequence, inputs: ProgrammeInputs) -> ProgrammeReport:
    """Each consortium's standing and the tables of shared codes, in the active language."""
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
    shared_codes, own_codes = _shared_codes(references, kpi_consortium)
    kpi_by_id = {kpi.pk: kpi for kpi in inputs.kpis}
    standings = []
    frames = {}
    for consortium in consortia:
        frame = _Frame(
            cities=inputs.members.get(consortium.pk, []),
            solutions=inputs.solutions.get(consortium.pk, []),
            kpis=kpis_of.get(consortium.pk, []),
            implementing=inputs.implementing,
            rows=rows_of.get(consortium.pk, []),
        )
        frames[consortium.pk] = frame
        standing = _standing(consortium, frame, formatter, city_url, kpi_url)
        standing.url = f"{overview}?consortium={consortium.slug}"
        standing.own_references = [
            _reference(reference, kpi_by_id[reference[0]], kpi_url)
            for reference in own_codes
            if kpi_consortium[reference[0]] == consortium.pk
        ]
        standings.append(standing)
    shared = [
        _shared_indicator(key, references, consortia, frames, kpi_by_id, formatter, kpi_url)
        for key, references in shared_codes.items()
    ]
    return ProgrammeReport(
        standings=standings, shared=shared, stage_labels=[stage_heading(s) for s in STAGES]
    )


@dataclass(slots=True)
class _Frame:
    """One consortium's part of the inputs."""

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


def _standing(consortium, frame: _Frame, formatter, city_url, kpi_url) -> Standing:
    present = frame.present_stages()
    default = vocabulary.default_stage(present)
    inputs = frame.inputs(default, frame.kpis, default, bool(present))
    matrix = build.build_matrix(
        cities=inputs.cities,
        solutions=inputs.solutions,
        kpis=inputs.kpis,
        implementing=inputs.implementing,
        rows=inputs.rows,
        baselines=inputs.baselines,
        stage=inputs.stage,
        formatter=formatter,
    )
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


def _completeness(frame: _Frame) -> list[StageCount]:
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


def _shared_codes(references: Sequence[tuple], kpi_consortium: dict[int, int]):
    """The references grouped by (framework, code): those held in two consortia or more,
    and the others (each stays with its consortium)."""
    grouped: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for reference in references:
        grouped[(reference[1], reference[2])].append(reference)
    shared, own = {}, []
    for key, items in grouped.items():
        if len({kpi_consortium[item[0]] for item in items}) > 1:
            shared[key] = items
        else:
            own.extend(items)
    return shared, own


def _framework_label(framework: str) -> str:
    try:
        return str(FrameworkReference.Framework(framework).label)
    except ValueError:
        return framework


def _reference(reference: tuple, kpi: KPI, kpi_url: Callable) -> Reference:
    _kpi_id, framework, code, label = reference
    return Reference(framework, _framework_label(framework), code, label, kpi.code, kpi_url(kpi.pk))


def _shared_indicator(
    key, references, consortia, frames, kpi_by_id, formatter, kpi_url
) -> SharedIndicator:
    """One shared code's table: each KPI's consortium cell at each stage, by consortium."""
    framework, code = key
    label = next((reference[3] for reference in references if reference[3]), "")
    kpi_ids = {reference[0] for reference in references}
    rows = []
    for consortium in consortia:
        frame = frames[consortium.pk]
        kpis = [kpi for kpi in frame.kpis if kpi.pk in kpi_ids]
        if not kpis:
            continue
        present = frame.present_stages()
        default = vocabulary.default_stage(present)
        by_stage = {}
        for stage in STAGES:
            inputs = frame.inputs(stage, kpis, default, bool(present))
            matrix = build.build_matrix(
                cities=inputs.cities,
                solutions=inputs.solutions,
                kpis=inputs.kpis,
                implementing=inputs.implementing,
                rows=inputs.rows,
                baselines=inputs.baselines,
                stage=stage,
                formatter=formatter,
            )
            total = next(
                (
                    index
                    for index, column in enumerate(matrix.columns)
                    if column.kind == "consortium"
                ),
                None,
            )
            by_stage[stage] = {
                row.kpi_id: row.cells[total] if total is not None else None
                for row in matrix.kpi_rows
            }
        for kpi in build.ordered_kpis(kpis, frame.solutions):
            cells = [_shown(by_stage[stage].get(kpi.pk)) for stage in STAGES]
            rows.append(
                SharedRow(consortium, kpi, kpi_url(kpi.pk), formatter.target_wording(kpi), cells)
            )
    return SharedIndicator(framework, _framework_label(framework), code, label, rows)


def _shown(cell: Cell | None) -> Cell:
    """A consortium cell, or one saying the KPI is not rolled up for the consortium."""
    if cell is not None and cell.status != "none":
        return cell
    words = escape(_("Not rolled up: see the KPI's page"))
    return Cell(
        status="none",
        label="",
        html=SafeString(f'<td class="none"><span class="muted">{words}</span></td>'),
    )
