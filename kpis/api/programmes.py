"""The programmes resource: each programme with its consortia and cities, how complete each
stage is, where each consortium stands, and the KPIs consortia share through a framework
reference code.

The definitions (slug, name, description; the filter, the ordering, which programmes a
reader may see) are :mod:`cities.api`'s; what is added here is the programme page's
report (:mod:`kpis.dashboards.programme`), built by the same calls, so the API and the
page cannot disagree. Nothing is judged here. The report is built in English, so notes
read the same whatever the Accept-Language; a KPI's name and unit are said in the
request's language (English where the consortium gave none).

A list's ETag holds the whole change log's version (a list spans every programme); one
programme's holds the newest version of its consortia (:mod:`changelog.versions`), which a
change in another programme leaves alone. The JSON of a list and of one programme is kept
under its ETag.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from changelog import versions
from cities.access import visible_consortia
from cities.api import LIST_ERRORS, ProgrammeDefinitionsViewSet, ProgrammeSerializer
from cities.models import Membership
from kpis.api.progress import ProgressRowSerializer, cell_row
from kpis.dashboards.programme import ProgrammeReport, programme_report
from kpis.dashboards.readers import programme_inputs
from kpis.vocabulary import STAGES, ReportingStage

# --------------------------------------------------------------------------- documentation


class ProgrammeCitySerializer(serializers.Serializer):
    city = serializers.CharField(help_text="City slug")
    city_name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class StageCountSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=ReportingStage.choices)
    expected = serializers.IntegerField(
        help_text="Figures expected: each leaf KPI's implementing cities, or the consortium "
        "for a KPI it reports once."
    )
    reported = serializers.IntegerField(
        help_text="Of those, figures given (reported, not available or not applicable) that "
        "you may see: approved ones only for anonymous readers and partners."
    )
    approved = serializers.IntegerField(help_text="Of those, approved.")


class ProgrammeConsortiumSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    is_published = serializers.BooleanField()
    cities = ProgrammeCitySerializer(many=True)
    kpis = serializers.IntegerField(
        help_text="KPIs figures are entered for (parts, not composites)."
    )
    stages = StageCountSerializer(many=True, help_text="How complete each stage is.")
    status_stage = serializers.ChoiceField(
        choices=ReportingStage.choices,
        allow_null=True,
        help_text="The stage `status_counts` judge: the latest with figures (null: none yet).",
    )
    status_counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Every city's cell, and the consortium's for a KPI it reports once, by "
        "progress status (as the overview judges them), every status present.",
    )
    includes_unapproved = serializers.BooleanField(
        help_text="Some figures counted are not approved yet (shown to those who may see them)."
    )


class SharedKpiSerializer(serializers.Serializer):
    consortium = serializers.CharField(help_text="Consortium slug")
    kpi = serializers.IntegerField(help_text="KPI id")
    kpi_code = serializers.CharField()
    kpi_name = serializers.CharField()
    unit = serializers.CharField()
    stages = ProgressRowSerializer(
        many=True,
        help_text="The consortium's cell at each stage, as `/progress/` gives it (level "
        "`consortium`); no row at a stage where the KPI is not rolled up for the consortium "
        "(a text answer, no roll-up rule): see its cities' rows in `/progress/`.",
    )


class SharedIndicatorSerializer(serializers.Serializer):
    framework = serializers.CharField(help_text="citykeys, iso37120, u4ssc or other")
    code = serializers.CharField()
    label = serializers.CharField()
    kpis = SharedKpiSerializer(many=True)


class ProgrammeSummarySerializer(ProgrammeSerializer):
    """A programme in a list: its consortia, cities, stages and status counts
    (documentation: the answers are built as dicts)."""

    url = serializers.CharField(help_text="The programme's page.")
    consortia = ProgrammeConsortiumSerializer(many=True, help_text="Those you may see.")

    class Meta(ProgrammeSerializer.Meta):
        fields = [*ProgrammeSerializer.Meta.fields, "url", "consortia"]


class ProgrammeReportSerializer(ProgrammeSummarySerializer):
    """One programme with all its page shows, the tables of shared codes included."""

    shared_indicators = SharedIndicatorSerializer(
        many=True,
        help_text="One per framework reference code that KPIs of two consortia or more carry.",
    )

    class Meta(ProgrammeSummarySerializer.Meta):
        fields = [*ProgrammeSummarySerializer.Meta.fields, "shared_indicators"]


# --------------------------------------------------------------------------- answers


def programme_records(user, programmes: Iterable, *, compare: bool = True) -> list[dict]:
    """Each programme as the API answers it, for ``user``; seven queries however many
    programmes and consortia: the consortia, then ``programme_inputs``. Without
    ``compare`` (a list), no tables of shared codes: one programme's answer has them."""
    programmes = list(programmes)
    consortia = list(
        visible_consortia(user).filter(programme__in=programmes).order_by("name")
        if programmes
        else []
    )
    inputs = programme_inputs(user, consortia)
    records = []
    language = translation.get_language()  # the KPIs' own words are said in it
    with translation.override("en"):
        for programme in programmes:
            own = [
                consortium for consortium in consortia if consortium.programme_id == programme.pk
            ]
            report = programme_report(own, inputs, compare=compare)
            records.append(_record(programme, report, compare=compare, language=language))
    return records


