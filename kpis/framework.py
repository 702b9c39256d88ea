"""Start a consortium from another's framework: its solutions, activities and KPIs, no figures.

A programme's second consortium often works on the same solutions as the first. The
copy brings the ambition statements and thematic tracks the solutions refer to, each
solution's charter (what, why, link to vision, expected impact, risks), its activities
(planned, without dates) and its KPIs with their targets, composite parts and framework
references. It leaves what belongs to the first consortium's own people and money:
figures and reviews, lead and implementing cities (the new consortium chooses among its
own members), working team, contributors, funding and costs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.models import Consortium
from solutions.models import Activity, AmbitionStatement, Solution, Theme

from .models import KPI, FrameworkReference
from .vocabulary import KPI_DEFINITION_FIELDS

SOLUTION_FIELDS = ("number", "title", "what", "why", "link_to_vision", "expected_impact")
SOLUTION_FIELDS += ("risks_and_mitigation",)
ACTIVITY_FIELDS = ("code", "title", "description", "work_days_per_city", "resources")


class FrameworkCopyError(ValidationError):
    pass


@dataclass
class FrameworkCopy:
    """How many rows of each kind were copied."""

    ambition_statements: int = 0
    themes: int = 0
    solutions: int = 0
    activities: int = 0
    kpis: int = 0
    parts: int = 0
    targets: int = 0
    framework_references: int = 0

    def summary(self) -> str:
        return _(
            "Copied %(solutions)s solutions with %(activities)s activities and %(kpis)s KPIs "
            "(%(parts)s of them parts of composite KPIs, %(targets)s with a target value), "
            "%(framework_references)s framework references, %(ambition_statements)s "
            "ambition statements and %(themes)s thematic tracks; no figures. Now choose the "
            "lead and implementing cities of each solution."
        ) % {field.name: getattr(self, field.name) for field in fields(self)}


def _copy(instance, values: dict, names: tuple[str, ...], source) -> object:
    for name in names:
        setattr(instance, name, getattr(source, name))
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def copy_framework(*, source: Consortium, target: Consortium) -> FrameworkCopy:
    """Copy ``source``'s framework into ``target``, which has no solutions yet; all or nothing.

    Raises :class:`FrameworkCopyError` (a ``ValidationError``) when there is nothing to
    copy or the target already has solutions.
    """
    if source.pk == target.pk:
        raise FrameworkCopyError(_("Choose another consortium to copy from."), code="same")
    if target.solutions.exists():
        raise FrameworkCopyError(
            _(
                "%(target)s already has solutions: a framework is copied into a consortium "
                "that has none yet."
            )
            % {"target": target},
            code="target_has_solutions",
        )
    if not source.solutions.exists():
        raise FrameworkCopyError(
            _("%(source)s has no solutions to copy.") % {"source": source}, code="empty"
        )
    copied = FrameworkCopy()
    with transaction.atomic():
        statements = {}
        for statement in source.ambition_statements.all():
            statements[statement.pk] = AmbitionStatement.objects.get_or_create(
                consortium=target, number=statement.number, defaults={"text": statement.text}
            )[0]
            copied.ambition_statements += 1
        themes = {}
        for theme in source.themes.all():
            themes[theme.pk] = Theme.objects.get_or_create(
                consortium=target, slug=theme.slug, defaults={"name": theme.name}
            )[0]
            copied.themes += 1
        for solution in source.solutions.prefetch_related("activities", "kpis__framework_refs"):
            new_solution = _copy(
                Solution(consortium=target),
                {
                    "theme": themes.get(solution.theme_id),
                    "ambition_statement": statements.get(solution.ambition_statement_id),
                },
                SOLUTION_FIELDS,
                solution,
            )
            copied.solutions += 1
            for activity in solution.activities.all():
                _copy(Activity(solution=new_solution), {}, ACTIVITY_FIELDS, activity)
                copied.activities += 1
            new_kpis: dict[int, KPI] = {}
            # Composite KPIs before their parts, so each part finds its composite.
            for kpi in sorted(solution.kpis.all(), key=lambda kpi: kpi.parent_id is not None):
                parent = new_kpis[kpi.parent_id] if kpi.parent_id else None
                new_kpi = _copy(
                    KPI(solution=new_solution), {"parent": parent}, KPI_DEFINITION_FIELDS, kpi
                )
                new_kpis[kpi.pk] = new_kpi
                copied.kpis += 1
                copied.parts += parent is not None
                copied.targets += kpi.target_value is not None
                for reference in kpi.framework_refs.all():
                    _copy(
                        FrameworkReference(kpi=new_kpi),
                        {},
                        ("framework", "code", "label"),
                        reference,
                    )
                    copied.framework_references += 1
    return copied


class FrameworkSourceForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Consortium.objects.none(),
        label=gettext_lazy("Copy from"),
        help_text=gettext_lazy(
            "The consortium whose solutions, activities and KPIs (with targets and composite "
            "parts) are copied. Figures are never copied."
        ),
    )

    def __init__(self, *args, target: Consortium, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = (
            Consortium.objects.exclude(pk=target.pk).filter(solutions__isnull=False).distinct()
        )
