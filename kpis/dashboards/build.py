"""The consortium matrix of a page, built from the rows the readers bring.

No ORM here. The views read with :mod:`kpis.dashboards.readers` (a fixed number of queries);
:mod:`kpis.dashboards.judging` judges every figure with :mod:`kpis.progress` (the one set of
rules the API and the exports share); :mod:`kpis.dashboards.matrix` holds the result as plain
rows and cells that the templates only print, so no query runs while one renders.

Speed: an overview can hold 200 cities × 100 KPIs. Measurement rows arrive as plain
tuples; equal cells are judged once per build (``judging.JudgedCells``); each row's cells
are joined into one piece of HTML. Nothing here outlives the request: the pages keep
their rendered matrix, and the progress API its built one, under the consortium's data
version (:mod:`kpis.dashboards.versioned`), so a request whose version is unchanged
builds nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from icc_portal.codes import natural_key
from kpis.progress import ReportingLevel

from .figures import STATUS_LABELS, Formatter
from .judging import Figures, JudgedCells, Layout, kpi_cells
from .matrix import SUMMARY_STATUSES, Column, Matrix, MatrixPart, Row, Summary, matrix_columns
from .readers import ConsortiumFrame, MatrixInputs


def link_maker(view_name: str, *, numeric: bool = False) -> Callable[[Any], str]:
    """Links to one view for many objects with a single ``reverse()`` (a matrix has hundreds)."""
    placeholder = "987654321" if numeric else "placeholder-slug"
    head, _found, tail = reverse(view_name, args=[placeholder]).rpartition(placeholder)
    return lambda value: f"{head}{value}{tail}"


def ordered_kpis(kpis: Iterable, solutions: Sequence) -> list:
    """KPIs by solution number, then code in natural order; parts follow their composite."""
    number_of = {solution.pk: solution.number for solution in solutions}
    return sorted(kpis, key=lambda kpi: (number_of.get(kpi.solution_id, 0), natural_key(kpi.code)))


def build_matrix(
    *,
    cities: Sequence,
    solutions: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    rows: Iterable[tuple],
    stage: str,
    baselines: Iterable[tuple] = (),
    formatter: Formatter | None = None,
    city_url: Callable[[str], str] | None = None,
    kpi_url: Callable[[int], str] | None = None,
) -> Matrix:
    """KPIs grouped by solution down, cities (and the totals they need) across.

    ``rows`` are ``managers.OVERVIEW_COLUMNS`` tuples of the stages
    :func:`kpis.vocabulary.stages_to_read` names; ``baselines`` are ``(city_id, kpi_id,
    value)`` of the reported baselines, where :func:`kpis.vocabulary.needs_baselines`. A
    city that does not implement a KPI's solution has no cell (``NO_CELL``), never a red one.
    """
    return _build_matrix(
        cities=cities,
        solutions=solutions,
        kpis=kpis,
        implementing=implementing,
        rows=list(rows),
        stage=stage,
        baselines=list(baselines),
        formatter=formatter or Formatter(),
        city_url=city_url,
        kpi_url=kpi_url,
    )


def inputs_matrix(inputs: MatrixInputs, *, stage: str | None = None, **options) -> Matrix:
    """:func:`build_matrix` of what a reader read (``inputs``), at its stage unless another
    is given; ``options``: the formatter and the links."""
    return build_matrix(
        cities=inputs.cities,
        solutions=inputs.solutions,
        kpis=inputs.kpis,
        implementing=inputs.implementing,
        rows=inputs.rows,
        baselines=inputs.baselines,
        stage=inputs.stage if stage is None else stage,
        **options,
    )


def consortium_matrix(inputs: MatrixInputs) -> Matrix:
    """The matrix of what :func:`~kpis.dashboards.readers.matrix_inputs` read, linked to the
    city and KPI pages: the overview's, a solution page's and the progress API's."""
    return inputs_matrix(
        inputs,
        city_url=link_maker("city-detail"),
        kpi_url=link_maker("kpi-detail", numeric=True),
    )


