"""What the database holds for a consortium that its data file lacks, and removing it.

A data file is the consortium's framework as a whole: a member city, ambition statement,
thematic track, solution, activity, KPI (or part), framework reference, roadmap row
(journey phase, governance body and role, commitment, three-year plan and target,
lesson), coordinator or steering member the database holds and the file does not name
is listed in the preview, and removed only when the person loading asks. Only the
sections the file has are read (``sections``: a file without ``roadmap`` says nothing
about the roadmap, one whose roadmap has no ``lessons`` nothing about lessons).

A row with figures hanging on it (a KPI, its parts, a solution of such KPIs, a member
city with figures in the consortium) is never removed: it stays, and the report says
which figures keep it. So does a row that what stays still names (a member city that a
solution or a roadmap row of the consortium names, a track or an ambition statement
that a solution is in). Figures themselves are never removed by a file; those the file
lacks are counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.models import CityCoordinator, Consortium, Membership, SteeringCommitteeMember
from kpis.models import KPI, FrameworkReference, Measurement
from roadmaps.models import (
    Commitment,
    GovernanceBody,
    GovernanceRole,
    Lesson,
    Phase,
    PlanTarget,
    ThreeYearPlan,
)
from solutions.models import Activity, AmbitionStatement, Solution, Theme

from .loader_base import coordinates_label, steering_label

Touched = dict[type[models.Model], set]

#: The roadmap's rows that name a member city: the membership stays while they do.
CITY_ROADMAP_MODELS = [GovernanceBody, Commitment, ThreeYearPlan]


@dataclass(frozen=True)
class AbsentRow:
    """A row of the consortium the file does not name. ``kept_by`` says which figures
    (or which rows that stay) keep it from being removed (empty: it may be removed);
    ``removable`` is False for what a file never removes (figures)."""

    model: type[models.Model]
    pk: int | None
    label: str
    kept_by: str = ""
    removable: bool = True

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)


def _numbers(numbers) -> str:
    return ", ".join(str(number) for number in sorted(numbers))


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def find_absent(consortium: Consortium, touched: Touched, sections: set[str]) -> list[AbsentRow]:
    """The consortium's rows not in ``touched`` (the rows the file named), for the
    ``sections`` the file has: its top-level keys, ``consortium.members`` and
    ``roadmap.<key>`` for the lists it gives there (a file without ``users`` says nothing
    about users). Listed in the file's order."""
    framework = _absent_framework(consortium, touched, sections)
    roadmap = _absent_roadmap(consortium, touched, sections)
    going = _removable_pks(framework + roadmap)
    found: list[AbsentRow] = []
    if "consortium.members" in sections:
        found += _absent_members(consortium, touched, going)
    if "ambition_statements" in sections:
        found += _absent_solution_groups(
            AmbitionStatement,
            consortium,
            touched,
            going,
            field="ambition_statement",
            order="number",
            label=lambda statement: (
                _("ambition statement %(number)s") % {"number": statement.number}
            ),
            kept_by=lambda count: ngettext(
                "solution %(numbers)s serves it", "solutions %(numbers)s serve it", count
            ),
        )
    if "themes" in sections:
        found += _absent_solution_groups(
            Theme,
            consortium,
            touched,
            going,
            field="theme",
            order="slug",
            label=lambda theme: _("theme %(slug)s") % {"slug": theme.slug},
            kept_by=lambda count: ngettext(
                "solution %(numbers)s is in it", "solutions %(numbers)s are in it", count
            ),
        )
    found += framework
    found += roadmap
    if "users" in sections:
        named = touched.get(CityCoordinator, set())
        coordinators = CityCoordinator.objects.filter(city__memberships__consortium=consortium)
        for link in coordinators.select_related("user", "city").order_by("user__username"):
            if link.pk not in named:
                label = coordinates_label(link.user.get_username(), link.city.slug)
                found.append(AbsentRow(CityCoordinator, link.pk, label))
        named = touched.get(SteeringCommitteeMember, set())
        members = SteeringCommitteeMember.objects.filter(consortium=consortium)
        for link in members.select_related("user").order_by("user__username"):
            if link.pk not in named:
                label = steering_label(link.user.get_username())
                found.append(AbsentRow(SteeringCommitteeMember, link.pk, label))
    return found


def _figures_hang_on_it(count: int) -> str:
    return ngettext("%(count)s figure hangs on it", "%(count)s figures hang on it", count) % {
        "count": count
    }


