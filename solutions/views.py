"""The solution page: an initiative charter and its KPIs compared across cities."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from cities.access import visible_consortia
from kpis.dashboards import build, versioned
from kpis.dashboards.readers import matrix_inputs
from kpis.vocabulary import STAGE_CHOICES, STAGE_VIEWS, natural_key

from .models import Activity, Solution


class SolutionDetailView(versioned.ConditionalPage, TemplateView):
    """The charter (what, why, ambition, lead, team, risks, funding, cost), the activities
    with their resources, and each KPI compared across the implementing cities.

    Queries (fixed): consortium; solution with theme and ambition; lead cities;
    activities; the consortium's data version; and, when the matrix is not kept rendered
    under that version yet (:mod:`kpis.dashboards.versioned`), ``matrix_inputs`` for the
    solution (memberships, implementing cities, KPIs, stages with figures, figures,
    baselines) — plus session, user and roles.
    """

    template_name = "solutions/solution_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        consortium = get_object_or_404(visible_consortia(user), slug=kwargs["consortium"])
        solution = get_object_or_404(
            Solution.objects.select_related("theme", "ambition_statement"),
            consortium=consortium,
            number=kwargs["number"],
        )
        solution.consortium = consortium
        lead_cities = list(solution.lead_cities.order_by("name"))
        activities = sorted(
            Activity.objects.filter(solution=solution),
            key=lambda activity: natural_key(activity.code),
        )
        context.update(
            consortium=consortium,
            solution=solution,
            lead_cities=lead_cities,
            activities=activities,
            stage_choices=STAGE_CHOICES,
            matrix=None,
        )
        asked = self.request.GET.get("stage")
        asked = asked if asked in STAGE_VIEWS else None
        key = versioned.page_key("solution", self.request, [consortium.pk], solution.pk, asked)

        def render_matrix() -> dict:
            inputs = matrix_inputs(user, consortium, requested_stage=asked, solution=solution)
            implementing = inputs.implementing[solution.pk]
            kept = {
                "implementing_cities": [city for city in inputs.cities if city.pk in implementing],
                "stage": inputs.stage,
                "default_stage": inputs.default_stage if inputs.has_figures else "",
            }
            matrix = build.consortium_matrix(inputs)
            context.update(kept, matrix=matrix)
            kept["solution_matrix"] = render_to_string(
                "solutions/_solution_matrix.html", {"solution": solution, "matrix": matrix}
            )
            return kept

        kept = versioned.kept(key, render_matrix)
        context.update(kept, solution_matrix=mark_safe(kept["solution_matrix"]))  # noqa: S308
        return context
