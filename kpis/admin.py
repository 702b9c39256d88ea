from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import KPI, FrameworkReference, Measurement


class PartInline(admin.TabularInline):
    model = KPI
    fk_name = "parent"
    extra = 0
    fields = ["code", "name", "unit", "value_type", "target_value", "target_scope", "rollup"]
    verbose_name = "part"
    verbose_name_plural = "parts of this composite KPI"


class FrameworkReferenceInline(admin.TabularInline):
    model = FrameworkReference
    extra = 0


@admin.register(KPI)
class KPIAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "solution",
        "value_type",
        "target_value",
        "target_scope",
        "reporting_level",
        "rollup",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "solution__consortium",
        "solution",
        "value_type",
        "target_scope",
        "reporting_level",
    ]
    list_select_related = ["solution"]
    search_fields = ["code", "name", "method", "data_source"]
    autocomplete_fields = ["parent"]
    inlines = [PartInline, FrameworkReferenceInline]
    fieldsets = [
        (None, {"fields": ["solution", "parent", "code", "name", "unit", "value_type"]}),
        (
            "Target",
            {
                "fields": [
                    "target_value",
                    "target_scope",
                    "target_text",
                    "direction",
                    "reporting_level",
                    "rollup",
                ]
            },
        ),
        ("Definition sheet", {"fields": ["method", "data_source", "means_of_verification"]}),
    ]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = [
        "kpi",
        "city",
        "stage",
        "status",
        "value",
        "review_state",
        "version",
        "entered_by",
        "updated_at",
    ]
    list_filter = ["stage", "status", "review_state", "kpi__solution__consortium", "city"]
    list_select_related = ["kpi", "city", "entered_by"]
    search_fields = ["kpi__code", "kpi__name", "city__name", "note", "text_value"]
    autocomplete_fields = ["kpi", "city"]
    readonly_fields = ["version", "entered_by", "created_at", "updated_at"]