def _absent_framework(consortium: Consortium, touched: Touched, sections: set[str]) -> list:
    found: list[AbsentRow] = []
    if "solutions" in sections:
        kpis = list(
            KPI.objects.filter(solution__consortium=consortium)
            .select_related("solution", "parent")
            .annotate(figures=Count("measurements"))
            .order_by("solution__number", "code")
        )
        figures_by_kpi = {kpi.pk: kpi.figures for kpi in kpis}
        figures_by_solution: dict[int, int] = defaultdict(int)
        for kpi in kpis:
            figures_by_solution[kpi.solution_id] += kpi.figures
        named = touched.get(Solution, set())
        for solution in Solution.objects.filter(consortium=consortium).order_by("number"):
            if solution.pk not in named:
                count = figures_by_solution[solution.pk]
                kept_by = (
                    ngettext(
                        "%(count)s figure hangs on its KPIs",
                        "%(count)s figures hang on its KPIs",
                        count,
                    )
                    % {"count": count}
                    if count
                    else ""
                )
                label = _("solution %(number)s") % {"number": solution.number}
                found.append(AbsentRow(Solution, solution.pk, label, kept_by))
        named = touched.get(Activity, set())
        activities = Activity.objects.filter(solution__consortium=consortium).order_by(
            "solution__number", "code"
        )
        for activity in activities.exclude(pk__in=named):
            label = _("activity %(code)s") % {"code": activity.code}
            found.append(AbsentRow(Activity, activity.pk, label))
        named = touched.get(KPI, set())
        for kpi in kpis:
            if kpi.pk in named:
                continue
            count = figures_by_kpi[kpi.pk] + sum(
                figures_by_kpi[part.pk] for part in kpis if part.parent_id == kpi.pk
            )
            kept_by = _figures_hang_on_it(count) if count else ""
            found.append(AbsentRow(KPI, kpi.pk, f"KPI {kpi.code} {kpi.name}", kept_by))
        named = touched.get(FrameworkReference, set())
        references = FrameworkReference.objects.filter(kpi__solution__consortium=consortium)
        for reference in references.select_related("kpi").order_by("kpi__code", "code"):
            if reference.pk not in named:
                label = f"KPI {reference.kpi.code}: {reference.framework} {reference.code}"
                found.append(AbsentRow(FrameworkReference, reference.pk, label))
    if "measurements" in sections:
        named = touched.get(Measurement, set())
        lacking = (
            Measurement.objects.filter(kpi__solution__consortium=consortium)
            .exclude(pk__in=named)
            .count()
        )
        if lacking:
            label = ngettext(
                "%(count)s figure not in the file (a data file never removes figures)",
                "%(count)s figures not in the file (a data file never removes figures)",
                lacking,
            ) % {"count": lacking}
            found.append(AbsentRow(Measurement, None, label, removable=False))
    return found


def _absent_roadmap(consortium: Consortium, touched: Touched, sections: set[str]) -> list:
    """The roadmap's rows the file lacks, for the roadmap's lists the file gives."""
    found: list[AbsentRow] = []

    def lacking(model, queryset):
        return queryset.exclude(pk__in=touched.get(model, set()))

    if "roadmap.phases" in sections:
        phases = lacking(Phase, Phase.objects.filter(consortium=consortium))
        for phase in phases.order_by("number"):
            label = _("phase %(number)s %(name)s") % {"number": phase.number, "name": phase.name}
            found.append(AbsentRow(Phase, phase.pk, label))
    if "roadmap.governance" in sections:
        bodies = GovernanceBody.objects.filter(consortium=consortium).select_related("city")
        for body in lacking(GovernanceBody, bodies).order_by("position", "name"):
            label = _("governance body %(body)s") % {"body": _body(body)}
            found.append(AbsentRow(GovernanceBody, body.pk, label))
        roles = GovernanceRole.objects.filter(body__consortium=consortium)
        roles = lacking(GovernanceRole, roles).select_related("body__city")
        for role in roles.order_by("body__position", "body__name", "position"):
            label = _("governance body %(body)s") % {"body": _body(role.body)}
            label = f"{label}: {_short(role.role)}"
            found.append(AbsentRow(GovernanceRole, role.pk, label))
    if "roadmap.commitments" in sections:
        commitments = lacking(Commitment, Commitment.objects.filter(consortium=consortium))
        for commitment in commitments.order_by("position", "pk"):
            label = _("commitment %(text)s") % {"text": _short(commitment.text)}
            found.append(AbsentRow(Commitment, commitment.pk, label))
    if "roadmap.plans" in sections:
        plans = ThreeYearPlan.objects.filter(consortium=consortium).select_related("city")
        for plan in lacking(ThreeYearPlan, plans).order_by("city__slug"):
            label = _("three-year plan of %(city)s") % {"city": plan.city.slug}
            found.append(AbsentRow(ThreeYearPlan, plan.pk, label))
        targets = PlanTarget.objects.filter(plan__consortium=consortium)
        targets = lacking(PlanTarget, targets).select_related("plan__city")
        for target in targets.order_by("plan__city__slug", "number"):
            label = _("three-year plan of %(city)s: target %(number)s") % {
                "city": target.plan.city.slug,
                "number": target.number,
            }
            found.append(AbsentRow(PlanTarget, target.pk, f"{label} {target.category}"))
    if "roadmap.lessons" in sections:
        lessons = lacking(Lesson, Lesson.objects.filter(consortium=consortium))
        for lesson in lessons.order_by("number"):
            label = _("lesson %(number)s") % {"number": lesson.number}
            found.append(AbsentRow(Lesson, lesson.pk, label))
    return found


def _body(body: GovernanceBody) -> str:
    return f"{body.name} ({body.city.slug if body.city_id else _('consortium')})"


