from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    City,
    CityCoordinator,
    Consortium,
    Membership,
    Partner,
    Programme,
    SteeringCommitteeMember,
)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["city"]


class SteeringCommitteeInline(admin.TabularInline):
    model = SteeringCommitteeMember
    extra = 0
    autocomplete_fields = ["user"]


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Consortium)
class ConsortiumAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "programme", "is_published"]
    list_filter = ["programme", "is_published"]
    list_select_related = ["programme"]
    search_fields = ["name", "short_name", "vision", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, SteeringCommitteeInline, PartnerInline]


class CoordinatorInline(admin.TabularInline):
    model = CityCoordinator
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "population", "population_year", "programme_role"]
    list_filter = ["country", "programme_role", "consortia"]
    search_fields = ["name", "region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CoordinatorInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["city", "consortium", "role"]
    list_filter = ["role", "consortium"]
    list_select_related = ["city", "consortium"]
    search_fields = ["city__name", "consortium__name"]


@admin.register(CityCoordinator)
class CityCoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "city"]
    list_filter = ["city"]
    list_select_related = ["user", "city"]
    search_fields = ["user__username", "user__email", "city__name"]
    autocomplete_fields = ["user", "city"]


@admin.register(SteeringCommitteeMember)
class SteeringCommitteeMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "consortium", "can_approve"]
    list_filter = ["consortium", "can_approve"]
    list_select_related = ["user", "consortium"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "consortium"]
    list_filter = ["consortium"]
    list_select_related = ["user", "consortium"]
    search_fields = ["user__username", "organisation"]
    autocomplete_fields = ["user"]


# Roles on the user page too: which cities a user coordinates, which committees they sit on.
class UserCoordinatorInline(admin.TabularInline):
    model = CityCoordinator
    extra = 0
    autocomplete_fields = ["city"]
    verbose_name = _("coordinated city")
    verbose_name_plural = _("coordinated cities (enters their figures)")


class UserSteeringInline(admin.TabularInline):
    model = SteeringCommitteeMember
    extra = 0
    verbose_name_plural = _("steering committees (compare cities, approve stages)")


class UserPartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    verbose_name_plural = _("partnerships (read approved figures)")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithRolesAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UserCoordinatorInline, UserSteeringInline, UserPartnerInline]
