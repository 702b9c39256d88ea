"""The progress resource: the consortium overview's judged cells, one row per cell.

Nothing is judged here. The figures are read by ``readers.matrix_inputs`` and judged
and rolled up by ``build.build_matrix`` (which applies :mod:`kpis.progress`), the
very calls the overview page makes, so the API and the dashboards cannot disagree; a
test compares them cell by cell. This module only flattens the matrix into rows:

* one row per KPI and unit that has a cell: each implementing city, a country's cities
  together where the target is per country, the consortium where it is judged;
  a city that does not implement a solution has no row, not an empty one;
* ``ratio`` is the true ratio (value / target, or from the baseline), never capped;
* ``boolean`` is the yes/no answer a yes/no cell was judged on (the progress rules
  make "yes" the target when higher is better, "no" when lower is better).

The matrix is built in English, so notes read the same whatever the Accept-Language.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.settings import api_settings

from cities.access import visible_consortia
from icc_portal.api import (
    CSV_MEDIA_TYPE,
    READ_ERRORS,
    CSVRenderer,
    error_responses,
    plain_decimal,
    streaming_csv,
)
from icc_portal.api_filters import INTEGER_RANGE, QueryTextField, SingleValuedQuery
from kpis.dashboards import build
from kpis.dashboards.readers import matrix_inputs
from kpis.progress import Direction, ProgressStatus
from kpis.vocabulary import STAGE_VIEWS, STAGES

LEVELS = ("city", "country", "consortium")
PROGRESS_COLUMNS = [
    "consortium",
    "stage",
    "from_stage",
    "solution",
    "kpi",
    "kpi_code",
    "kpi_name",
    "unit",
    "level",
    "city",
    "country",
    "status",
    "value",
    "boolean",
    "target",
    "ratio",
    "review_state",
    "note",
]
_YES_NO_JUDGED = {ProgressStatus.ACHIEVED, ProgressStatus.ON_TRACK, ProgressStatus.BEHIND}


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a cell sits: its KPI row, its column, and the solution number above it."""

    row: Any
    column: Any
    index: int
    solution: int


@dataclass(slots=True)
class ProgressTable:
    """One consortium's judged cells at one stage, flattened lazily."""

    consortium: str
    stage: str
    refs: list[CellRef]
    kpis: dict[int, Any]

    def filter(
        self,
        *,
        solution: int | None = None,
        kpi: str | None = None,
        level: str | None = None,
        city: str | None = None,
        country: str | None = None,
        status: str | None = None,
    ) -> list[CellRef]:
        refs = self.refs
        if solution is not None:
            refs = [ref for ref in refs if ref.solution == solution]
        if kpi:
            refs = [ref for ref in refs if ref.row.code == kpi]
        if level:
            refs = [ref for ref in refs if ref.column.kind == level]
        if city:
            refs = [ref for ref in refs if ref.column.kind == "city" and ref.column.slug == city]
        if country:
            wanted = country.upper()
            refs = [
                ref
                for ref in refs
                if ref.column.country == wanted and ref.column.kind != "consortium"
            ]
        if status:
            refs = [ref for ref in refs if ref.row.cells[ref.index].status == status]
        return refs

    def row(self, ref: CellRef) -> dict:
        """One cell as a plain row, in ``PROGRESS_COLUMNS`` order."""
        cell = ref.row.cells[ref.index]
        column = ref.column
        kpi = self.kpis[ref.row.kpi_id]
        has_figure = cell.status != ProgressStatus.NO_DATA
        return {
            "consortium": self.consortium,
            "stage": self.stage,
            "from_stage": cell.stage or None,
            "solution": ref.solution,
            "kpi": ref.row.kpi_id,
            "kpi_code": ref.row.code,
            "kpi_name": ref.row.name,
            "unit": ref.row.unit,
            "level": column.kind,
            "city": column.slug if column.kind == "city" else None,
            "country": column.country or None,
            "status": str(cell.status),
            "value": plain_decimal(cell.value),
            "boolean": yes_no_answer(kpi, cell.status, cell.value),
            "target": plain_decimal(cell.target_value),
            "ratio": plain_decimal(cell.ratio),
            "review_state": (cell.review or "approved") if has_figure else None,
            "note": cell.note,
        }

    def rows(self, refs: Sequence[CellRef]) -> Iterator[dict]:
        return (self.row(ref) for ref in refs)


def yes_no_answer(kpi, status: str, value) -> bool | None:
    """The answer a yes/no cell was judged on, from its judgement (see module docstring)."""
    if kpi.value_type != "boolean" or kpi.rollup == "count_met" or status not in _YES_NO_JUDGED:
        return None
    achieved = status == ProgressStatus.ACHIEVED
    return achieved if kpi.direction == Direction.HIGHER else not achieved


def progress_table(user, consortium, *, stage: str | None) -> ProgressTable:
    """The overview's matrix for ``user`` (only the figures they may see), flattened.

    ``stage``: baseline, midway, final or latest; ``None`` is the overview's default,
    the latest stage with figures. Runs ``matrix_inputs``' fixed number of queries.
    """
    inputs = matrix_inputs(user, consortium, requested_stage=stage)
    with translation.override("en"):
        # The overview's own links, so the API and the page share one memoized matrix.
        matrix = build.consortium_matrix(inputs)
    return ProgressTable(
        consortium=consortium.slug,
        stage=matrix.stage,
        refs=cell_refs(matrix),
        kpis={kpi.pk: kpi for kpi in inputs.kpis},
    )


#: The cell references of the last few matrices. ``build_matrix`` hands back the same
#: matrix object while its inputs are unchanged, and a matrix is never changed once
#: built, so its references can be kept with it (the entry holds the matrix, so its
#: id cannot be reused while the entry lives).
_REFS: OrderedDict[int, tuple[Any, list[CellRef]]] = OrderedDict()
_REFS_KEPT = 8


