"""API for measurements: read by everyone who may see them, written through the entry service.

Reads use ``Measurement.objects.visible_to`` (the access rules of :mod:`cities.access`);
lists are read as tuples and their counts kept while the figures are unchanged, so a
page of 100 costs little more than the page itself. Writes go through
:func:`kpis.reporting.entry.record_measurements` (see :mod:`kpis.api.write`), the entry grid's
save path, rules and messages.
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Case, IntegerField, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from changelog import kept as keeping
from cities import access
from icc_portal.api.conditional import ConditionalReads, version_for
from icc_portal.api.csv import CSV_MEDIA_TYPE, CsvListMixin, CSVRenderer
from icc_portal.api.errors import READ_ERRORS, Conflict, PreconditionFailed, error_responses
from icc_portal.api.fields import PlainDecimalField
from icc_portal.api.filters import (
    ApiFilterSet,
    IntegerFilter,
    SingleValuedQuery,
    TextFilter,
    ordering_terms,
)
from icc_portal.api.permissions import ApiAccess
from kpis.models import KPI, Measurement
from kpis.reporting import entry
from kpis.reporting.rules import DATA_FIELDS
from kpis.vocabulary import ReportingStage

from .rows import LIST_LOOKUPS, RawRows, instance_values, list_rows
from .write import (
    IF_MATCH,
    UPDATE_ERRORS,
    WRITE_ERRORS,
    CanEnterFigure,
    MeasurementCreateSerializer,
    MeasurementUpdateSerializer,
    body_version,
    etag_of,
    if_match_version,
    record,
    row_for_update,
)

LIST_ERRORS = error_responses(*READ_ERRORS)
#: How a change says which version it is based on (OpenAPI cannot say "one of these two").
PRECONDITIONS = (
    "Say which version your change is based on, in one of two ways: the `If-Match` header "
    "with the ETag you read, or the `version` you read in the body. Checked in this "
    "order: `If-Match` first, before the body is read (412 when the figure changed since; "
    "RFC 9110 13.2.2), then the body (400), then `version` (409 when stale); with "
    "neither, 428."
)
CSV_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR, description="The whole filtered set as CSV, unpaginated, streamed."
)


def stage_rank() -> Case:
    """Stages in their order (baseline, midway, final), for sorting."""
    return Case(
        *(
            When(stage=stage.value, then=Value(rank))
            for rank, stage in enumerate(ReportingStage.ordered())
        ),
        output_field=IntegerField(),
    )


class MeasurementSerializer(serializers.ModelSerializer):
    """One figure as stored: ``kpi`` is the KPI's id, ``city`` the city's slug.

    ``city`` is null for a figure the consortium reports once.
    """

    consortium = serializers.CharField(source="kpi.solution.consortium.slug", read_only=True)
    solution = serializers.IntegerField(source="kpi.solution.number", read_only=True)
    kpi = serializers.IntegerField(source="kpi_id", read_only=True, help_text="KPI id")
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    city = serializers.CharField(
        source="city.slug",
        read_only=True,
        allow_null=True,
        help_text="City slug; null for a figure the consortium reports once.",
    )
    country = serializers.CharField(source="city.country", read_only=True, allow_null=True)
    value = PlainDecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="The number of a reported figure, as a decimal string. A reported figure "
        "holds at least one answer: `value` for a count, number or percentage KPI (its "
        "`value_type`), `boolean_value` for a yes/no KPI, `text_value` for a text KPI. A "
        "numeric KPI may be answered in words instead (`text_value`, `value` null); every "
        "answer is null (or empty) unless `status` is `reported`.",
    )
    evidence_url = serializers.CharField(
        read_only=True, help_text="A web link to the evidence, or empty."
    )

    class Meta:
        model = Measurement
        fields = list(LIST_LOOKUPS)
        read_only_fields = fields
        extra_kwargs = {
            "boolean_value": {"help_text": "The answer of a yes/no KPI; null otherwise."},
            "text_value": {
                "help_text": "The answer in words: of a text KPI, or of a numeric one answered "
                "in words (then `value` is null); empty otherwise."
            },
        }

    def to_representation(self, measurement):
        """The list's shape (:func:`kpis.api.rows.list_rows`), read from the instance."""
        return next(list_rows([instance_values(measurement)]))


