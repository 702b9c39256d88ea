"""API for solutions (initiative charters) and their activities: read-only.

Solutions and activities are looked up by id and found by their human keys with
filters: ``/api/v1/solutions/?consortium=sern&number=2``,
``/api/v1/activities/?consortium=sern&code=1.3``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from cities.access import visible_consortia_filter
from cities.models import City
from icc_portal.api.conditional import ConditionalReads
from icc_portal.api.errors import READ_ERRORS, error_responses
from icc_portal.api.fields import PlainDecimalField
from icc_portal.api.filters import ApiFilterSet, IntegerFilter, TextFilter

from .models import Activity, Solution

LIST_ERRORS = error_responses(*READ_ERRORS)


class SolutionSerializer(serializers.ModelSerializer):
    consortium = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    ambition_statement = serializers.IntegerField(
        source="ambition_statement.number",
        read_only=True,
        allow_null=True,
        help_text="Number of the consortium's ambition statement the solution serves.",
    )
    estimated_cost = PlainDecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    lead_cities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    implementing_cities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Solution
        fields = [
            "id",
            "consortium",
            "number",
            "title",
            "theme",
            "ambition_statement",
            "what",
            "why",
            "link_to_vision",
            "expected_impact",
            "working_team",
            "contributors",
            "risks_and_mitigation",
            "funding_source",
            "estimated_cost",
            "cost_note",
            "lead_cities",
            "implementing_cities",
        ]


class ActivitySerializer(serializers.ModelSerializer):
    consortium = serializers.CharField(source="solution.consortium.slug", read_only=True)
    solution = serializers.IntegerField(source="solution.number", read_only=True)
    solution_id = serializers.IntegerField(read_only=True)
    work_days_per_city = PlainDecimalField(
        max_digits=7, decimal_places=1, read_only=True, allow_null=True
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "consortium",
            "solution",
            "solution_id",
            "code",
            "title",
            "description",
            "work_days_per_city",
            "resources",
            "planned_start",
            "planned_end",
            "status",
        ]


class SolutionFilter(ApiFilterSet):
    consortium = TextFilter(field_name="consortium__slug", help_text="Consortium slug")
    programme = TextFilter(field_name="consortium__programme__slug", help_text="Programme slug")
    theme = TextFilter(field_name="theme__slug", help_text="Thematic track slug")
    city = TextFilter(method="filter_city", help_text="Slug of a city that implements the solution")

    class Meta:
        model = Solution
        fields = ["consortium", "programme", "number", "theme", "city"]

    def filter_city(self, queryset, name, value):
        implementing = City.implemented_solutions.through.objects.filter(
            solution=OuterRef("pk"), city__slug=value
        )
        return queryset.filter(Exists(implementing))


class ActivityFilter(ApiFilterSet):
    consortium = TextFilter(field_name="solution__consortium__slug", help_text="Consortium slug")
    solution = IntegerFilter(
        field_name="solution__number", help_text="Solution number within its consortium"
    )
    solution_id = IntegerFilter(field_name="solution_id", help_text="Solution id")
    planned_after = django_filters.DateFilter(
        field_name="planned_end", lookup_expr="gte", help_text="Ends on or after this date"
    )
    planned_before = django_filters.DateFilter(
        field_name="planned_start", lookup_expr="lte", help_text="Starts on or before this date"
    )

    class Meta:
        model = Activity
        fields = ["consortium", "solution", "solution_id", "code", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="List solutions", responses={200: SolutionSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="One solution", responses={200: SolutionSerializer, **LIST_ERRORS}
    ),
)
class SolutionViewSet(ConditionalReads, viewsets.ReadOnlyModelViewSet):
    """Solutions (initiative charters) of the consortia you may see."""

    serializer_class = SolutionSerializer
    filterset_class = SolutionFilter
    ordering_fields = ["id", "number", "title"]
    ordering = ["consortium__slug", "number"]

    def get_queryset(self):
        cities = City.objects.order_by("name")
        return (
            Solution.objects.filter(visible_consortia_filter(self.request.user, "consortium__"))
            .select_related("consortium", "theme", "ambition_statement")
            .prefetch_related(
                Prefetch("lead_cities", queryset=cities),
                Prefetch("implementing_cities", queryset=cities),
            )
        )


@extend_schema_view(
    list=extend_schema(
        summary="List activities", responses={200: ActivitySerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="One activity", responses={200: ActivitySerializer, **LIST_ERRORS}
    ),
)
class ActivityViewSet(ConditionalReads, viewsets.ReadOnlyModelViewSet):
    """Activities of the solutions you may see."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["id", "code", "planned_start", "planned_end", "status"]
    ordering = ["solution__consortium__slug", "solution__number", "code"]

    def get_queryset(self):
        return Activity.objects.filter(
            visible_consortia_filter(self.request.user, "solution__consortium__")
        ).select_related("solution__consortium")
