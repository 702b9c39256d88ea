"""The progress resource: the consortium overview's judged cells, one row per cell.

Nothing is judged here. The figures are read by ``readers.matrix_inputs`` and judged
and rolled up by ``build.build_matrix`` (which applies :mod:`kpis.progress`), the
very calls the overview page makes, so the API and the dashboards cannot disagree; a
test compares them cell by cell. This module only flattens the matrix into rows:

* one row per KPI and unit that has a cell: each implementing city, a country's cities
  together where the target is per country, the consortium where it is judged;
  a city that does not implement a solution has no row, not an empty one;
* ``ratio`` is the true ratio (value / target, or from the baseline), never capped;
* a KPI whose target is a change from each unit's baseline (``target_basis`` change)
  gives each row the unit's own ``target`` and the ``baseline`` it is counted from;
  a unit without a baseline figure is ``no_baseline``, never judged;
* every answer is carried: ``value`` (a number), ``boolean`` (a yes/no answer) and
  ``text`` (a text answer, whole), with ``value_kind`` saying which one the cell is
  judged on ("number", "yes_no", "text", or null for a cell without a figure): UPREST's
  3.5 reads ``"To be performed in 2023"``, the 3.2 survey its yes, 160 and its words;
* ``reported``/``expected`` say how many units a cell rests on; for a roll-up of a
  target per unit (per city, per country), ``units_at_target`` of ``units`` meet their
  own target, and the cell is achieved only when all do (:mod:`kpis.progress`).

The matrix is built in English, so notes read the same whatever the Accept-Language;
a KPI's name and unit are said in the request's language (English where the consortium
gave none), read from the KPI as each row is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.settings import api_settings

from changelog import kept as keeping
from cities.access import visibility_class, visible_consortia
from icc_portal.api.conditional import ConditionalReads
from icc_portal.api.csv import CSV_MEDIA_TYPE, CSVRenderer, streaming_csv
from icc_portal.api.errors import READ_ERRORS, error_responses
from icc_portal.api.fields import DecimalStringField, PlainIntegerField
from icc_portal.api.filters import (
    INTEGER_RANGE,
    SOMETHING_WRITTEN,
    QueryTextField,
    SingleValuedQuery,
    given_values,
)
from icc_portal.numbers import plain
from kpis.dashboards import build
from kpis.dashboards.readers import matrix_inputs
from kpis.models import Measurement
from kpis.progress import ProgressStatus, TargetBasis
from kpis.vocabulary import LATEST, STAGE_VIEWS, STAGES, stages_to_read

LEVELS = ("city", "country", "consortium")
VALUE_KINDS = ("number", "yes_no", "text")


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
    #: The whole text answer of each figure shown: (KPI id, city id or None, stage) -> text.
    texts: dict[tuple, str]

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
        text = ""
        own_figure = column.kind == "city" or kpi.reporting_level == "consortium"
        if own_figure and cell.reported:
            unit = column.key if column.kind == "city" else None
            stage = (cell.stage or "final") if self.stage == LATEST else self.stage
            text = self.texts.get((ref.row.kpi_id, unit, stage), "")
        row = ref.row
        return cell_row(
            cell,
            kpi={
                "kpi": row.kpi_id,
                "kpi_code": row.code,
                # The consortium's own words in the request's language (English where
                # none are given); the matrix, kept for every language, holds English.
                "kpi_name": kpi.name,
                "unit": kpi.unit,
                "target_basis": kpi.target_basis,
            },
            place={
                "consortium": self.consortium,
                "stage": self.stage,
                "from_stage": cell.stage or None,
                "solution": ref.solution,
                "level": column.kind,
                "city": column.slug if column.kind == "city" else None,
                "country": column.country or None,
            },
            text=text,
            value_type=kpi.value_type,
        )

    def rows(self, refs: Sequence[CellRef]) -> Iterator[dict]:
        return (self.row(ref) for ref in refs)


def cell_row(cell, *, kpi: dict, place: dict, text: str, value_type: str) -> dict:
    """One judged cell as a progress row (``ProgressRowSerializer``'s shape): the one place
    that writes it, for ``/progress/`` and the programmes' shared-code tables.

    ``kpi``: its ``kpi``, ``kpi_code``, ``kpi_name``, ``unit`` and ``target_basis``;
    ``place``: the row's ``consortium``, ``stage``, ``from_stage``, ``solution``, ``level``,
    ``city``, ``country``.
    """
    boolean = cell.boolean if value_type == "boolean" else None
    units_at_target, units = cell.at_target or (None, None)
    return {
        "consortium": place["consortium"],
        "stage": place["stage"],
        "from_stage": place["from_stage"],
        "solution": place["solution"],
        **kpi,
        "level": place["level"],
        "city": place["city"],
        "country": place["country"],
        "status": str(cell.status),
        "value_kind": value_kind(cell.value, boolean, text),
        "value": plain(cell.value) or None,
        "boolean": boolean,
        "text": text,
        "target": plain(cell.target_value) or None,
        "baseline": plain(cell.baseline) or None,
        "ratio": plain(cell.ratio) or None,
        "reported": cell.reported,
        "expected": cell.expected,
        "units_at_target": units_at_target,
        "units": units,
        "review_state": (cell.review or "approved")
        if cell.status != ProgressStatus.NO_DATA
        else None,
        "note": cell.note,
    }


def value_kind(value, boolean: bool | None, text: str) -> str | None:
    """Which answer a cell holds: a yes/no first (it may carry a number and words beside
    it), then a number, then words; ``None`` for a cell without a figure."""
    if boolean is not None:
        return "yes_no"
    if value is not None:
        return "number"
    return "text" if text else None


def progress_table(user, consortium, *, stage: str | None) -> ProgressTable:
    """The overview's matrix for ``user`` (only the figures they may see), flattened.

    ``stage``: baseline, midway, final or latest; ``None`` is the overview's default,
    the latest stage with figures. Runs ``matrix_inputs``' fixed number of queries.
    """
    inputs = matrix_inputs(user, consortium, requested_stage=stage)
    with translation.override("en"):
        matrix = build.consortium_matrix(inputs)
    return ProgressTable(
        consortium=consortium.slug,
        stage=matrix.stage,
        refs=cell_refs(matrix),
        kpis={kpi.pk: kpi for kpi in inputs.kpis},
        texts=text_answers(user, [kpi.pk for kpi in inputs.kpis], matrix.stage),
    )


def text_answers(user, kpi_ids: list[int], stage: str) -> dict[tuple, str]:
    """Every text answer the user may see of these KPIs at the stage(s) shown; one query.

    The matrix keeps only the first words of an answer, and none beside a number.
    """
    rows = (
        Measurement.objects.visible_to(user)
        .filter(kpi_id__in=kpi_ids, stage__in=stages_to_read(stage), status="reported")
        .exclude(text_value="")
        .order_by()
        .values_list("kpi_id", "city_id", "stage", "text_value")
    )
    return {(kpi_id, city_id, row_stage): text for kpi_id, city_id, row_stage, text in rows}


def kept_table(user, consortium, *, stage: str | None, version: int | None) -> ProgressTable:
    """:func:`progress_table`, kept in this process under the consortium's data version
    (:func:`changelog.kept.kept_here`): the pages of one table and its filters read it
    without building it again. The key holds the version: a change is a new key."""
    if version is None:
        return progress_table(user, consortium, stage=stage)
    key = ("progress-table", consortium.pk, version, stage, visibility_class(user, consortium.pk))
    return keeping.kept_here(key, lambda: progress_table(user, consortium, stage=stage))


def cell_refs(matrix) -> list[CellRef]:
    """Where each cell of the matrix sits, in matrix order (no-cell slots left out)."""
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
    target_basis = serializers.ChoiceField(
        choices=[basis.value for basis in TargetBasis],
        help_text="absolute: the KPI's target value is the figure to reach. change: it is "
        "the percentage change each unit makes from its own baseline figure; `target` is "
        "then the unit's own target, `baseline` x (1 + change / 100).",
    )
    level = serializers.ChoiceField(
        choices=LEVELS, help_text="A city, a country's cities together, or the consortium."
    )
    city = serializers.CharField(allow_null=True, help_text="City slug, for a city's cell")
    country = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=[status.value for status in ProgressStatus],
        help_text="starting_point: a baseline figure short of its target (the baseline gets "
        "no on-track/behind verdict; achieved when the target is met there already; for a "
        "target relative to the baseline, always). no_baseline: a target relative to the "
        "baseline, and the unit (or one of a roll-up's units) has no baseline figure to "
        "count it from, so it is not judged. "
        "incomplete: a roll-up that missing figures could still change "
        "(see `reported` of `expected`).",
    )
    value_kind = serializers.ChoiceField(
        choices=VALUE_KINDS,
        allow_null=True,
        help_text="Which answer the cell holds: a number (`value`), a yes/no (`boolean`, "
        "maybe with a number beside it) or words (`text`); null for a cell without a figure.",
    )
    value = DecimalStringField(
        allow_null=True, help_text="The figure (or roll-up) judged, a plain decimal string."
    )
    boolean = serializers.BooleanField(
        allow_null=True, help_text="The answer of a yes/no KPI's cell."
    )
    text = serializers.CharField(
        allow_blank=True, help_text="A text answer, whole; empty for roll-ups and numbers alone."
    )
    target = DecimalStringField(
        allow_null=True,
        help_text="The target this unit answers to, a plain decimal string: for a target "
        "relative to the baseline, the unit's own (null when it has no baseline figure).",
    )
    baseline = DecimalStringField(
        allow_null=True,
        help_text="For a target relative to the baseline (`target_basis` change): the "
        "baseline figure the unit's own `target` is counted from (a roll-up's: its units' "
        "baselines summed or averaged); null otherwise, and when the unit has none.",
    )
    ratio = DecimalStringField(
        allow_null=True,
        help_text="Progress towards the target (1 = met), never capped; a decimal string. "
        "Null for a roll-up of a target per unit: its verdict comes from its units.",
    )
    reported = serializers.IntegerField(help_text="Units whose figure the cell rests on.")
    expected = serializers.IntegerField(help_text="Units the KPI applies to.")
    units_at_target = serializers.IntegerField(
        allow_null=True,
        help_text="For a roll-up of a target per city or per country: the units at their "
        "own target (achieved only when all `units` are).",
    )
    units = serializers.IntegerField(allow_null=True, help_text="See `units_at_target`.")
    review_state = serializers.ChoiceField(
        choices=["approved", "draft", "submitted", "mixed"],
        allow_null=True,
        help_text="mixed: a roll-up that includes unapproved figures (shown to those who "
        "may see them).",
    )
    note = serializers.CharField(help_text='What a roll-up rests on, e.g. "2 of 3 reported".')


# --------------------------------------------------------------------------- the view


#: The columns of a progress row (JSON keys, CSV header), in order: the serializer's fields,
#: which type and document them.
PROGRESS_COLUMNS = list(ProgressRowSerializer._declared_fields)


class ProgressQuerySerializer(serializers.Serializer):
    """The query parameters of ``/api/v1/progress/``; an empty value means "not given"."""

    consortium = QueryTextField(
        help_text="Consortium slug (required).", validators=[SOMETHING_WRITTEN]
    )
    stage = serializers.ChoiceField(
        choices=STAGE_VIEWS,
        required=False,
        help_text="baseline, midway, final, or latest (each unit's latest figure); "
        "default: the latest stage with figures, as on the overview.",
    )
    solution = PlainIntegerField(
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


#: Free-text parameters: spaces alone read as "not given", as django-filter reads them.
TEXT_PARAMETERS = ("consortium", "kpi", "city", "country")


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
class ProgressViewSet(ConditionalReads, viewsets.GenericViewSet):
    """Read-only and computed: progress of a consortium's cities against their targets."""

    serializer_class = ProgressRowSerializer
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    cache_answers = True  # a page of judged cells, kept under its ETag (icc_portal.api.conditional)
    filter_backends: list = []
    query_parameters = tuple(ProgressQuerySerializer().fields)
    csv_filename = "progress.csv"

    def version_scope(self, request) -> str | None:
        """One consortium's cells: its data version (a change elsewhere keeps the ETag)."""
        return request.query_params.get("consortium", "").strip() or None

    def list(self, request, *args, **kwargs):
        SingleValuedQuery().check(request, self)
        query = ProgressQuerySerializer(data=given_values(request, TEXT_PARAMETERS))
        query.is_valid(raise_exception=True)
        options = dict(query.validated_data)
        consortium = visible_consortia(request.user).filter(slug=options.pop("consortium")).first()
        if consortium is None:
            table, refs = None, []
        else:
            version = getattr(request, "data_version", None)
            table = kept_table(
                request.user,
                consortium,
                stage=options.pop("stage", None),
                version=version.position if version is not None else None,
            )
            refs = table.filter(**options)
        if request.accepted_renderer.format == "csv":
            self.paginator.check_query(request)
            rows = table.rows(refs) if table is not None else iter(())
            return streaming_csv(PROGRESS_COLUMNS, rows, filename=self.csv_filename)
        page = self.paginate_queryset(refs)
        return self.get_paginated_response(list(table.rows(page)) if table is not None else [])
