"""The user admin with each user's roles: the cities they coordinate, the committees they sit
on, the consortia they are partners of; listed, filtered and edited on the user's page."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from icc_portal.admin_tools import ExplainedInline

from .models import City, CityCoordinator, Consortium, Partner, SteeringCommitteeMember


class UserCoordinatorInline(ExplainedInline, admin.TabularInline):
    model = CityCoordinator
    autocomplete_fields = ["city"]
    verbose_name = _("coordinated city")
    verbose_name_plural = _("coordinated cities (enters their figures)")


class UserSteeringInline(ExplainedInline, admin.TabularInline):
    model = SteeringCommitteeMember
    verbose_name = _("steering committee")
    verbose_name_plural = _("steering committees (compare cities, approve stages)")


class UserPartnerInline(ExplainedInline, admin.TabularInline):
    model = Partner
    verbose_name = _("partnership")
    verbose_name_plural = _("partnerships (read approved figures)")


ROLE_QUERIES = {
    "coordinator": Q(coordinated_cities__isnull=False),
    "steering": Q(steering_committees__isnull=False),
    "partner": Q(partnerships__isnull=False),
    "admin": Q(is_superuser=True),
    "none": Q(
        coordinated_cities__isnull=True,
        steering_committees__isnull=True,
        partnerships__isnull=True,
        is_superuser=False,
    ),
}


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [
            ("coordinator", _("City coordinator")),
            ("steering", _("Steering committee member")),
            ("partner", _("Partner")),
            ("admin", _("Administrator")),
            ("none", _("No role yet")),
        ]

    def queryset(self, request, queryset):
        query = ROLE_QUERIES.get(self.value())
        return queryset.filter(query).distinct() if query is not None else queryset


class ConsortiumListFilter(admin.SimpleListFilter):
    """Users with any role in a consortium: a city of it, its committee, its partners."""

    title = _("consortium")
    parameter_name = "consortium"

    def lookups(self, request, model_admin):
        return [(str(consortium.pk), str(consortium)) for consortium in Consortium.objects.all()]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        consortium_id = int(self.value())
        return queryset.filter(
            Q(coordinated_cities__city__memberships__consortium_id=consortium_id)
            | Q(steering_committees__consortium_id=consortium_id)
            | Q(partnerships__consortium_id=consortium_id)
        ).distinct()


class CityListFilter(admin.SimpleListFilter):
    title = _("coordinated city")
    parameter_name = "city"

    def lookups(self, request, model_admin):
        return [
            (str(city.pk), city.name)
            for city in City.objects.filter(coordinators__isnull=False).distinct()
        ]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        return queryset.filter(coordinated_cities__city_id=int(self.value())).distinct()


PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """Permissions named in the reader's language: "Può aggiungere città", not the English
    name Django stores ("Can add city") for the four permissions every model has."""

    def label_from_instance(self, permission) -> str:
        model = permission.content_type.model_class()
        action = permission.codename.split("_", 1)[0]
        if model is None or action not in PERMISSION_ACTIONS:
            return str(permission)
        words = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
        return f"{model._meta.app_config.verbose_name} | {words}"


class UserWithAddressCreationForm(AdminUserCreationForm):
    """A new user's page asks their e-mail address too: notices and the set-password
    e-mail go there."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Notices and the e-mail to choose a password are sent here."),
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "email", "first_name", "last_name")

    def full_clean(self) -> None:
        """A page refused for something else (a city chosen twice, an e-mail left out)
        keeps the password typed twice, as it keeps every other field; a password refused
        itself (too short, the two different) is typed again."""
        super().full_clean()
        refused = any(name in self.errors for name in ("password1", "password2"))
        for name in ("password1", "password2"):
            self.fields[name].widget.render_value = not refused


class UserWithRolesAdmin(UserAdmin):
    add_form = UserWithAddressCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "first_name", "last_name"),
            },
        ),
        (
            _("Password"),
            {
                "fields": ("usable_password", "password1", "password2"),
                "description": _(
                    "Leave password-based login off to let the person choose their own "
                    "password: after saving, tick them in the list of users and choose "
                    "“Invite: send the e-mail to choose a password”."
                ),
            },
        ),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "user_permissions":
            kwargs["form_class"] = PermissionChoiceField
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    inlines = [*UserAdmin.inlines, UserCoordinatorInline, UserSteeringInline, UserPartnerInline]
    list_display = ["username", "email", "roles", "cities", "consortia", "is_staff", "is_active"]
    list_filter = [
        RoleFilter,
        ConsortiumListFilter,
        CityListFilter,
        "is_staff",
        "is_superuser",
        "is_active",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "coordinated_cities__city__consortia",
                "steering_committees__consortium",
                "partnerships__consortium",
            )
        )

    @admin.display(description=_("roles"))
    def roles(self, user) -> str:
        roles = []
        if user.is_superuser:
            roles.append(_("Administrator"))
        if user.coordinated_cities.all():
            roles.append(_("City coordinator"))
        if user.steering_committees.all():
            roles.append(_("Steering committee member"))
        if user.partnerships.all():
            roles.append(_("Partner"))
        return ", ".join(map(str, roles)) or "–"

    @admin.display(description=_("coordinated cities"))
    def cities(self, user) -> str:
        return ", ".join(link.city.name for link in user.coordinated_cities.all()) or "–"

    @admin.display(description=_("consortia"))
    def consortia(self, user) -> str:
        found = {
            str(consortium)
            for link in user.coordinated_cities.all()
            for consortium in link.city.consortia.all()
        }
        found |= {str(link.consortium) for link in user.steering_committees.all()}
        found |= {str(link.consortium) for link in user.partnerships.all()}
        return ", ".join(sorted(found)) or "–"
