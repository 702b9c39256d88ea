from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from cities.admin_scope import OneConsortiumAdmin, page_consortium_id
from icc_portal.admin_tools import ExplainedAdmin, ExplainedInline

from .models import Activity, AmbitionStatement, Solution, Theme, solution_city_errors


class ActivityInline(OneConsortiumAdmin, ExplainedInline, TranslationTabularInline):
    model = Activity
    fields = ["code", "title", "work_days_per_city", "planned_start", "planned_end", "status"]


class SolutionForm(forms.ModelForm):
    class Meta:
        model = Solution
        fields = ["consortium", "number", "title", "lead_cities", "implementing_cities"]

    def clean(self):
        """The solution's cities: members of its consortium, every lead city implementing."""
        data = super().clean()
        consortium = data.get("consortium") or (
            self.instance.consortium if self.instance.consortium_id else None
        )
        errors = solution_city_errors(
            consortium, data.get("lead_cities") or [], data.get("implementing_cities") or []
        )
        for field, messages in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
        return data


@admin.register(Solution)
class SolutionAdmin(OneConsortiumAdmin, TranslationAdmin, ExplainedAdmin):
    form = SolutionForm
    list_display = ["number", "title", "consortium", "theme", "lead", "estimated_cost"]
    list_display_links = ["number", "title"]
    list_filter = ["consortium", "theme"]
    list_select_related = ["consortium", "theme__consortium"]
    search_fields = ["title", "what", "why", "consortium__name", "consortium__short_name"]
    filter_horizontal = ["lead_cities", "implementing_cities"]
    # kpis.admin adds the KPIs (solutions knows nothing of kpis).
    inlines = [ActivityInline]
    readonly_fields = ["add_kpi"]
    fieldsets = [
        (None, {"fields": ["consortium", "number", "title", "theme", "ambition_statement"]}),
        (_("Charter"), {"fields": ["what", "why", "link_to_vision", "expected_impact"]}),
        (
            _("Stakeholders"),
            {"fields": ["lead_cities", "implementing_cities", "working_team", "contributors"]},
        ),
        (
            _("Risks and funding"),
            {"fields": ["risks_and_mitigation", "funding_source", "estimated_cost", "cost_note"]},
        ),
        (_("KPIs"), {"fields": ["add_kpi"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lead_cities")

    @admin.display(description=_("lead cities"))
    def lead(self, solution) -> str:
        return ", ".join(city.name for city in solution.lead_cities.all()) or "–"

    @admin.display(description=_("add a KPI"))
    def add_kpi(self, solution):
        if solution.pk is None:
            return _("Save the solution first; then add its KPIs, composite ones with their parts.")
        add = reverse("admin:kpis_kpi_add")
        return format_html(
            '<a class="addlink" href="{}?solution={}">{}</a><br>'
            '<a class="addlink" href="{}?solution={}&amp;kind=composite">{}</a>',
            add,
            solution.pk,
            _("Add a KPI to this solution"),
            add,
            solution.pk,
            _("Add a composite KPI to this solution, with its parts"),
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Without a consortium yet, each city says which consortia it belongs to."""
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("lead_cities", "implementing_cities") and formfield is not None:
            if page_consortium_id(request, "solutions.solution") is None:
                formfield.queryset = formfield.queryset.prefetch_related("consortia")
                formfield.label_from_instance = lambda city: "{} ({})".format(
                    city.name, ", ".join(map(str, city.consortia.all())) or "–"
                )
        return formfield


@admin.register(Activity)
class ActivityAdmin(OneConsortiumAdmin, ExplainedAdmin):
    list_display = [
        "code",
        "title",
        "consortium",
        "solution_number",
        "work_days_per_city",
        "status",
    ]
    list_filter = ["solution__consortium", "status", "solution"]
    list_select_related = ["solution__consortium"]
    search_fields = ["code", "title", "description"]

    @admin.display(description=_("consortium"), ordering="solution__consortium__name")
    def consortium(self, activity):
        return activity.solution.consortium

    @admin.display(description=_("solution"), ordering="solution__number")
    def solution_number(self, activity):
        return f"{activity.solution.number}. {activity.solution.title}"


@admin.register(AmbitionStatement)
class AmbitionStatementAdmin(ExplainedAdmin):
    list_display = ["number", "consortium", "text"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]
    search_fields = ["text"]


@admin.register(Theme)
class ThemeAdmin(ExplainedAdmin):
    list_display = ["name", "consortium"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