def _removable_pks(rows: list[AbsentRow]) -> dict[type[models.Model], set]:
    """The rows a removal on request takes away: what stays is everything else."""
    going: dict[type[models.Model], set] = defaultdict(set)
    for row in rows:
        if row.removable and not row.kept_by:
            going[row.model].add(row.pk)
    return going


def _absent_solution_groups(
    model, consortium: Consortium, touched: Touched, going, *, field, order, label, kept_by
) -> list[AbsentRow]:
    """The consortium's ambition statements or tracks the file lacks (``model``, which
    solutions name by ``field``), each kept while a solution that stays is in it
    (``kept_by`` says so, given how many)."""
    rows = model.objects.filter(consortium=consortium).exclude(pk__in=touched.get(model, set()))
    solutions = _solutions_in(consortium, field, going)
    found = []
    for row in rows.order_by(order):
        numbers = solutions.get(row.pk, ())
        reason = kept_by(len(numbers)) % {"numbers": _numbers(numbers)} if numbers else ""
        found.append(AbsentRow(model, row.pk, label(row), reason))
    return found


def _solutions_in(consortium: Consortium, field: str, going) -> dict[int, set]:
    """The numbers of the consortium's solutions that stay, by their ``field``'s id."""
    found: dict[int, set] = defaultdict(set)
    solutions = Solution.objects.filter(consortium=consortium, **{f"{field}__isnull": False})
    for pk, number, chosen in solutions.values_list("pk", "number", f"{field}_id"):
        if pk not in going[Solution]:
            found[chosen].add(number)
    return found


def _absent_members(consortium: Consortium, touched: Touched, going) -> list[AbsentRow]:
    """Member cities the file lacks. Kept while figures of the city hang on the
    consortium's KPIs, or while a solution or a roadmap row that stays names it (the
    admin's consortium page holds the same rule for solutions)."""
    named = touched.get(Membership, set())
    memberships = list(
        Membership.objects.filter(consortium=consortium)
        .exclude(pk__in=named)
        .select_related("city")
        .order_by("city__slug")
    )
    if not memberships:
        return []
    city_ids = [membership.city_id for membership in memberships]
    figures: dict[int, dict[str, int]] = defaultdict(dict)
    counted = (
        Measurement.objects.filter(kpi__solution__consortium=consortium, city_id__in=city_ids)
        .values_list("city_id", "kpi__code")
        .annotate(count=Count("pk"))
    )
    for city_id, code, count in counted:
        figures[city_id][code] = count
    solutions: dict[int, set] = defaultdict(set)
    for relation in (Solution.lead_cities.through, Solution.implementing_cities.through):
        links = relation.objects.filter(solution__consortium=consortium, city_id__in=city_ids)
        for city_id, solution_id, number in links.values_list(
            "city_id", "solution_id", "solution__number"
        ):
            if solution_id not in going[Solution]:
                solutions[city_id].add(number)
    roadmap_rows: dict[int, list[str]] = defaultdict(list)
    for model in CITY_ROADMAP_MODELS:
        rows = model.objects.filter(consortium=consortium, city_id__in=city_ids)
        for pk, city_id in rows.values_list("pk", "city_id"):
            kind = str(model._meta.verbose_name_plural)
            if pk not in going[model] and kind not in roadmap_rows[city_id]:
                roadmap_rows[city_id].append(kind)
    found = []
    for membership in memberships:
        city, reasons = membership.city.slug, []
        by_kpi = figures[membership.city_id]
        if by_kpi:
            count = sum(by_kpi.values())
            reasons.append(
                ngettext(
                    "%(count)s figure of %(city)s hangs on it (KPI %(codes)s)",
                    "%(count)s figures of %(city)s hang on it (KPI %(codes)s)",
                    count,
                )
                % {"count": count, "city": city, "codes": ", ".join(sorted(by_kpi))}
            )
        numbers = solutions[membership.city_id]
        if numbers:
            reasons.append(
                ngettext(
                    "%(city)s takes part in solution %(numbers)s",
                    "%(city)s takes part in solutions %(numbers)s",
                    len(numbers),
                )
                % {"city": city, "numbers": _numbers(numbers)}
            )
        if roadmap_rows[membership.city_id]:
            kinds = ", ".join(roadmap_rows[membership.city_id])
            reasons.append(
                _("the roadmap's %(rows)s of %(city)s stay") % {"rows": kinds, "city": city}
            )
        label = _("member city %(city)s") % {"city": city}
        found.append(AbsentRow(Membership, membership.pk, label, "; ".join(reasons)))
    return found


def remove_rows(absent: list[AbsentRow]) -> list[AbsentRow]:
    """Delete the removable rows of ``absent`` that no figure keeps; the rows removed.

    Rows inside a row removed (a solution's activities and KPIs, a governance body's
    roles, a plan's targets) go with it, and are counted as removed."""
    removed = []
    for row in absent:
        if not row.removable or row.kept_by:
            continue
        instance = row.model.objects.filter(pk=row.pk).first()
        if instance is not None:
            instance.delete()
        removed.append(row)  # deleted now, or with the row it was part of
    return removed
