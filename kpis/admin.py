from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from cities.admin import ConsortiumAdmin
from cities.admin_scope import OneConsortiumAdmin, is_autocomplete, referring_match
from cities.models import Consortium
from icc_portal.admin_tools import FORM_FIELDS, ExplainedAdmin, ExplainedInline, RulesInlineFormSet
from icc_portal.numbers import plain
from solutions.admin import SolutionAdmin
from solutions.models import Solution

from .admin_copies import CopyKPIAction, CopySolutionAction
from .dashboards.figures import Formatter
from .framework import (
    FrameworkCopyError,
    FrameworkSourceForm,
    already_has_solutions,
    copy_framework,
)
from .invariants import target_text_warning
from .models import KPI, FrameworkReference, Measurement, StageReview
from .rounds import NextRoundForm, start_next_round

PART_FIELDS = [
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_scope",
    "direction",
    "reporting_level",
    "rollup",
]


#: The add page's query for a composite KPI, made with its parts (``?kind=composite``).
COMPOSITE_KIND = "composite"


def adds_a_composite(request, obj) -> bool:
    """The page adds a composite KPI: it asks what applies to one, and its parts."""
    return obj is None and request.GET.get("kind") == COMPOSITE_KIND


class PartFormSet(RulesInlineFormSet):
    """A composite KPI's parts, added with it: they take its solution (and consortium).

    Their codes differ from one another and from the composite's; the unique code
    within the solution is checked with the solution they take.
    """

    also_checked = ("solution",)
    #: A composite being added needs a part (:meth:`PartInline.get_formset`).
    parts_required = False

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.solution_id:
            form.instance.solution = self.instance.solution
        return form

    def clean(self):
        super().clean()
        if self.instance.parent_id and any(form.has_changed() for form in self.forms):
            raise ValidationError(
                _("This KPI is itself a part: a part cannot have parts."), code="nested_part"
            )
        if self.parts_required and not any(
            form.is_valid() and form.has_changed() and not self._should_delete_form(form)
            for form in self.forms
        ):
            raise ValidationError(
                _("A composite KPI is made of its parts: add them below, at least one."),
                code="no_parts",
            )
        seen = {self.instance.code}
        for form in self.forms:
            if not form.is_valid() or self._should_delete_form(form):
                continue
            code = form.cleaned_data.get("code")
            if code in seen:
                form.add_error(
                    "code",
                    _("Code %(code)s is already used by this KPI or another of its parts.")
                    % {"code": code},
                )
            seen.add(code)

    def save_new(self, form, commit=True):
        form.instance.solution = self.instance.solution
        return super().save_new(form, commit)


