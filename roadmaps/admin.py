from django.contrib import admin

from cities.admin_scope import OneConsortiumAdmin
from icc_portal.admin_tools import ExplainedAdmin, ExplainedInline

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
class PhaseAdmin(OneConsortiumAdmin, ExplainedAdmin):
    list_display = ["number", "name", "consortium", "start", "end", "measured_stage"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]


class GovernanceRoleInline(ExplainedInline, admin.TabularInline):
    model = GovernanceRole


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(OneConsortiumAdmin, ExplainedAdmin):
    list_display = ["name", "consortium", "level", "city"]
    list_filter = ["consortium", "level", "city"]
    list_select_related = ["consortium", "city"]
    search_fields = ["name", "purpose"]
    inlines = [GovernanceRoleInline]


@admin.register(Commitment)
class CommitmentAdmin(OneConsortiumAdmin, ExplainedAdmin):
    list_display = ["text", "kind", "consortium", "country", "city"]
    list_filter = ["consortium", "kind", "country"]
    list_select_related = ["consortium", "city"]
    search_fields = ["text"]


class PlanTargetInline(ExplainedInline, admin.TabularInline):
    model = PlanTarget


@admin.register(ThreeYearPlan)
class ThreeYearPlanAdmin(OneConsortiumAdmin, ExplainedAdmin):
    list_display = ["city", "consortium"]
    list_filter = ["consortium"]
    list_select_related = ["city", "consortium"]
    search_fields = ["ambition", "steps", "city__name"]
    inlines = [PlanTargetInline]


@admin.register(Lesson)
class LessonAdmin(OneConsortiumAdmin, ExplainedAdmin):
    list_display = ["number", "consortium", "text"]
    list_filter = ["consortium"]
    list_select_related = ["consortium"]
    search_fields = ["text"]
