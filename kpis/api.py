"""API for KPIs and measurements.

KPIs are read-only. Measurements are read by everyone who may see them
(``Measurement.objects.visible_to``) and written through the entry service
(:mod:`kpis.api_write`), the same save path and rules as the entry grid.
"""

from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, Prefetch, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.settings import api_settings

from cities.access import visible_consortia_filter
from cities.models import City
from icc_portal.api import (
    CSV_MEDIA_TYPE,
    READ_ERRORS,
    CsvListMixin,
    CSVRenderer,
    PlainDecimalField,
    error_responses,
    plain_decimal,
)

from .models import KPI, FrameworkReference, Measurement, Stage

LIST_ERRORS = error_responses(*READ_ERRORS)
CSV_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR, description="The whole filtered set as CSV, unpaginated, streamed."
)


def stage_rank() -> Case:
    """Stages in their order (baseline, midway, final), for sorting."""
    return Case(
        *(When(stage=stage.value, then=Value(rank)) for rank, stage in enumerate(Stage.ordered())),
        output_field=IntegerField(),
    )


# --------------------------------------------------------------------------- KPIs


class FrameworkReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FrameworkReference
        fields = ["framework", "code", "label"]


class KPISerializer(serializers.ModelSerializer):
    consortium = serializers.CharField(source="solution.consortium.slug", read_only=True)
    solution = serializers.IntegerField(source="solution.number", read_only=True)
    solution_id = serializers.IntegerField(read_only=True)
    parent = serializers.CharField(
        source="parent.code",
        read_only=True,
        allow_null=True,
        help_text="Code of the composite KPI this is a part of.",
    )
    parts = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Codes of the parts, for a composite KPI.",
    )
    target_value = PlainDecimalField(
        max_digits=20, decimal_places=4, read_only=True, allow_null=True
    )
    framework_refs = FrameworkReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = KPI
        fields = [
            "id",
            "consortium",
            "solution",
            "solution_id",
            "code",
            "parent",
            "parts",
            "name",
            "unit",
            "value_type",
            "target_value",
            "target_scope",
            "target_text",
            "direction",
            "reporting_level",
            "rollup",
            "method",
            "data_source",
            "means_of_verification",
            "framework_refs",
        ]


class KPIFilter(django_filters.FilterSet):
    consortium = django_filters.CharFilter(
        field_name="solution__consortium__slug", help_text="Consortium slug"
    )
    solution = django_filters.NumberFilter(
        field_name="solution__number", help_text="Solution number within its consortium"
    )
    city = django_filters.CharFilter(
        field_name="solution__implementing_cities__slug",
        distinct=True,
        help_text="Slug of a city that reports on the KPI's solution",
    )

    class Meta:
        model = KPI
        fields = [
            "consortium",
            "solution",
            "solution_id",
            "code",
            "value_type",
            "target_scope",
            "reporting_level",
            "city",
        ]


@extend_schema_view(
    list=extend_schema(
        summary="List KPIs", responses={200: KPISerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="One KPI", responses={200: KPISerializer, **LIST_ERRORS}),
)
class KPIViewSet(viewsets.ReadOnlyModelViewSet):
    """KPIs with their targets and definition sheets. Find one by code with ``?code=2.2``."""

    serializer_class = KPISerializer
    filterset_class = KPIFilter
    ordering_fields = ["id", "code", "name"]
    ordering = ["solution__consortium__slug", "solution__number", "code"]

    def get_queryset(self):
        return (
            KPI.objects.filter(
                visible_consortia_filter(self.request.user, "solution__consortium__")
            )
            .select_related("solution__consortium", "parent")
            .prefetch_related(
                Prefetch("parts", queryset=KPI.objects.order_by("code")),
                Prefetch("framework_refs", queryset=FrameworkReference.objects.order_by("pk")),
            )
        )


# --------------------------------------------------------------------------- measurements


_DATETIME = serializers.DateTimeField()


class MeasurementSerializer(serializers.ModelSerializer):
    """One figure. ``kpi`` is the KPI's id, ``city`` the city's slug (null: the consortium)."""

    consortium = serializers.CharField(source="kpi.solution.consortium.slug", read_only=True)
    solution = serializers.IntegerField(source="kpi.solution.number", read_only=True)
    kpi = serializers.PrimaryKeyRelatedField(queryset=KPI.objects.all())
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    city = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=City.objects.all(),
        allow_null=True,
        required=False,
        help_text="City slug; null for a figure the consortium reports once.",
    )
    country = serializers.CharField(source="city.country", read_only=True, allow_null=True)
    value = PlainDecimalField(max_digits=20, decimal_places=4, allow_null=True, required=False)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "consortium",
            "solution",
            "kpi",
            "kpi_code",
            "city",
            "country",
            "stage",
            "status",
            "value",
            "boolean_value",
            "text_value",
            "reason",
            "note",
            "evidence_url",
            "as_of",
            "review_state",
            "version",
            "updated_at",
        ]
        read_only_fields = ["review_state", "updated_at"]

    def to_representation(self, measurement):
        """The same fields as declared, built by hand: lists of thousands stay fast."""
        kpi = measurement.kpi
        city = measurement.city
        return {
            "id": measurement.pk,
            "consortium": kpi.solution.consortium.slug,
            "solution": kpi.solution.number,
            "kpi": measurement.kpi_id,
            "kpi_code": kpi.code,
            "city": city.slug if city is not None else None,
            "country": city.country if city is not None else None,
            "stage": measurement.stage,
            "status": measurement.status,
            "value": plain_decimal(measurement.value),
            "boolean_value": measurement.boolean_value,
            "text_value": measurement.text_value,
            "reason": measurement.reason,
            "note": measurement.note,
            "evidence_url": measurement.evidence_url,
            "as_of": measurement.as_of.isoformat() if measurement.as_of else None,
            "review_state": measurement.review_state,
            "version": measurement.version,
            "updated_at": _DATETIME.to_representation(measurement.updated_at),
        }


class MeasurementFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(
        field_name="kpi__solution__consortium__programme__slug", help_text="Programme slug"
    )
    consortium = django_filters.CharFilter(
        field_name="kpi__solution__consortium__slug", help_text="Consortium slug"
    )
    city = django_filters.CharFilter(field_name="city__slug", help_text="City slug")
    country = django_filters.CharFilter(
        field_name="city__country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. IT"
    )
    level = django_filters.ChoiceFilter(
        choices=KPI.ReportingLevel.choices,
        method="filter_level",
        help_text="city: figures of a city; consortium: figures the consortium reports once",
    )
    solution = django_filters.NumberFilter(
        field_name="kpi__solution__number", help_text="Solution number within its consortium"
    )
    kpi = django_filters.CharFilter(field_name="kpi__code", help_text='KPI code, e.g. "2.2"')
    kpi_id = django_filters.NumberFilter(field_name="kpi_id", help_text="KPI id")
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
        responses={200: MeasurementSerializer, **LIST_ERRORS},
    ),
)
class MeasurementViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """KPI figures you may see: approved ones of readable consortia, plus your own drafts."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
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
    ordering = [
        "kpi__solution__consortium__slug",
        "kpi__solution__number",
        "kpi__code",
        "city__slug",
        "stage_rank",
        "id",
    ]

    def get_queryset(self):
        return (
            Measurement.objects.visible_to(self.request.user)
            .select_related("kpi__solution__consortium", "city")
            .annotate(stage_rank=stage_rank())
        )
