from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from icc_portal.admin_tools import ExplainedAdmin, ExplainedInline, RulesInlineFormSet
from solutions.models import Solution

from .admin_scope import OneConsortiumAdmin
from .models import (
    City,
    CityCoordinator,
    Consortium,
    Membership,
    Partner,
    Programme,
    SteeringCommitteeMember,
)
from .user_admin import UserWithRolesAdmin
from .words import WORD_FIELDS


@admin.register(Programme)
class ProgrammeAdmin(TranslationAdmin, ExplainedAdmin):
    """A programme, with its words in each language (django-modeltranslation's fields)."""

    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "description"]}),
        (
            _("The programme's words"),
            {
                "fields": list(WORD_FIELDS),
                "description": _(
                    "What pages, exports, e-mails and the API call the three stages and the "
                    "table of figures by stage, in each language. A word left empty reads "
                    "as the portal's own (ICC's) in that language."
                ),
            },
        ),
    ]


class MembershipFormSet(RulesInlineFormSet):
    """A city that leads or implements one of the consortium's solutions stays a member."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        problems = []
        for form in self.initial_forms:
            leaving = self._should_delete_form(form) or "city" in form.changed_data
            city = City.objects.filter(pk=form.initial.get("city")).first() if leaving else None
            if city is None:
                continue
            solutions = (
                Solution.objects.filter(consortium=self.instance)
                .filter(Q(implementing_cities=city) | Q(lead_cities=city))
                .distinct()
                .values_list("number", flat=True)
            )
            if solutions:
                problems.append(
                    ngettext(
                        "%(city)s still takes part in solution %(numbers)s: take it off that "
                        "solution's cities first.",
                        "%(city)s still takes part in solutions %(numbers)s: take it off those "
                        "solutions' cities first.",
                        len(solutions),
                    )
                    % {"city": city, "numbers": ", ".join(map(str, sorted(solutions)))}
                )
        if problems:
            raise ValidationError(problems)


class MembershipInline(ExplainedInline, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    autocomplete_fields = ["city"]
    fields = ["city", "role"]


class SteeringCommitteeInline(ExplainedInline, admin.TabularInline):
    model = SteeringCommitteeMember
    autocomplete_fields = ["user"]


class PartnerInline(ExplainedInline, admin.TabularInline):
    model = Partner
    autocomplete_fields = ["user"]


@admin.register(Consortium)
class ConsortiumAdmin(ExplainedAdmin):
    list_display = ["name", "short_name", "programme", "member_cities", "is_published", "open_data"]
    list_filter = ["programme", "is_published", "open_data"]
    list_select_related = ["programme"]
    search_fields = ["name", "short_name", "vision", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["framework", "open_data_since"]
    fieldsets = [
        (None, {"fields": ["programme", "name", "short_name", "slug", "is_published"]}),
        (
            _("Open data"),
            {"fields": ["open_data", "open_data_licence", "open_data_contact", "open_data_since"]},
        ),
        (_("Rounds"), {"fields": ["previous_round", "figures_approved_on"]}),
        (_("Strategy"), {"fields": ["vision", "description"]}),
        (_("Solutions and KPIs"), {"fields": ["framework"]}),
    ]
    inlines = [MembershipInline, SteeringCommitteeInline, PartnerInline]
    # kpis.admin adds the action that copies a framework (cities knows nothing of kpis).

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cities")

    @admin.display(description=_("member cities"))
    def member_cities(self, consortium):
        return ", ".join(city.name for city in consortium.cities.all()) or "–"

    @admin.display(description=_("solutions"))
    def framework(self, consortium):
        """The consortium's solutions, and where to add the next one."""
        if consortium.pk is None:
            return _("Save the consortium and its member cities first; then add its solutions.")
        add_url = reverse("admin:solutions_solution_add") + f"?consortium={consortium.pk}"
        solutions = format_html_join(
            "",
            '<li><a href="{}">{}. {}</a></li>',
            (
                (reverse("admin:solutions_solution_change", args=[s.pk]), s.number, s.title)
                for s in consortium.solutions.all()
            ),
        )
        return format_html(
            '<ul class="framework-list">{}</ul><a class="addlink" href="{}">{}</a> · {}',
            solutions,
            add_url,
            _("Add a solution to this consortium"),
            _(
                "or start from another consortium's solutions, activities and KPIs: choose "
                "this consortium in the list and the action “Copy another consortium's "
                "framework into it”."
            ),
        )


class CoordinatorInline(ExplainedInline, admin.TabularInline):
    model = CityCoordinator
    autocomplete_fields = ["user"]


@admin.register(City)
class CityAdmin(OneConsortiumAdmin, ExplainedAdmin):
    """As an autocomplete's target, offers the cities of the consortium being edited."""

    list_display = [
        "name",
        "country",
        "region",
        "member_of",
        "population",
        "population_year",
        "programme_role",
    ]
    list_filter = ["consortia", "country", "programme_role"]
    search_fields = ["name", "region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CoordinatorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("consortia")

    @admin.display(description=_("consortia"))
    def member_of(self, city):
        return ", ".join(str(consortium) for consortium in city.consortia.all()) or "–"


@admin.register(Membership)
class MembershipAdmin(ExplainedAdmin):
    list_display = ["city", "consortium", "role"]
    list_filter = ["consortium", "role"]
    list_select_related = ["city", "consortium"]
    search_fields = ["city__name", "consortium__name", "consortium__short_name"]
    autocomplete_fields = ["city"]


@admin.register(CityCoordinator)
class CityCoordinatorAdmin(ExplainedAdmin):
    list_display = ["user", "city", "consortia"]
    list_filter = [("city__consortia", admin.RelatedOnlyFieldListFilter), "city"]
    list_select_related = ["user", "city"]
    search_fields = ["user__username", "user__email", "city__name"]
    autocomplete_fields = ["user", "city"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("city__consortia")

    @admin.display(description=_("consortia"))
    def consortia(self, coordinator):
        return ", ".join(str(consortium) for consortium in coordinator.city.consortia.all())


@admin.register(SteeringCommitteeMember)
class SteeringCommitteeMemberAdmin(ExplainedAdmin):
    list_display = ["user", "consortium", "can_approve"]
    list_filter = ["consortium", "can_approve"]
    list_select_related = ["user", "consortium"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(ExplainedAdmin):
    list_display = ["user", "organisation", "consortium"]
    list_filter = ["consortium"]
    list_select_related = ["user", "consortium"]
    search_fields = ["user__username", "organisation"]
    autocomplete_fields = ["user"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserWithRolesAdmin)
