from django.contrib import admin

from kpis.models import KPI

from .models import Activity, AmbitionStatement, Solution, Theme


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["code", "title", "work_days_per_city", "planned_start", "planned_end", "status"]


class KPIInline(admin.TabularInline):
    model = KPI
    extra = 0
    fields = [
        "code",
        "name",
        "parent",
        "unit",
        "value_type",
        "target_value",
        "target_scope",
        "direction",
        "reporting_level",
        "rollup",
    ]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent_field = formset.form.base_fields.get("parent")
        if parent_field is not None and obj is not None:
            parent_field.queryset = KPI.objects.filter(solution=obj, parent__isnull=True)
        return formset


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "consortium", "theme", "estimated_cost"]
    list_display_links = ["number", "title"]
    list_filter = ["consortium", "theme"]
    list_select_related = ["consortium", "theme"]
    search_fields = ["title", "what", "why"]
    filter_horizontal = ["lead_cities", "implementing_cities"]
    inlines = [ActivityInline, KPIInline]
    fieldsets = [
        (None, {"fields": ["consortium", "number", "title", "theme", "ambition_statement"]}),
        ("Charter", {"fields": ["what", "why", "link_to_vision", "expected_impact"]}),
        (
            "Stakeholders",
            {"fields": ["lead_cities", "implementing_cities", "working_team", "contributors"]},
        ),
        (
            "Risks and funding",
            {"fields": ["risks_and_mitigation", "funding_source", "estimated_cost", "cost_note"]},
        ),
    ]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "solution", "work_days_per_city", "status"]
    list_filter = ["status", "solution__consortium", "solution"]
    list_select_related = ["solution"]
    search_fields = ["code", "title", "description"]


@admin.register(AmbitionStatement)
class AmbitionStatementAdmin(admin.ModelAdmin):
    list_display = ["number", "consortium", "text"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]
    search_fields = ["text"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "consortium"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
