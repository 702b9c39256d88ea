"""The consortium overview (the home page) and the city pages."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from kpis.dashboards import build, reports, versioned
from kpis.dashboards.readers import city_page_inputs, matrix_inputs, visible_memberships
from kpis.models import KPI
from kpis.vocabulary import STAGE_CHOICES, STAGE_VIEWS, STAGES, stage_heading
from solutions.models import Solution

from .access import roles_of, visible_consortia
from .models import City, Membership


def _count(queryset, field: str = "pk"):
    """A correlated COUNT subquery: counts without joining (and multiplying) rows."""
    return Coalesce(
        Subquery(queryset.order_by().values(field).annotate(n=Count("*")).values("n")[:1]),
        0,
    )


def consortia_for_overview(user) -> list:
    """The consortia the user may read, with their sizes; one query."""
    return list(
        visible_consortia(user).annotate(
            city_count=_count(Membership.objects.filter(consortium=OuterRef("pk")), "consortium"),
            solution_count=_count(Solution.objects.filter(consortium=OuterRef("pk")), "consortium"),
            has_kpis=Exists(KPI.objects.filter(solution__consortium=OuterRef("pk"))),
        )
    )


def choose_consortium(consortia: list, slug: str | None):
    """The consortium asked for, else the first with KPIs, else the first."""
    if slug:
        for consortium in consortia:
            if consortium.slug == slug:
                return consortium
    return next((item for item in consortia if item.has_kpis), consortia[0] if consortia else None)


class OverviewView(versioned.ConditionalPage, TemplateView):
    """Where does the consortium stand? Cities across, KPIs down, one stage.

    Queries: the definitions' version, and the consortia (with their sizes) when not
    kept under it yet; the consortium's data version (:mod:`kpis.dashboards.versioned`)
    — plus the session, the user and the user's roles when logged in. The judged part
    (members, solutions, stage picker, matrix) is kept rendered under that version; only
    when it is not kept yet, ``matrix_inputs`` reads (fixed, whatever the size):
    memberships with cities, solutions, implementing cities, KPIs, stages with figures,
    figures, baselines. ``matrix`` and ``inputs`` are in the context only then.
    """

    template_name = "cities/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        roles = roles_of(user)
        readers = "all" if roles.is_admin else sorted(roles.reader_consortium_ids)
        consortia_key = versioned.definitions_key("consortia", self.request, readers)
        consortia = versioned.kept(consortia_key, lambda: consortia_for_overview(user))
        consortium = choose_consortium(consortia, self.request.GET.get("consortium"))
        context.update(consortia=consortia, consortium=consortium, matrix=None)
        if consortium is None:
            return context
        asked = self.request.GET.get("stage")
        asked = asked if asked in STAGE_VIEWS else None
        shown = tuple((item.pk, item.slug) for item in consortia)
        key = versioned.page_key("overview", self.request, [consortium.pk], asked, shown)

        def render_body() -> tuple[str, str]:
            inputs = matrix_inputs(user, consortium, requested_stage=asked)
            city_url = build.link_maker("city-detail")
            body = dict(
                consortia=consortia,
                consortium=consortium,
                members=[(city, city_url(city.slug)) for city in inputs.cities],
                solutions=inputs.solutions,
                stage=inputs.stage,
                default_stage=inputs.default_stage if inputs.has_figures else "",
                stage_choices=STAGE_CHOICES,
                matrix=build.consortium_matrix(inputs),
            )
            context.update(body)
            return render_to_string("cities/_overview_body.html", body), inputs.stage

        overview_body, stage = versioned.kept(key, render_body)
        context.update(overview_body=mark_safe(overview_body), stage=stage)  # noqa: S308
        return context


class CityDetailView(versioned.ConditionalPage, TemplateView):
    """How is this city doing? Its solutions, each KPI's three stages against the target,
    its activities, its three-year plan.

    Queries: the definitions' version, and the city with its memberships in the
    consortia the user may read when not kept under it yet; their data version — plus
    the session, the user and the user's roles when logged in. The tables, plans and
    commitments are kept rendered under that version (:mod:`kpis.dashboards.versioned`);
    only when they are not kept yet, ``city_page_inputs`` reads (fixed): the tables'
    solutions, KPIs, figures and activities, plans and their targets, commitments.
    """

    template_name = "cities/city_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        roles = roles_of(user)
        readers = "all" if roles.is_admin else sorted(roles.reader_consortium_ids)
        key = versioned.definitions_key("city", self.request, readers, kwargs["slug"])
        city, memberships = versioned.kept(key, lambda: self.read_city(kwargs["slug"]))
        if not memberships:
            raise Http404("The city takes part in no consortium you may read.")
        consortium_ids = [membership.consortium_id for membership in memberships]
        context.update(
            city=city,
            # The entry grid's links (another module) may query: render them here, not
            # while the page's template renders.
            city_links=render_to_string(
                "kpis/entry/_city_links.html",
                {"city": city, "consortium_ids": consortium_ids},
                request=self.request,
            ),
            memberships=memberships,
        )
        key = versioned.page_key("city", self.request, consortium_ids, city.pk)

        def render_body() -> str:
            inputs = city_page_inputs(user, city, memberships)
            context.update(
                plans=inputs.plans,
                commitments=inputs.commitments,
                stage_labels=[stage_heading(stage) for stage in STAGES],
                reports=reports.city_report(city=city, tables=inputs.tables),
            )
            return render_to_string("cities/_city_body.html", context)

        context["city_body"] = mark_safe(versioned.kept(key, render_body))  # noqa: S308
        return context

    def read_city(self, slug: str) -> tuple[City, list]:
        """The city and its memberships in the consortia the user may read (two queries);
        kept under the definitions' version, as cities and memberships are definitions."""
        city = get_object_or_404(City, slug=slug)
        return city, visible_memberships(self.request.user, city)
