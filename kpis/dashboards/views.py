"""Every dashboard page: the consortium overview (the home page), a city, a solution, a KPI.

Each reads through :mod:`kpis.dashboards.readers`, judges through ``build`` and
``reports``, and keeps its judged part rendered by data version (:mod:`.versioned`).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import TemplateView

from changelog import kept as keeping
from changelog import versions
from cities.access import visibility_class, visible_consortia, visible_consortia_filter
from cities.choice import chosen_consortium
from cities.models import City, Membership
from cities.words import active_words, common_programme, speaking, speaking_for
from icc_portal.codes import natural_key
from icc_portal.numbers import euro
from kpis.models import KPI
from kpis.vocabulary import STAGE_VIEWS, stage_choices, stage_headings
from solutions.models import Activity, Solution

from . import build, reports, rounds, versioned
from .figures import Formatter
from .matrix import Matrix, composed
from .programme import programme_report
from .readers import (
    city_page_inputs,
    kpi_page_inputs,
    matrix_inputs,
    overview_frame,
    programme_inputs,
    stage_figures,
    visible_memberships,
)


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

    template_name = "kpis/dashboard/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        consortia = versioned.kept_definitions(
            "consortia", self.request, build=lambda: consortia_for_overview(user)
        )
        consortium = chosen_consortium(
            consortia, self.request.GET.get("consortium"), with_content="has_kpis"
        )
        context.update(consortia=consortia, consortium=consortium, matrix=None)
        if consortium is None:
            return context
        asked = self.request.GET.get("stage")
        asked = asked if asked in STAGE_VIEWS else None
        shown = tuple((item.pk, item.slug) for item in consortia)

        @speaking_for(consortium.programme)
        def render_body() -> tuple[str, str]:
            frame = overview_frame(user, consortium, requested_stage=asked)
            city_url = build.link_maker("city-detail")
            body = dict(
                consortia=consortia,
                consortium=consortium,
                members=[(city, city_url(city.slug)) for city in frame.cities],
                solutions=frame.solutions,
                stage=frame.stage,
                default_stage=frame.default_stage if frame.has_figures else "",
                stage_choices=stage_choices(),
                matrix=overview_matrix(self.request, consortium, frame),
            )
            context.update(body)
            return render_to_string("kpis/dashboard/_overview_body.html", body), frame.stage

        overview_body, stage = versioned.kept_page(
            "overview", self.request, [consortium.pk], asked, shown, build=render_body
        )
        context.update(overview_body=mark_safe(overview_body), stage=stage)  # noqa: S308
        return context


def overview_matrix(request, consortium, frame) -> Matrix:
    """The overview's matrix from its solutions' parts, each kept under its own solution's
    version (:func:`changelog.versions.solution_versions`), what the reader sees, the
    language and the stage: a figure saved rebuilds the part of its solution only. The
    parts not kept are built together (two queries of figures, whatever their number)."""
    user = request.user
    columns = build.consortium_columns(
        frame.cities,
        frame.solutions,
        frame.kpis,
        frame.implementing,
        build.link_maker("city-detail"),
    )
    stamps = versions.solution_versions([solution.pk for solution in frame.solutions])
    seen = visibility_class(user, consortium.pk)
    keys = {
        solution: keeping.key(
            "page:overview-part",
            stamps[solution.pk].position,
            consortium.pk,
            solution.pk,
            seen,
            get_language(),
            frame.stage,
        )
        for solution in frame.solutions
    }

    def build_parts(missing: list) -> dict:
        wanted = {solution.pk for solution in missing}
        rows, baselines = stage_figures(
            user, [kpi for kpi in frame.kpis if kpi.solution_id in wanted], frame.stage
        )
        return {
            solution: build.solution_part(
                frame, solution, columns=columns, rows=rows, baselines=baselines, stage=frame.stage
            )
            for solution in missing
        }

    parts = keeping.kept_many(keys, build_parts, stored=lambda part: part.kept())
    return composed(frame.stage, columns, [parts[solution] for solution in frame.solutions])


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

    template_name = "kpis/dashboard/city_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        city, memberships = versioned.kept_definitions(
            "city", self.request, kwargs["slug"], build=lambda: self.read_city(kwargs["slug"])
        )
        if not memberships:
            raise Http404("The city takes part in no consortium you may read.")
        consortium_ids = [membership.consortium_id for membership in memberships]
        programme = common_programme([membership.consortium for membership in memberships])
        with speaking(programme):
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

        @speaking_for(programme)
        def render_body() -> str:
            inputs = city_page_inputs(user, city, memberships)
            city_reports = reports.city_report(city=city, tables=inputs.tables)
            finals = rounds.previous_finals(
                user,
                kpis=inputs.tables.kpis,
                solutions=inputs.tables.solutions,
                consortia=[membership.consortium for membership in memberships],
            )
            for report in city_reports:
                for line in report.city_lines:
                    line.previous_final = finals.get((line.kpi_id, city.pk))
                for line in report.consortium_lines:
                    line.previous_final = finals.get((line.kpi_id, None))
            context.update(
                plans=inputs.plans,
                commitments=inputs.commitments,
                stage_labels=stage_headings(),
                maturity=active_words().maturity,
                reports=city_reports,
            )
            return render_to_string("kpis/dashboard/_city_body.html", context)

        # What the body shows: the city's figures in its consortia, their own figures (no
        # city), the definitions, and the previous rounds' finals beside the baselines (the
        # city's there, and those rounds' own).
        previous = [m.consortium.previous_round_id for m in memberships]
        previous = [pk for pk in previous if pk]
        city_body = versioned.kept_page(
            "city",
            self.request,
            [*consortium_ids, *previous],
            city.pk,
            build=render_body,
            part=lambda: versions.part_version(
                cities=[city.pk], own_figures_of=[*consortium_ids, *previous]
            ),
        )
        context["city_body"] = mark_safe(city_body)  # noqa: S308
        return context

    def read_city(self, slug: str) -> tuple[City, list]:
        """The city and its memberships in the consortia the user may read (two queries);
        kept under the definitions' version, as cities and memberships are definitions."""
        city = get_object_or_404(City, slug=slug)
        return city, visible_memberships(self.request.user, city)