class MeasurementFilter(ApiFilterSet):
    programme = TextFilter(
        field_name="kpi__solution__consortium__programme__slug", help_text="Programme slug"
    )
    consortium = TextFilter(
        field_name="kpi__solution__consortium__slug", help_text="Consortium slug"
    )
    city = TextFilter(field_name="city__slug", help_text="City slug")
    country = TextFilter(
        field_name="city__country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. IT"
    )
    level = django_filters.ChoiceFilter(
        choices=KPI.ReportingLevel.choices,
        method="filter_level",
        help_text="city: figures of a city; consortium: figures the consortium reports once",
    )
    solution = IntegerFilter(
        field_name="kpi__solution__number", help_text="Solution number within its consortium"
    )
    kpi = TextFilter(field_name="kpi__code", help_text='KPI code, e.g. "2.2"')
    kpi_id = IntegerFilter(field_name="kpi_id", help_text="KPI id")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)"
    )

    class Meta:
        model = Measurement
        fields = [
            "programme",
            "consortium",
            "city",
            "country",
            "level",
            "stage",
            "solution",
            "kpi",
            "kpi_id",
            "status",
            "review_state",
            "updated_since",
        ]

    def filter_level(self, queryset, name, value):
        return queryset.filter(city__isnull=value == KPI.ReportingLevel.CONSORTIUM)


assert list(LIST_LOOKUPS) == MeasurementSerializer.Meta.fields


