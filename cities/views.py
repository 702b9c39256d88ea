"""The consortium overview (the home page) and the city pages."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.generic import TemplateView

from kpis.dashboards import build, reports
from kpis.dashboards.readers import city_page_inputs, matrix_inputs
from kpis.models import KPI
from kpis.vocabulary import STAGE_CHOICES, STAGES, stage_heading
from solutions.models import Solution

from .access import visible_consortia
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


class OverviewView(TemplateView):
    """Where does the consortium stand? Cities across, KPIs down, one stage.

    Queries (fixed, whatever the size): consortia; then ``matrix_inputs``: memberships
    with cities, solutions, implementing cities, KPIs, stages with figures, figures,
    baselines — plus the session, the user and the user's roles when logged in.
    """

    template_name = "cities/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        consortia = consortia_for_overview(user)
        consortium = choose_consortium(consortia, self.request.GET.get("consortium"))
        context.update(consortia=consortia, consortium=consortium)
        if consortium is None:
            return context
        inputs = matrix_inputs(user, consortium, requested_stage=self.request.GET.get("stage"))
        city_url = build.link_maker("city-detail")
        context.update(
            members=[(city, city_url(city.slug)) for city in inputs.cities],
            solutions=inputs.solutions,
            stage=inputs.stage,
            default_stage=inputs.default_stage if inputs.has_figures else "",
            stage_choices=STAGE_CHOICES,
            matrix=build.consortium_matrix(inputs),
        )
        return context


class CityDetailView(TemplateView):
    """How is this city doing? Its solutions, each KPI's three stages against the target,
    its activities, its three-year plan.

    Queries (fixed): the city; ``city_page_inputs`` (memberships, the tables' solutions,
    KPIs, figures and activities, plans and their targets, commitments) — plus the session, the
    user and the user's roles when logged in.
    """

    template_name = "cities/city_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        city = get_object_or_404(City, slug=kwargs["slug"])
        inputs = city_page_inputs(self.request.user, city)
        if not inputs.memberships:
            raise Http404("The city takes part in no consortium you may read.")
        context.update(
            city=city,
            # The entry grid's links (another module) may query: render them here, not
            # while the page's template renders.
            city_links=render_to_string(
                "kpis/entry/_city_links.html", {"city": city}, request=self.request
            ),
            memberships=inputs.memberships,
            plans=inputs.plans,
            commitments=inputs.commitments,
            stage_labels=[stage_heading(stage) for stage in STAGES],
            reports=reports.city_report(city=city, tables=inputs.tables),
        )
        return context
