"""API for KPIs (read-only): targets, definition sheets, parts of composite KPIs.

Measurements are in :mod:`kpis.api.measurements`, their writes in :mod:`kpis.api.write`,
progress in :mod:`kpis.api.progress`.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from cities.access import visible_consortia_filter
from icc_portal.api.conditional import ConditionalReads
from icc_portal.api.errors import READ_ERRORS, error_responses
from icc_portal.api.fields import PlainDecimalField
from icc_portal.api.filters import ApiFilterSet, IntegerFilter, TextFilter
from kpis.models import KPI, FrameworkReference
from solutions.models import Solution

LIST_ERRORS = error_responses(*READ_ERRORS)


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
            "target_basis",
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


class KPIFilter(ApiFilterSet):
    consortium = TextFilter(field_name="solution__consortium__slug", help_text="Consortium slug")
    solution = IntegerFilter(
        field_name="solution__number", help_text="Solution number within its consortium"
    )
    solution_id = IntegerFilter(field_name="solution_id", help_text="Solution id")
    city = TextFilter(
        method="filter_city",
        help_text="City slug: the KPIs that city reports (the rows of its entry grid): "
        "city-level KPIs of the solutions it implements, a composite KPI through its "
        "parts. The consortium's own KPIs are `level=consortium`.",
    )
    level = django_filters.ChoiceFilter(
        field_name="reporting_level",
        choices=KPI.ReportingLevel.choices,
        help_text="city: KPIs each city reports; consortium: KPIs the consortium reports "
        "once (the same as `reporting_level`)",
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
            "level",
            "city",
        ]

    def filter_city(self, queryset, name, value):
        has_parts = Exists(KPI.objects.filter(parent=OuterRef("pk")))
        implemented = Solution.implementing_cities.through.objects.filter(city__slug=value).values(
            "solution_id"
        )
        return queryset.filter(
            ~has_parts,
            reporting_level=KPI.ReportingLevel.CITY,
            solution_id__in=implemented,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List KPIs", responses={200: KPISerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="One KPI", responses={200: KPISerializer, **LIST_ERRORS}),
)
class KPIViewSet(ConditionalReads, viewsets.ReadOnlyModelViewSet):
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
