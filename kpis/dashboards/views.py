"""One KPI's page: its figures in every city per stage, a chart, its definition sheet."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from cities.access import roles_of, visible_consortia_filter
from kpis.models import KPI
from kpis.vocabulary import STAGES, stage_heading

from . import build, reports, versioned
from .figures import Formatter
from .readers import kpi_page_inputs


class KpiDetailView(versioned.ConditionalPage, TemplateView):
    """``/kpis/<id>/``, ``/kpis/<consortium>/<code>/`` or ``/kpis/<code>/?consortium=<slug>``.

    A bare code (``/kpis/2.2/``) finds the KPI when one consortium the user may read has
    it; otherwise the page lists the consortia that do. Queries: the KPI with its
    solution, consortium and programme; the consortium's data version — plus session,
    user and roles. The body is kept rendered under that version
    (:mod:`kpis.dashboards.versioned`); only when it is not kept yet,
    ``kpi_page_inputs`` reads (fixed): parts, framework references, member cities,
    implementing cities, figures.
    """

    template_name = "kpis/kpi_detail.html"

    def get(self, request, *args, **kwargs):
        candidates = self.candidates(**kwargs)
        if len(candidates) > 1:
            return render(request, "kpis/kpi_choose.html", {"kpis": candidates}, status=300)
        if not candidates:
            raise Http404("No such KPI in a consortium you may read.")
        self.kpi = candidates[0]
        return super().get(request, *args, **kwargs)

    def candidates(self, *, pk=None, consortium=None, code=None) -> list[KPI]:
        """The KPIs the address names among those the user may read; kept under the
        definitions' version (a KPI, its solution or consortium, and who may read which,
        are definitions), so a page read again asks the database nothing for them."""
        roles = roles_of(self.request.user)
        readers = "all" if roles.is_admin else sorted(roles.reader_consortium_ids)
        consortium = consortium or self.request.GET.get("consortium")
        facts = (readers, pk, consortium, code)
        key = versioned.definitions_key("kpi-candidates", self.request, *facts)
        found = versioned.kept(key, lambda: self.read_candidates(pk, consortium, code))
        if found is None:
            raise Http404("No such KPI in a consortium you may read.")
        return found

    def read_candidates(self, pk, consortium, code) -> list[KPI] | None:
        kpis = KPI.objects.filter(
            visible_consortia_filter(self.request.user, prefix="solution__consortium__")
        ).select_related("solution__consortium__programme", "parent")
        if pk is not None:
            found = kpis.filter(pk=pk).first()
            return None if found is None else [found]
        lookup = Q(code=code) & (Q(solution__consortium__slug=consortium) if consortium else Q())
        return list(kpis.filter(lookup).order_by("solution__consortium__name", "solution__number"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpi = self.kpi
        solution = kpi.solution
        context.update(kpi=kpi, solution=solution, consortium=solution.consortium)
        key = versioned.page_key("kpi", self.request, [solution.consortium_id], kpi.pk)

        def render_body() -> tuple[str, bool]:
            inputs = kpi_page_inputs(self.request.user, kpi)
            lines = reports.kpi_report(
                kpi=kpi,
                solution=solution,
                cities=inputs.cities,
                implementing=inputs.implementing,
                details=inputs.details,
                city_url=build.link_maker("city-detail"),
            )
            context.update(
                parts=inputs.parts,
                references=inputs.references,
                lines=lines,
                stage_labels=[stage_heading(stage) for stage in STAGES],
                target=Formatter().target_wording(kpi),
                chart=reports.chart_data(kpi, lines),
            )
            body = render_to_string("kpis/_kpi_body.html", context)
            return body, bool(context["chart"] and not inputs.parts)

        kpi_body, chart_script = versioned.kept(key, render_body)
        context.update(kpi_body=mark_safe(kpi_body), chart_script=chart_script)  # noqa: S308
        return context