class SolutionDetailView(versioned.ConditionalPage, TemplateView):
    """The charter (what, why, ambition, lead, team, risks, funding, cost), the activities
    with their resources, and each KPI compared across the implementing cities.

    Queries (fixed): consortium; solution with theme and ambition; lead cities;
    activities; the consortium's data version; and, when the matrix is not kept rendered
    under that version yet (:mod:`kpis.dashboards.versioned`), ``matrix_inputs`` for the
    solution (memberships, implementing cities, KPIs, stages with figures, figures,
    baselines) — plus session, user and roles.
    """

    template_name = "kpis/dashboard/solution_detail.html"

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
            stage_choices=speaking_for(consortium.programme)(stage_choices)(),
            matrix=None,
        )
        asked = self.request.GET.get("stage")
        asked = asked if asked in STAGE_VIEWS else None

        @speaking_for(consortium.programme)
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
                "kpis/dashboard/_solution_matrix.html", {"solution": solution, "matrix": matrix}
            )
            return kept

        kept = versioned.kept_page(
            "solution", self.request, [consortium.pk], solution.pk, asked, build=render_matrix
        )
        context.update(kept, solution_matrix=mark_safe(kept["solution_matrix"]))  # noqa: S308
        context["estimated_cost"] = euro(solution.estimated_cost)
        return context


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

    template_name = "kpis/dashboard/kpi_detail.html"

    def get(self, request, *args, **kwargs):
        candidates = self.candidates(**kwargs)
        if len(candidates) > 1:
            return render(
                request, "kpis/dashboard/kpi_choose.html", {"kpis": candidates}, status=300
            )
        if not candidates:
            raise Http404("No such KPI in a consortium you may read.")
        self.kpi = candidates[0]
        return super().get(request, *args, **kwargs)

    def candidates(self, *, pk=None, consortium=None, code=None) -> list[KPI]:
        """The KPIs the address names among those the user may read; kept under the
        definitions' version (a KPI, its solution or consortium, and who may read which,
        are definitions), so a page read again asks the database nothing for them."""
        consortium = consortium or self.request.GET.get("consortium")
        found = versioned.kept_definitions(
            "kpi-candidates",
            self.request,
            pk,
            consortium,
            code,
            build=lambda: self.read_candidates(pk, consortium, code),
        )
        if found is None:
            raise Http404("No such KPI in a consortium you may read.")
        return found

    def read_candidates(self, pk, consortium, code) -> list[KPI] | None:
        kpis = KPI.objects.filter(
            visible_consortia_filter(self.request.user, prefix="solution__consortium__")
        ).select_related(
            "solution__consortium__programme", "solution__consortium__previous_round", "parent"
        )
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

        @speaking_for(solution.consortium.programme)
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
            finals = rounds.previous_finals(
                self.request.user, kpis=[kpi], solutions=[solution], consortia=[solution.consortium]
            )
            for line in lines:
                unit = line.column.key if line.column.kind == "city" else None
                if line.column.kind != "country":
                    line.previous_final = finals.get((kpi.pk, unit))
            context.update(
                parts=inputs.parts,
                references=inputs.references,
                lines=lines,
                stage_labels=stage_headings(),
                target=Formatter().target_wording(kpi),
                chart=reports.chart_data(kpi, lines),
            )
            body = render_to_string("kpis/dashboard/_kpi_body.html", context)
            return body, bool(context["chart"] and not inputs.parts)

        # What the body shows: the KPI's figures (its solution's rows) and the definitions;
        # the previous round's finals beside the baselines (that consortium's version).
        previous = solution.consortium.previous_round_id
        consortium_ids = [pk for pk in (solution.consortium_id, previous) if pk]
        kpi_body, chart_script = versioned.kept_page(
            "kpi",
            self.request,
            consortium_ids,
            kpi.pk,
            build=render_body,
            part=lambda: versions.part_version(
                solutions=[solution.pk], consortia=[previous] if previous else []
            ),
        )
        context.update(kpi_body=mark_safe(kpi_body), chart_script=chart_script)  # noqa: S308
        return context