@extend_schema_view(
    list=extend_schema(
        summary="List measurements",
        description="JSON pages, or with `?format=csv` / `Accept: text/csv` the whole "
        "filtered set as one streamed CSV file.",
        responses={
            (200, "application/json"): MeasurementSerializer(many=True),
            (200, CSV_MEDIA_TYPE): CSV_RESPONSE,
            **LIST_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One measurement",
        description="The response carries an `ETag` to send back in `If-Match` when you "
        "change it (`measurement-<id>-v<version>-…`: the version is what `If-Match` "
        "compares). As CSV with `?format=csv` or `Accept: text/csv`.",
        responses={
            (200, "application/json"): MeasurementSerializer,
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR, description="The figure as one CSV row under a header."
            ),
            **error_responses(400, 401, 404, 429),
        },
    ),
    create=extend_schema(
        summary="Enter a new figure",
        description="Stored as a draft through the entry grid's save path and rules. "
        "201 with the new figure; 200 when the same figure is already stored; 204 when "
        "there is nothing to store (not yet reported, nothing else said). A figure that "
        "already exists with other content gets 409: change it with PUT or PATCH.",
        request={"application/json": MeasurementCreateSerializer},
        responses={
            (201, "application/json"): MeasurementSerializer,
            (200, "application/json"): MeasurementSerializer,
            204: OpenApiResponse(description="Nothing to store."),
            **WRITE_ERRORS,
        },
    ),
    update=extend_schema(
        summary="Replace a figure",
        description="Every data field is replaced (missing ones read as empty). " + PRECONDITIONS,
        parameters=[IF_MATCH],
        request={"application/json": MeasurementUpdateSerializer},
        responses={(200, "application/json"): MeasurementSerializer, **UPDATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a figure",
        description="Only the fields sent change. " + PRECONDITIONS,
        parameters=[IF_MATCH],
        request={"application/json": MeasurementUpdateSerializer},
        responses={(200, "application/json"): MeasurementSerializer, **UPDATE_ERRORS},
    ),
)
class MeasurementViewSet(
    ConditionalReads,
    CsvListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """KPI figures you may see: approved ones of readable consortia, plus your own drafts.

    Writes go through the entry service (``kpis.reporting.entry.record_measurements``).
    """

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    permission_classes = [ApiAccess, CanEnterFigure]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    cache_answers = True  # a list's pages, kept under their ETags (icc_portal.api.conditional)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    csv_columns = MeasurementSerializer.Meta.fields
    csv_filename = "measurements.csv"
    ordering_fields = [
        "id",
        "kpi__code",
        "city__slug",
        "stage_rank",
        "status",
        "value",
        "updated_at",
    ]
    ordering = ["id"]
    cursor_paging = True
    #: A figure's ETag starts with its id and version, which ``If-Match`` reads.
    etag_prefix_pattern = re.compile(r"measurement-\d+-v\d+-")

    def get_queryset(self):
        visible = Measurement.objects.visible_to(self.request.user)
        if self.action == "list":
            # Read as tuples (``list``); stages sort in their own order when asked to.
            terms = ordering_terms(self.request)
            if "stage_rank" in terms or "-stage_rank" in terms:
                visible = visible.annotate(stage_rank=stage_rank())
            return visible
        return visible.select_related("kpi__solution__consortium", "city")

    def list(self, request, *args, **kwargs):
        """Rows read as tuples, not model instances: a page of 500 stays cheap."""
        queryset = self.filter_queryset(self.get_queryset())
        rows = queryset.values_list(*LIST_LOOKUPS.values())
        if self.wants_csv(request):
            self.paginator.check_query(request)
            return self.csv_response(rows)
        page = self.paginate_queryset(RawRows(rows))
        return self.get_paginated_response(list(list_rows(page)))

    def csv_rows(self, rows):
        return list_rows(rows.iterator(chunk_size=2000))

    def count_of(self, rows: RawRows) -> int:
        question = (
            access.roles_of(self.request.user),
            sorted(
                (name, value)
                for name, value in self.request.query_params.items()
                if name not in SingleValuedQuery.PAGING
            ),
        )
        position = version_for(self.request).position  # read for the validators already
        return keeping.count("measurements", rows.queryset, question=question, position=position)

    def get_renderers(self):
        """Writes answer JSON (or the browsable API): CSV is for reading."""
        renderers = super().get_renderers()
        if self.request is not None and self.request.method not in SAFE_METHODS:
            renderers = [item for item in renderers if not isinstance(item, CSVRenderer)]
        return renderers

    def initial(self, request, *args, **kwargs):
        suffix = kwargs.get(api_settings.FORMAT_SUFFIX_KWARG)
        if suffix and request.method not in SAFE_METHODS:
            self.format_kwarg = suffix
            if suffix not in {renderer.format for renderer in self.renderer_classes}:
                raise exceptions.NotFound()  # ``/measurements/0.5/``: no such figure
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        # A create reads no queryset to check it. A method the view does not take (TRACE,
        # DELETE) is left to DRF's 405, which comes after initial().
        method = request.method.lower()
        if request.method not in SAFE_METHODS and hasattr(self, method):
            SingleValuedQuery().check(request, self)

    @property
    def allowed_methods(self):
        """``/measurements.csv`` and ``/measurements/<id>.csv`` are read only."""
        methods = super().allowed_methods
        if getattr(self, "kwargs", {}).get(api_settings.FORMAT_SUFFIX_KWARG):
            return [method for method in methods if method in SAFE_METHODS]
        return methods

    def get_serializer_class(self):
        method = self.request.method if self.request else "GET"
        if method == "POST":
            return MeasurementCreateSerializer
        if method in ("PUT", "PATCH"):
            return MeasurementUpdateSerializer
        return MeasurementSerializer

    def figure_response(self, measurement, *, status_code=200, headers=None) -> Response:
        body = MeasurementSerializer(measurement, context=self.get_serializer_context()).data
        response = Response(body, status=status_code, headers=headers)
        response["ETag"] = etag_of(measurement)
        return response

    def retrieve(self, request, *args, **kwargs):
        measurement = self.get_object()
        # The read's ETag: the figure's id and version (for If-Match), then the digest.
        request.etag_prefix = f"measurement-{measurement.pk}-v{measurement.version}-"
        body = MeasurementSerializer(measurement, context=self.get_serializer_context()).data
        return Response(body)

    def create(self, request, *args, **kwargs):
        serializer = MeasurementCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = entry.RowInput(
            kpi=data["kpi"].pk,
            expected_version=0,
            **{name: data[name] for name in DATA_FIELDS},
        )
        outcome = record(user=request.user, stage=data["stage"], city=data["city"], row=row)
        if outcome.measurement is None:
            return Response(status=204)
        measurement = outcome.measurement
        if outcome.change == "created":
            location = reverse("api:measurement-detail", args=[measurement.pk], request=request)
            return self.figure_response(
                measurement, status_code=201, headers={"Location": location}
            )
        return self.figure_response(measurement)

    def update(self, request, *args, partial=False, **kwargs):
        measurement = self.get_object()
        version = if_match_version(request, measurement)
        serializer = MeasurementUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        stale_status = PreconditionFailed
        if version is None:
            version, stale_status = body_version(serializer.validated_data), Conflict
        row = row_for_update(
            measurement, serializer.validated_data, partial=partial, version=version
        )
        outcome = record(
            user=request.user,
            stage=measurement.stage,
            city=measurement.city,
            row=row,
            stale_status=stale_status,
        )
        return self.figure_response(outcome.measurement or measurement)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)
