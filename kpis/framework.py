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

from dataclasses import dataclass, field, fields

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.models import Consortium
from icc_portal.own_words import with_every_language
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
    #: Target wordings said again from the copied target value and scope.
    reworded: int = 0
    #: KPIs whose target is only words (no value): kept as written, to be reviewed.
    flagged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        said = _(
            "Copied %(solutions)s solutions with %(activities)s activities and %(kpis)s KPIs "
            "(%(parts)s of them parts of composite KPIs, %(targets)s with a target value), "
            "%(framework_references)s framework references, %(ambition_statements)s "
            "ambition statements and %(themes)s thematic tracks; no figures. Now choose the "
            "lead and implementing cities of each solution."
        ) % {item.name: getattr(self, item.name) for item in fields(self)}
        return " ".join([said, *self.wording_notes()])

    def wording_notes(self) -> list[str]:
        notes = []
        if self.reworded:
            notes.append(
                _("Target wordings are said from each copied target value and scope (%(count)s).")
                % {"count": self.reworded}
            )
        if self.flagged:
            notes.append(
                _("Review the target as worded of KPIs %(codes)s: it was copied as written.")
                % {"codes": ", ".join(self.flagged)}
            )
        return notes


def _copy(instance, values: dict, names: tuple[str, ...], source) -> object:
    for name in with_every_language(type(instance), names):  # words in every language
        setattr(instance, name, getattr(source, name))
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def already_has_solutions(target: Consortium) -> str:
    return _(
        "%(target)s already has solutions: a framework is copied into a consortium that has "
        "none yet. Start a new consortium, or remove its solutions first; or copy one "
        "solution or one KPI (the actions of the solutions' and the KPIs' lists)."
    ) % {"target": target}


def _copy_kpi(kpi: KPI, solution: Solution, code: str, parent, copied: FrameworkCopy) -> KPI:
    """Copy ``kpi`` (its parts and framework references too) into ``solution`` as ``code``.

    A target worded beside a target value is said again from the copy's value and scope
    (the source's words may name its own cities); a target that is only words is kept
    and flagged for review."""
    values = {"parent": parent, "code": code}
    wording = with_every_language(KPI, ("target_text",))  # every language's column
    worded = any(getattr(kpi, column) for column in wording)
    if kpi.target_value is not None and worded:
        values.update(dict.fromkeys(wording, ""))
        copied.reworded += 1
    elif worded:
        copied.flagged.append(code)
    new_kpi = _copy(KPI(solution=solution), values, KPI_DEFINITION_FIELDS, kpi)
    copied.kpis += 1
    copied.parts += parent is not None
    copied.targets += kpi.target_value is not None
    for reference in kpi.framework_refs.all():
        _copy(FrameworkReference(kpi=new_kpi), {}, ("framework", "code", "label"), reference)
        copied.framework_references += 1
    for part in kpi.parts.all():
        part_code = (
            code + part.code[len(kpi.code) :] if part.code.startswith(kpi.code) else part.code
        )
        _copy_kpi(part, solution, part_code, new_kpi, copied)
    return new_kpi


def copy_solution(*, solution: Solution, target: Consortium, number: int) -> FrameworkCopy:
    """Copy one solution (its charter, activities and KPIs, no cities and no figures) into
    ``target`` as solution ``number``; all or nothing. Its KPIs and activities are coded
    from the new number ("1.2" as solution 3: "3.2")."""
    copied = FrameworkCopy()
    if target.solutions.filter(number=number).exists():
        raise FrameworkCopyError(
            _("%(target)s already has a solution %(number)s: choose another number.")
            % {"target": target, "number": number},
            code="number_taken",
        )
    prefix = f"{solution.number}."

    def recoded(code: str) -> str:
        return f"{number}.{code[len(prefix) :]}" if code.startswith(prefix) else code

    with transaction.atomic():
        new_solution = _copy(
            Solution(consortium=target),
            {"number": number, "theme": None, "ambition_statement": None},
            SOLUTION_FIELDS,
            solution,
        )
        copied.solutions += 1
        for activity in solution.activities.all():
            _copy(
                Activity(solution=new_solution),
                {"code": recoded(activity.code)},
                ACTIVITY_FIELDS,
                activity,
            )
            copied.activities += 1
        for kpi in solution.kpis.filter(parent__isnull=True):
            _copy_kpi(kpi, new_solution, recoded(kpi.code), None, copied)
    return copied


def copy_kpi(*, kpi: KPI, solution: Solution, code: str) -> FrameworkCopy:
    """Copy one KPI (with its parts and framework references, no figures) into
    ``solution`` (of any consortium) as ``code``; all or nothing."""
    if kpi.parent_id:
        raise FrameworkCopyError(
            _("KPI %(code)s is a part: copy its composite KPI, which brings its parts.")
            % {"code": kpi.code},
            code="part",
        )
    copied = FrameworkCopy()
    with transaction.atomic():
        _copy_kpi(kpi, solution, code, None, copied)
    return copied


def copy_framework(*, source: Consortium, target: Consortium) -> FrameworkCopy:
    """Copy ``source``'s framework into ``target``, which has no solutions yet; all or nothing.

    Raises :class:`FrameworkCopyError` (a ``ValidationError``) when there is nothing to
    copy or the target already has solutions.
    """
    if source.pk == target.pk:
        raise FrameworkCopyError(_("Choose another consortium to copy from."), code="same")
    if target.solutions.exists():
        raise FrameworkCopyError(
            already_has_solutions(target),
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
        for solution in source.solutions.prefetch_related(
            "activities", "kpis__framework_refs", "kpis__parts__framework_refs"
        ):
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
            for kpi in solution.kpis.all():
                if kpi.parent_id is None:
                    _copy_kpi(kpi, new_solution, kpi.code, None, copied)
    return copied


class SolutionCopyForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Consortium.objects.none(),
        label=gettext_lazy("Copy into"),
        help_text=gettext_lazy(
            "The consortium that gets a copy of this solution's charter, activities and KPIs "
            "(no cities, no figures)."
        ),
    )
    number = forms.IntegerField(
        label=gettext_lazy("as solution number"),
        min_value=1,
        help_text=gettext_lazy("Its activities and KPIs are coded from this number."),
    )

    def __init__(self, *args, solution: Solution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Consortium.objects.exclude(pk=solution.consortium_id)


class KPICopyForm(forms.Form):
    solution = forms.ModelChoiceField(
        queryset=Solution.objects.select_related("consortium"),
        label=gettext_lazy("Copy into the solution"),
        help_text=gettext_lazy(
            "Of any consortium. The KPI comes with its parts and framework references, "
            "never its figures."
        ),
    )
    code = forms.CharField(
        label=gettext_lazy("as KPI code"),
        max_length=12,
        help_text=gettext_lazy("The solution's number, a dot, the KPI's own number."),
    )


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
