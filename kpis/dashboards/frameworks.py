"""KPIs compared across consortia through a framework reference code (CITYkeys, ISO 37120,
U4SSC…): one table per code held by KPIs of two consortia or more, a row per KPI with its
consortium's cell at each stage (the overview's consortium column, judged by the same
rules). A code only one consortium uses stays with that consortium.

No ORM here: :mod:`kpis.dashboards.programme` hands each consortium's figures over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kpis import vocabulary
from kpis.models import KPI, FrameworkReference
from kpis.vocabulary import STAGES

from . import build
from .figures import Cell


@dataclass(frozen=True, slots=True)
class Reference:
    """A framework reference of a KPI: which framework, which code, which KPI carries it."""

    framework: str
    framework_label: str
    code: str
    label: str
    kpi_code: str
    kpi_url: str


@dataclass(frozen=True, slots=True)
class SharedRow:
    """A KPI carrying a shared code: its consortium's cell at each stage."""

    consortium: Any
    kpi: KPI
    solution: int  # its number in the consortium
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


def shared_codes(references: Sequence[tuple], kpi_consortium: dict[int, int]):
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


def reference_of(reference: tuple, kpi: KPI, kpi_url: Callable) -> Reference:
    _kpi_id, framework, code, label = reference
    return Reference(framework, _framework_label(framework), code, label, kpi.code, kpi_url(kpi.pk))


def consortium_cells(frame: Any, kpi_ids: set[int], formatter) -> dict[int, list[Cell]]:
    """The consortium cell at each stage of its KPIs among ``kpi_ids`` (``frame``: its
    ``programme.ConsortiumFigures``): one matrix per stage
    of those KPIs alone (``None`` where a KPI has no consortium cell)."""
    kpis = [kpi for kpi in frame.kpis if kpi.pk in kpi_ids]
    if not kpis:
        return {}
    present = frame.present_stages()
    default = vocabulary.default_stage(present)
    cells: dict[int, list[Cell]] = {kpi.pk: [] for kpi in kpis}
    for stage in STAGES:
        inputs = frame.inputs(stage, kpis, default, bool(present))
        matrix = build.inputs_matrix(inputs, stage=stage, formatter=formatter)
        total = next(
            (index for index, column in enumerate(matrix.columns) if column.kind == "consortium"),
            None,
        )
        for row in matrix.kpi_rows:
            cells[row.kpi_id].append(_shown(row.cells[total] if total is not None else None))
    return cells


def shared_indicator(
    key, references, consortia, frames, cells, formatter, kpi_url
) -> SharedIndicator:
    """One shared code's table: each KPI's consortium cell at each stage, by consortium."""
    framework, code = key
    label = next((reference[3] for reference in references if reference[3]), "")
    kpi_ids = {reference[0] for reference in references}
    rows = []
    for consortium in consortia:
        frame = frames[consortium.pk]
        kpis = [kpi for kpi in frame.kpis if kpi.pk in kpi_ids]
        number = {solution.pk: solution.number for solution in frame.solutions}
        for kpi in build.ordered_kpis(kpis, frame.solutions):
            rows.append(
                SharedRow(
                    consortium,
                    kpi,
                    number[kpi.solution_id],
                    kpi_url(kpi.pk),
                    formatter.target_wording(kpi),
                    cells[consortium.pk][kpi.pk],
                )
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
