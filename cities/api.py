"""API for programmes, consortia and cities: read-only, looked up by slug.

A user sees the consortia whose figures they may read (``visible_consortia_filter``:
published ones, plus those they belong to), and the programmes and cities of those.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from icc_portal.api.conditional import ConditionalReads
from icc_portal.api.errors import READ_ERRORS, error_responses
from icc_portal.api.filters import ApiFilterSet, TextFilter

from .access import visible_consortia, visible_consortia_filter
from .models import City, Consortium, Membership, Programme
from .words import StageWords

LIST_ERRORS = error_responses(*READ_ERRORS)
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


# --------------------------------------------------------------------------- serializers


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["slug", "name", "description"]


class MemberSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    country = serializers.CharField(source="city.country", read_only=True)

    class Meta:
        model = Membership
        fields = ["city", "city_name", "country", "role"]


class ConsortiumSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    members = MemberSerializer(source="memberships", many=True, read_only=True)
    previous_round = serializers.SerializerMethodField(
        help_text="Slug of the consortium this one continues (its previous round), if you may "
        "see it; else null."
    )
    stage_labels = serializers.SerializerMethodField(
        help_text=(
            "What the consortium's programme calls the stages (keys baseline, midway, final, "
            "which never change) and its table of figures by stage (maturity), in the "
            "language asked for (Accept-Language)."
        )
    )

    class Meta:
        model = Consortium
        fields = [
            "slug",
            "name",
            "short_name",
            "programme",
            "vision",
            "description",
            "is_published",
            "members",
            "previous_round",
            "stage_labels",
        ]

    def get_previous_round(self, consortium) -> str | None:
        if not getattr(consortium, "previous_round_visible", False):
            return None
        return consortium.previous_round.slug

    def get_stage_labels(self, consortium) -> dict[str, str]:
        return StageWords(consortium.programme).as_dict()


class CitySerializer(serializers.ModelSerializer):
    consortia = serializers.SerializerMethodField(
        help_text="Slugs of the consortia the city belongs to (those you may see)."
    )

    class Meta:
        model = City
        fields = [
            "slug",
            "name",
            "country",
            "region",
            "population",
            "population_year",
            "programme_role",
            "consortia",
        ]

    def get_consortia(self, city) -> list[str]:
        return [membership.consortium.slug for membership in city.visible_memberships]


# --------------------------------------------------------------------------- filters


class ProgrammeFilter(ApiFilterSet):
    class Meta:
        model = Programme
        fields = ["slug"]


class ConsortiumFilter(ApiFilterSet):
    programme = TextFilter(field_name="programme__slug", help_text="Programme slug")
    city = TextFilter(
        field_name="memberships__city__slug", distinct=True, help_text="Slug of a member city"
    )

    class Meta:
        model = Consortium
        fields = ["programme", "city", "is_published"]


class CityFilter(ApiFilterSet):
    consortium = TextFilter(method="filter_consortium", help_text="Consortium slug")
    programme = TextFilter(method="filter_programme", help_text="Programme slug")
    country = TextFilter(
        field_name="country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2 code, e.g. IT"
    )

    class Meta:
        model = City
        fields = ["consortium", "programme", "country", "programme_role"]

    def filter_consortium(self, queryset, name, value):
        members = Membership.objects.filter(city=OuterRef("pk"), consortium__slug=value)
        return queryset.filter(Exists(members))

    def filter_programme(self, queryset, name, value):
        members = Membership.objects.filter(city=OuterRef("pk"), consortium__programme__slug=value)
        return queryset.filter(Exists(members))


# --------------------------------------------------------------------------- viewsets


@extend_schema_view(
    list=extend_schema(
        summary="List programmes", responses={200: ProgrammeSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="One programme", responses={200: ProgrammeSerializer, **LIST_ERRORS}
    ),
)
class ProgrammeDefinitionsViewSet(ConditionalReads, viewsets.ReadOnlyModelViewSet):
    """Programmes (ICC, EU Cities Mission…) that have a consortium you may see."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self):
        visible = visible_consortia(self.request.user).filter(programme=OuterRef("pk"))
        return Programme.objects.filter(Exists(visible))


@extend_schema_view(
    list=extend_schema(
        summary="List consortia", responses={200: ConsortiumSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="One consortium", responses={200: ConsortiumSerializer, **LIST_ERRORS}
    ),
)
class ConsortiumViewSet(ConditionalReads, viewsets.ReadOnlyModelViewSet):
    """Consortia: published ones, and those you belong to, with their member cities."""

    serializer_class = ConsortiumSerializer
    filterset_class = ConsortiumFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self):
        user = self.request.user
        previous_visible = visible_consortia(user).filter(pk=OuterRef("previous_round_id"))
        return (
            visible_consortia(user)
            .select_related("programme", "previous_round")
            .annotate(previous_round_visible=Exists(previous_visible))
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("city").order_by("city__name"),
                )
            )
        )


@extend_schema_view(
    list=extend_schema(
        summary="List cities", responses={200: CitySerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="One city", responses={200: CitySerializer, **LIST_ERRORS}),
)
class CityViewSet(ConditionalReads, viewsets.ReadOnlyModelViewSet):
    """Cities of the consortia you may see."""

    serializer_class = CitySerializer
    filterset_class = CityFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    ordering_fields = ["name", "slug", "country", "population"]
    ordering = ["name"]

    def get_queryset(self):
        consortium_filter = visible_consortia_filter(self.request.user, prefix="consortium__")
        visible_memberships = Membership.objects.filter(consortium_filter)
        return City.objects.filter(
            Exists(visible_memberships.filter(city=OuterRef("pk")))
        ).prefetch_related(
            Prefetch(
                "memberships",
                queryset=visible_memberships.select_related("consortium").order_by(
                    "consortium__slug"
                ),
                to_attr="visible_memberships",
            )
        )