class PartInline(ExplainedInline, TranslationTabularInline):
    model = KPI
    fk_name = "parent"
    formset = PartFormSet
    # A part's row asks its words in English only, so that the row fits 1280 px; the
    # part's own page (the link) asks them in each language.
    fields = [{"name": "name_en", "unit": "unit_en"}.get(field, field) for field in PART_FIELDS]
    show_change_link = True
    verbose_name = pgettext_lazy("a row of a composite KPI's parts", "part")
    verbose_name_plural = _("parts of this composite KPI (figures are entered for each part)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if adds_a_composite(request, obj):
            formset = type(formset.__name__, (formset,), {"parts_required": True})
        return formset


class FrameworkReferenceInline(ExplainedInline, admin.TabularInline):
    model = FrameworkReference


class CompositeFilter(admin.SimpleListFilter):
    title = _("composite KPIs")
    parameter_name = "composite"

    def lookups(self, request, model_admin):
        return [
            ("composite", _("Composite KPIs")),
            ("part", _("Parts")),
            ("single", _("Neither")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "composite":
            return queryset.filter(parts__isnull=False).distinct()
        if self.value() == "part":
            return queryset.filter(parent__isnull=False)
        if self.value() == "single":
            return queryset.filter(parent__isnull=True, parts__isnull=True)
        return queryset


@admin.register(KPI)
class KPIAdmin(CopyKPIAction, OneConsortiumAdmin, TranslationAdmin, ExplainedAdmin):
    list_display = [
        "code",
        "name",
        "consortium_solution",
        "value_type",
        "target",
        "target_basis",
        "target_scope",
        "direction",
        "reporting_level",
        "rollup",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "solution__consortium",
        "solution",
        CompositeFilter,
        "value_type",
        "target_basis",
        "target_scope",
        "reporting_level",
    ]
    list_select_related = ["solution__consortium"]
    search_fields = ["code", "name", "method", "data_source"]
    autocomplete_fields = ["parent"]
    inlines = [PartInline, FrameworkReferenceInline]
    readonly_fields = ["target_as_read"]
    actions = ["copy_kpi"]

    class Media:
        css = {"all": ["css/admin-kpi.css"]}

    fieldsets = [
        (None, {"fields": ["solution", "parent", "code", "name", "unit", "value_type"]}),
        (
            _("Target"),
            {
                "fields": [
                    "target_value",
                    "target_basis",
                    "target_scope",
                    "target_text",
                    "target_as_read",
                    "direction",
                    "reporting_level",
                    "rollup",
                ]
            },
        ),
        (
            _("Definition sheet"),
            {"fields": ["method", "data_source", "means_of_verification"]},
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        """A composite (a KPI with parts, or one added as composite: ``?kind=composite``)
        asks only what applies to it: its figures are its parts', each with its own type,
        target, scope, direction, level and roll-up."""
        composite = adds_a_composite(request, obj) or (
            obj is not None and not obj.parent_id and obj.parts.exists()
        )
        if not composite:
            return super().get_fieldsets(request, obj)
        return self._patch_fieldsets(  # the name in each language (django-modeltranslation)
            self.composite_fieldsets()
        )

    def composite_fieldsets(self) -> list:
        return [
            (
                None,
                {
                    "fields": ["solution", "code", "name"],
                    "description": _(
                        "A composite KPI: figures are entered for each of its parts (below), "
                        "each with its own value type, target, scope, direction, reporting "
                        "level and roll-up. The composite itself is not judged."
                    ),
                },
            ),
            (
                _("Definition sheet"),
                {"fields": ["method", "data_source", "means_of_verification"]},
            ),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if adds_a_composite(request, None):
            extra_context = {**(extra_context or {}), "title": _("Add a composite KPI")}
        return super().add_view(request, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """A composite picker leaves out the KPI being edited itself."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if is_autocomplete(request) and request.GET.get("field_name") == "parent":
            match = referring_match(request)
            if match and match.url_name == "kpis_kpi_change":
                queryset = queryset.exclude(pk=match.kwargs.get("object_id"))
        return queryset, may_have_duplicates

    def get_inlines(self, request, obj):
        """A part has no parts of its own; a new KPI is given parts when it is added as
        a composite (its own link), which then asks only what applies to a composite."""
        if obj is not None and obj.parent_id:
            return [FrameworkReferenceInline]
        if obj is None and not adds_a_composite(request, obj):
            return [FrameworkReferenceInline]
        return super().get_inlines(request, obj)

    @admin.display(description=_("consortium"), ordering="solution__consortium__name")
    def consortium(self, kpi):
        return kpi.solution.consortium

    @admin.display(description=_("solution"), ordering="solution__number")
    def solution_number(self, kpi):
        return kpi.solution.number

    @admin.display(description=_("solution"), ordering="solution")
    def consortium_solution(self, kpi) -> str:
        """The consortium and the solution's number in one column ("SERN · 1"), so the
        list's eleven columns fit a 1280 px window."""
        consortium = kpi.solution.consortium
        return f"{consortium.short_name or consortium.name} · {kpi.solution.number}"

    @admin.display(description=_("target value"), ordering="target_value")
    def target(self, kpi):
        return plain(kpi.target_value) or "–"

    @admin.display(description=_("target as it reads"))
    def target_as_read(self, kpi):
        """What the entry grid and the dashboards show as the target, once saved."""
        if kpi.pk is None:
            return _("Said from the target value and scope when “target as worded” is empty.")
        return Formatter().target_wording(kpi) or "–"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warning = target_text_warning(obj)
        if warning:
            self.message_user(request, warning, messages.WARNING)


class AnswerDisplay:
    """A figure as words: a plain number, yes or no, or the text."""

    @admin.display(description=_("answer"))
    def answer(self, measurement):
        if measurement.status != Measurement.Status.REPORTED:
            return "–"
        parts = []
        if measurement.boolean_value is not None:
            parts.append(str(_("Yes") if measurement.boolean_value else _("No")))
        if measurement.value is not None:
            parts.append(plain(measurement.value))
        if measurement.text_value:
            parts.append(measurement.text_value[:60])
        return " · ".join(parts) or "–"


@admin.register(Measurement)
class MeasurementAdmin(OneConsortiumAdmin, AnswerDisplay, SimpleHistoryAdmin, ExplainedAdmin):
    formfield_overrides = FORM_FIELDS
    list_display = [
        "kpi_code",
        "consortium",
        "city",
        "stage",
        "status",
        "answer",
        "review_state",
        "version",
        "entered_by",
        "updated_at",
    ]
    list_filter = ["kpi__solution__consortium", "stage", "status", "review_state", "city"]
    list_select_related = ["kpi__solution__consortium", "city", "entered_by"]
    search_fields = ["kpi__code", "kpi__name", "city__name", "note", "text_value"]
    autocomplete_fields = ["kpi", "city"]
    readonly_fields = ["version", "entered_by", "created_at", "updated_at"]

    @admin.display(description=_("KPI"), ordering="kpi__code")
    def kpi_code(self, measurement):
        return f"{measurement.kpi.code} {measurement.kpi.name}"

    @admin.display(description=_("consortium"), ordering="kpi__solution__consortium__name")
    def consortium(self, measurement):
        return measurement.kpi.solution.consortium

    def save_model(self, request, obj, form, change):
        """Edits in the admin raise the version too, so an open entry grid sees them as newer."""
        if change and form.has_changed():
            obj.version += 1
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StageReview)
class StageReviewAdmin(SimpleHistoryAdmin):
    """Review states are changed through the entry grid (submit, approve, return, reopen),
    so the figures move with them; the admin shows them and their history."""

    list_display = ["consortium", "city", "stage", "state", "changed_by", "changed_at"]
    list_filter = ["consortium", "stage", "state"]
    list_select_related = ["consortium", "city", "changed_by"]
    search_fields = ["city__name", "consortium__name", "comment"]
    readonly_fields = [
        "consortium",
        "city",
        "stage",
        "state",
        "comment",
        "changed_by",
        "changed_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


# ----------------------------------------------------------------- KPIs on other apps' pages
# The lower apps' admin pages know nothing of kpis; kpis adds what concerns KPIs to them.


class KPIInline(admin.TabularInline):
    """The solution's KPIs at a glance, each opening on its own page, where every field is
    explained and a composite KPI's parts are added with it."""

    model = KPI
    fields = ["code", "name", "composite", "value_type", "target", "target_scope", "rollup"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0
    verbose_name_plural = _("KPIs (open one to change it; add one with the link above)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("composite KPI"))
    def composite(self, kpi) -> str:
        return kpi.parent.code if kpi.parent_id else "–"

    @admin.display(description=_("target value"))
    def target(self, kpi) -> str:
        return plain(kpi.target_value) or "–"


class SolutionWithKPIsAdmin(CopySolutionAction, SolutionAdmin):
    """The solution's page, with its KPIs below its activities; a solution copied into
    another consortium from the list."""

    inlines = [*SolutionAdmin.inlines, KPIInline]
    actions = ["copy_solution"]


class ConsortiumWithFrameworkAdmin(ConsortiumAdmin):
    """The consortium's page, with the actions that copy another consortium's framework and
    start a consortium's next round."""

    actions = ["copy_framework", "start_next_round"]

    @admin.action(description=_("Start the next round"))
    def start_next_round(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one consortium to continue."), messages.WARNING
            )
            return None
        previous = queryset.get()
        initial = {"name": previous.name}  # a short name of its own: "SERN" names the first
        form = NextRoundForm(request.POST if "start" in request.POST else None, initial=initial)
        if form.is_valid():
            try:
                started = start_next_round(previous=previous, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, started.summary(), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:cities_consortium_change", args=[started.consortium.pk])
                )
        title = _("Start the next round of %(consortium)s") % {"consortium": previous}
        return self.action_page(request, "next_round", title=title, form=form, target=previous)

    @admin.action(description=_("Copy another consortium's framework into it"))
    def copy_framework(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one consortium to copy into."), messages.WARNING
            )
            return None
        target = queryset.get()
        if target.solutions.exists():  # said first, with the way out, before any choice
            self.message_user(request, already_has_solutions(target), messages.ERROR)
            return None
        form = FrameworkSourceForm(request.POST if "copy" in request.POST else None, target=target)
        if form.is_valid():
            try:
                copied = copy_framework(source=form.cleaned_data["source"], target=target)
            except FrameworkCopyError as error:
                form.add_error("source", error.message)
            else:
                self.message_user(request, copied.summary(), messages.SUCCESS)
                return None
        title = _("Copy a framework into %(consortium)s") % {"consortium": target}
        return self.action_page(request, "copy_framework", title=title, form=form, target=target)

    def action_page(self, request, template: str, *, title: str, form, target):
        """An action's intermediate page (its form, for the one consortium chosen)."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "target": target,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, f"admin/cities/consortium/{template}.html", context)


admin.site.unregister(Solution)
admin.site.register(Solution, SolutionWithKPIsAdmin)
admin.site.unregister(Consortium)
admin.site.register(Consortium, ConsortiumWithFrameworkAdmin)