def _build_matrix(
    *,
    cities: Sequence,
    solutions: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    rows: Sequence[tuple],
    stage: str,
    baselines: Sequence[tuple],
    formatter: Formatter,
    city_url: Callable[[str], str] | None,
    kpi_url: Callable[[int], str] | None,
    columns: list[Column] | None = None,
) -> Matrix:
    figures = Figures(rows, baselines, stage)
    judged = JudgedCells()
    ordered = ordered_kpis(kpis, solutions)
    composite_ids = {kpi.parent_id for kpi in ordered if kpi.parent_id}
    if columns is None:
        columns = consortium_columns(cities, solutions, kpis, implementing, city_url)
    layouts = {
        solution.pk: Layout(columns, implementing.get(solution.pk, set())) for solution in solutions
    }
    solution_by_id = {solution.pk: solution for solution in solutions}
    language = get_language()
    reported_once = _("Reported once for the whole consortium")
    matrix_rows: list[Row] = []
    current_solution = None
    for kpi in ordered:
        if kpi.solution_id != current_solution:
            current_solution = kpi.solution_id
            solution = solution_by_id[kpi.solution_id]
            matrix_rows.append(Row("solution", str(solution.number), solution.title))
        url = kpi_url(kpi.pk) if kpi_url else ""
        if kpi.pk in composite_ids:
            matrix_rows.append(Row("composite", kpi.code, kpi.name, kpi_id=kpi.pk, url=url))
            continue
        row = Row(
            "kpi",
            kpi.code,
            kpi.name,
            kpi_id=kpi.pk,
            url=url,
            unit=kpi.unit,
            target=formatter.target_wording(kpi),
            is_part=kpi.parent_id is not None,
        )
        row.cells = kpi_cells(
            kpi, columns, layouts[kpi.solution_id], figures, formatter, language, judged
        )
        if kpi.reporting_level == ReportingLevel.CONSORTIUM and columns[-1].kind == "consortium":
            row.reported_once = reported_once
        matrix_rows.append(row)
    kpi_rows = [row for row in matrix_rows if row.kind == "kpi"]
    return Matrix(
        stage=stage,
        columns=columns,
        rows=matrix_rows,
        summaries=_summaries(columns, kpi_rows),
        has_unapproved=any(cell.review for row in kpi_rows for cell in row.cells),
    )


def consortium_columns(
    cities: Sequence,
    solutions: Sequence,
    kpis: Sequence,
    implementing: Mapping[int, set[int]],
    city_url: Callable[[str], str] | None,
) -> list[Column]:
    """The matrix's columns for these KPIs (composites have no cells of their own)."""
    ordered = ordered_kpis(kpis, solutions)
    composite_ids = {kpi.parent_id for kpi in ordered if kpi.parent_id}
    return matrix_columns(
        cities, [kpi for kpi in ordered if kpi.pk not in composite_ids], implementing, city_url
    )


def solution_part(
    frame: ConsortiumFrame,
    solution,
    *,
    columns: list[Column],
    rows: Sequence[tuple],
    baselines: Sequence[tuple],
    stage: str,
) -> MatrixPart:
    """One solution's rows of the consortium matrix, under the consortium's ``columns``:
    what the overview keeps per solution (``rows`` and ``baselines`` may hold other
    solutions' figures too: only this solution's KPIs are looked up)."""
    matrix = _build_matrix(
        cities=frame.cities,
        solutions=[solution],
        kpis=[kpi for kpi in frame.kpis if kpi.solution_id == solution.pk],
        implementing=frame.implementing,
        rows=rows,
        stage=stage,
        baselines=baselines,
        formatter=Formatter(),
        city_url=link_maker("city-detail"),
        kpi_url=link_maker("kpi-detail", numeric=True),
        columns=columns,
    )
    return MatrixPart.of(matrix)


def _summaries(columns: Sequence[Column], rows: Sequence[Row]) -> list[Summary]:
    labels = {status: str(STATUS_LABELS[status]) for status in SUMMARY_STATUSES}
    by_column = zip(*[row.cells for row in rows], strict=True) if rows else [()] * len(columns)
    summaries = []
    for cells in by_column:
        counts = Counter(map(attrgetter("status"), cells))
        summaries.append(
            Summary(
                counts=[
                    (str(status), labels[status], counts[status]) for status in SUMMARY_STATUSES
                ],
                total=len(cells) - counts["none"],
            )
        )
    return summaries
