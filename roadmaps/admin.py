from django.contrib import admin

from .models import (
    Commitment,
    GovernanceBody,
    GovernanceRole,
    Lesson,
    Phase,
    PlanTarget,
    ThreeYearPlan,
)


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "consortium", "start", "end", "measured_stage"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]


class GovernanceRoleInline(admin.TabularInline):
    model = GovernanceRole
    extra = 1


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "consortium", "level", "city"]
    list_filter = ["consortium", "level", "city"]
    list_select_related = ["consortium", "city"]
    search_fields = ["name", "purpose"]
    inlines = [GovernanceRoleInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "consortium", "country", "city"]
    list_filter = ["consortium", "kind", "country"]
    list_select_related = ["consortium", "city"]
    search_fields = ["text"]


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0


@admin.register(ThreeYearPlan)
class ThreeYearPlanAdmin(admin.ModelAdmin):
    list_display = ["city", "consortium"]
    list_filter = ["consortium"]
    list_select_related = ["city", "consortium"]
    search_fields = ["ambition", "steps", "city__name"]
    inlines = [PlanTargetInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["number", "consortium", "text"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]
    search_fields = ["text"]