def programme_consortia(user, slug: str) -> list:
    """The consortia of the programme that the user may read, with the programme; one query.
    Empty when there are none (or no such programme): the page is then a 404, so an
    unpublished programme's name is not given away."""
    return list(visible_consortia(user).filter(programme__slug=slug).order_by("name"))


class ProgrammeDetailView(versioned.ConditionalPage, TemplateView):
    """``/programmes/<slug>/``: every consortium of the programme the reader may see, its
    cities, how complete each stage is, where it stands, and the KPIs consortia share
    through a framework reference code (:mod:`kpis.dashboards.programme`).

    Queries: the definitions' version, and the programme's consortia when not kept under
    it yet; their data version, every consortium's in one query — plus the session, the
    user and the user's roles when logged in. The body is kept rendered under that
    version; only when it is not kept yet, ``programme_inputs`` reads (fixed, however many
    consortia): memberships with cities, solutions, implementing cities, KPIs, framework
    references, figures.
    """

    template_name = "kpis/dashboard/programme.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        slug = kwargs["slug"]
        consortia = versioned.kept_definitions(
            "programme", self.request, slug, build=lambda: programme_consortia(user, slug)
        )
        if not consortia:
            raise Http404("No programme of that name with a consortium you may read.")
        programme = consortia[0].programme
        context.update(programme=programme, report=None)

        @speaking_for(programme)
        def render_body() -> str:
            report = programme_report(consortia, programme_inputs(user, consortia))
            context["report"] = report
            body = {"programme": programme, "report": report}
            return render_to_string("kpis/dashboard/_programme_body.html", body)

        programme_body = versioned.kept_page(
            "programme",
            self.request,
            [consortium.pk for consortium in consortia],
            programme.pk,
            build=render_body,
        )
        context["programme_body"] = mark_safe(programme_body)  # noqa: S308
        return context