def _record(programme, report: ProgrammeReport, *, compare: bool, language: str) -> dict:
    record = {
        **ProgrammeSerializer(programme).data,
        "url": reverse("programme-detail", args=[programme.slug]),
        "consortia": [
            {
                "slug": item.consortium.slug,
                "name": item.consortium.name,
                "short_name": item.consortium.short_name,
                "is_published": item.consortium.is_published,
                "cities": [
                    {
                        "city": member.slug,
                        "city_name": member.name,
                        "country": member.country,
                        "role": member.role,
                    }
                    for member, _url in item.cities
                ],
                "kpis": item.kpi_count,
                "stages": [
                    {
                        "stage": count.stage,
                        "expected": count.expected,
                        "reported": count.reported,
                        "approved": count.approved,
                    }
                    for count in item.stages
                ],
                "status_stage": item.stage or None,
                "status_counts": {status: count for status, _label, count in item.summary},
                "includes_unapproved": item.has_unapproved,
            }
            for item in report.standings
        ],
    }
    if not compare:
        return record
    record["shared_indicators"] = [
        {
            "framework": indicator.framework,
            "code": indicator.code,
            "label": indicator.label,
            "kpis": [
                {
                    "consortium": row.consortium.slug,
                    "kpi": row.kpi.pk,
                    "kpi_code": row.kpi.code,
                    **kpi_words(row.kpi, language),
                    "stages": [
                        _progress_row(row, stage, cell, language)
                        for stage, cell in zip(STAGES, row.cells, strict=True)
                        if cell.status != "none"
                    ],
                }
                for row in indicator.rows
            ],
        }
        for indicator in report.shared
    ]
    return record


def kpi_words(kpi, language: str) -> dict[str, str]:
    """A KPI's name and unit in the request's language, English where the consortium gave
    none (the report around them is built in English)."""
    with translation.override(language):
        return {"kpi_name": kpi.name, "unit": kpi.unit}


def _progress_row(row, stage: str, cell, language: str) -> dict:
    """A consortium's cell as ``/progress/`` gives it (``ProgressTable.row``'s shape)."""
    kpi = row.kpi
    text = cell.text if kpi.reporting_level == "consortium" and cell.reported else ""
    return cell_row(
        cell,
        kpi={
            "kpi": kpi.pk,
            "kpi_code": kpi.code,
            **kpi_words(kpi, language),
            "target_basis": kpi.target_basis,
        },
        place={
            "consortium": row.consortium.slug,
            "stage": stage,
            "from_stage": None,
            "solution": row.solution,
            "level": "consortium",
            "city": None,
            "country": None,
        },
        text=text,
        value_type=kpi.value_type,
    )


# --------------------------------------------------------------------------- the view


@extend_schema_view(
    list=extend_schema(
        summary="List programmes",
        description="Each programme you may see (one with a consortium you may read), with "
        "its consortia and cities, how complete each stage is and each consortium's status "
        "counts, from the figures you may see. One programme's answer adds the KPIs "
        "consortia share through a framework reference code.",
        responses={200: ProgrammeSummarySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One programme",
        description="What `/programmes/<slug>/` shows: the list's answer, and one table per "
        "framework reference code that KPIs of two consortia or more carry.",
        responses={200: ProgrammeReportSerializer, **LIST_ERRORS},
    ),
)
class ProgrammeViewSet(ProgrammeDefinitionsViewSet):
    """Programmes with their consortia, cities, stages and shared indicators."""

    serializer_class = ProgrammeReportSerializer
    cache_answers = True  # a list's JSON, kept under its ETag (icc_portal.api.conditional)

    def keeps_answer(self, request) -> bool:
        """One programme's JSON is kept too (its ETag holds its consortia's version): it
        costs what the page's first render costs, and it carries no prefix."""
        return self.cache_answers and request.accepted_media_type.startswith("application/json")

    def read_version(self, request):
        """One programme: the newest version of its consortia (one query)."""
        slug = self.kwargs.get(self.lookup_field)
        return versions.programme_version_by_slug(slug) if slug else None

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(programme_records(request.user, page, compare=False))

    def retrieve(self, request, *args, **kwargs):
        programme = self.get_object()
        return Response(programme_records(request.user, [programme])[0])
