"""CSV files: the overview matrix in long form, and the entry template's CSV twin.

Every CSV goes through :func:`icc_portal.api.csv_lines` / ``streaming_csv``, which write
numbers as plain numbers and neutralise text a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from kpis.dashboards.matrix import Column, Matrix

from .xlsx import matrix_value, status_words

#: The matrix CSV's columns: one line per KPI and column of the page that has a cell.
MATRIX_COLUMNS = (
    "solution",
    "kpi_code",
    "kpi",
    "unit",
    "target",
    "column",
    "column_kind",
    "country",
    "stage",
    "value",
    "status",
    "status_words",
    "review_state",
)


def matrix_rows(
    matrix: Matrix, kpis: Sequence, columns: Callable[[Column], bool] | None = None
) -> Iterator[dict]:
    """The matrix as the page shows it, one cell a line, status as a code and in words;
    only the columns for which ``columns`` is true, when it is given."""
    value_types = {kpi.pk: kpi.value_type for kpi in kpis}
    solution = ""
    for row in matrix.rows:
        if row.kind == "solution":
            solution = row.code
            continue
        if row.kind != "kpi":
            continue
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if cell.status == "none" or (columns is not None and not columns(column)):
                continue
            yield {
                "solution": solution,
                "kpi_code": row.code,
                "kpi": row.name,
                "unit": row.unit,
                "target": row.target,
                "column": column.label,
                "column_kind": column.kind,
                "country": column.country,
                "stage": cell.stage or matrix.stage,
                "value": matrix_value(cell, value_types.get(row.kpi_id, "")),
                "status": cell.status,
                "status_words": status_words(cell),
                "review_state": cell.review or "approved",
            }