def cell_refs(matrix) -> list[CellRef]:
    """Where each cell of the matrix sits, in matrix order (no-cell slots left out)."""
    kept = _REFS.get(id(matrix))
    if kept is not None and kept[0] is matrix:
        _REFS.move_to_end(id(matrix))
        return kept[1]
    refs: list[CellRef] = []
    solution = 0
    columns = matrix.columns
    for row in matrix.rows:
        if row.kind == "solution":
            solution = int(row.code)
            continue
        if row.kind != "kpi":
            continue
        refs.extend(
            CellRef(row, columns[index], index, solution)
            for index, cell in enumerate(row.cells)
            if cell.status != "none"
        )
    _REFS[id(matrix)] = (matrix, refs)
    while len(_REFS) > _REFS_KEPT:
        _REFS.popitem(last=False)
    return refs


class ProgressRowSerializer(serializers.Serializer):
    """One judged cell of the overview (documentation of the rows; they are built as dicts)."""

    consortium = serializers.CharField()
    stage = serializers.ChoiceField(
        choices=STAGE_VIEWS, help_text="The stage asked for (or the overview's default)."
    )
    from_stage = serializers.ChoiceField(
        choices=STAGES,
        allow_null=True,
        help_text="In the latest view: the stage the figure comes from, when not the final one.",
    )
    solution = serializers.IntegerField(help_text="Solution number within the consortium")
    kpi = serializers.IntegerField(help_text="KPI id")
    kpi_code = serializers.CharField()
    kpi_name = serializers.CharField()
    unit = serializers.CharField()
    level = serializers.ChoiceField(
        choices=LEVELS, help_text="A city, a country's cities together, or the consortium."
    )
    city = serializers.CharField(allow_null=True, help_text="City slug, for a city's cell")
    country = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=[status.value for status in ProgressStatus])
    value = serializers.CharField(
        allow_null=True, help_text="The figure (or roll-up) judged, a plain decimal string."
    )
    boolean = serializers.BooleanField(
        allow_null=True, help_text="The answer of a yes/no KPI's cell."
    )
    target = serializers.CharField(
        allow_null=True, help_text="The target this unit answers to, a plain decimal string."
    )
    ratio = serializers.CharField(
        allow_null=True,
        help_text="Progress towards the target (1 = met), never capped; a decimal string.",
    )
    review_state = serializers.ChoiceField(
        choices=["approved", "draft", "submitted", "mixed"],
        allow_null=True,
        help_text="mixed: a roll-up that includes unapproved figures (shown to those who "
        "may see them).",
    )
    note = serializers.CharField(help_text='What a roll-up rests on, e.g. "2 of 3 reported".')


# --------------------------------------------------------------------------- the view


class ProgressQuerySerializer(serializers.Serializer):
    """The query parameters of ``/api/v1/progress/``; an empty value means "not given"."""

    consortium = QueryTextField(help_text="Consortium slug (required).")
    stage = serializers.ChoiceField(
        choices=STAGE_VIEWS,
        required=False,
        help_text="baseline, midway, final, or latest (each unit's latest figure); "
        "default: the latest stage with figures, as on the overview.",
    )
    solution = serializers.IntegerField(
        required=False,
        min_value=INTEGER_RANGE[0],
        max_value=INTEGER_RANGE[1],
        help_text="Solution number within the consortium",
    )
    kpi = QueryTextField(required=False, help_text='KPI code, e.g. "2.2"')
    level = serializers.ChoiceField(choices=LEVELS, required=False)
    city = QueryTextField(required=False, help_text="City slug (that city's cells)")
    country = QueryTextField(
        required=False, help_text="ISO 3166-1 alpha-2 (its cities' and its total's cells)"
    )
    status = serializers.ChoiceField(
        choices=[status.value for status in ProgressStatus], required=False
    )


@extend_schema_view(
    list=extend_schema(
        summary="Progress against targets",
        description="The consortium overview's judged cells, one row per KPI and unit "
        "(city, country total, consortium), computed by the same progress rules as the "
        "dashboards, from the figures you may see. JSON pages, or with `?format=csv` / "
        "`Accept: text/csv` every row as one streamed CSV file.",
        parameters=[ProgressQuerySerializer],
        responses={
            (200, "application/json"): ProgressRowSerializer(many=True),
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR, description="Every matching row as CSV, unpaginated."
            ),
            **error_responses(*READ_ERRORS),
        },
    )
)
class ProgressViewSet(viewsets.GenericViewSet):
    """Read-only and computed: progress of a consortium's cities against their targets."""

    serializer_class = ProgressRowSerializer
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    filter_backends: list = []
    query_parameters = tuple(ProgressQuerySerializer().fields)
    csv_filename = "progress.csv"

    def list(self, request, *args, **kwargs):
        SingleValuedQuery().check(request, self)
        given = {name: value for name, value in request.query_params.items() if value != ""}
        query = ProgressQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        options = dict(query.validated_data)
        consortium = visible_consortia(request.user).filter(slug=options.pop("consortium")).first()
        if consortium is None:
            table, refs = None, []
        else:
            table = progress_table(request.user, consortium, stage=options.pop("stage", None))
            refs = table.filter(**options)
        if request.accepted_renderer.format == "csv":
            self.paginator.check_query(request)
            rows = table.rows(refs) if table is not None else iter(())
            return streaming_csv(PROGRESS_COLUMNS, rows, filename=self.csv_filename)
        page = self.paginate_queryset(refs)
        return self.get_paginated_response(list(table.rows(page)) if table is not None else [])
