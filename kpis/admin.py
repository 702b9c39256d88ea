from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import KPI, FrameworkReference, Measurement, StageReview


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
