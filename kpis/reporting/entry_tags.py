"""Template helpers of the entry grid, the "My reporting" link and the city page's links."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from cities import access
from cities.words import StageWords
from kpis.reporting.rules import describe_figure, format_number
from kpis.vocabulary import ReportingStage, change_target_wording, stage_label

register = template.Library()


@register.filter
def stage_word(stage: str, programme=None) -> str:
    """A stage key in a programme's words (:mod:`cities.words`; none: the portal's)."""
    return StageWords(programme).label(stage)


@register.filter
def bound_field(form, name: str):
    """``{{ form|bound_field:"value" }}``: a form's field by a name held in a variable."""
    return form[name]


@register.simple_tag
def entry_input(field):
    """The widget of a row field, tied to its label, help and error for screen readers."""
    described = []
    attrs = {}
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def figure(measurement, kpi) -> str:
    """A stored figure in words, in the active language."""
    return describe_figure(measurement, kpi.value_type)


@register.filter
def kpi_target(kpi) -> str:
    """The target as every page words it (``Formatter.target_wording``): the charter's words,
    "Yes" for a yes/no KPI (or "No" where lower is better), else the figure."""
    if kpi.target_text:
        return kpi.target_text
    if kpi.value_type == "boolean":
        return _("Yes") if kpi.direction == "higher" else _("No")
    if kpi.target_value is not None and kpi.target_basis == "change":
        return change_target_wording(kpi.target_value, kpi.target_scope)
    if kpi.target_value is not None:
        return format_number(kpi.target_value, kpi.value_type)
    return ""


@register.filter
def localized_number(value, value_type: str = "number") -> str:
    return format_number(value, value_type)


@register.inclusion_tag("kpis/entry/_nav_link.html", takes_context=True)
def reporting_nav(context):
    """The "My reporting" link: no query for anonymous users, at most one otherwise."""
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "show": access.has_reporting_role(user),
        "current": bool(match and match.url_name == "entry-home"),
    }


@register.inclusion_tag("kpis/entry/_city_links_list.html", takes_context=True)
def city_entry_links(context, city, consortium_ids=None):
    """Links about a city's figures that the current user may follow.

    Queries: the user's roles (one, cached for the request) and, for a steering member,
    the city's consortia (one) unless ``consortium_ids`` (those the user may read) are
    given. Everyone gets the recent changes; coordinators of the city and
    steering committee members of its consortia get the grid per stage and the
    missing lists.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    links = []
    may_report = False
    if user is not None and user.is_authenticated:
        roles = access.roles_of(user)
        if roles.is_admin or city.pk in roles.coordinated_city_ids:
            may_report = True
        elif roles.steering_consortium_ids:
            if not consortium_ids:
                consortium_ids = city.memberships.values_list("consortium_id", flat=True)
            may_report = access.can_view_city_reporting(user, city, list(consortium_ids))
    if may_report:
        for stage in ReportingStage.ordered():
            links.append(
                {
                    "stage": stage_label(stage.value),
                    "grid": reverse("entry-grid", args=[city.slug, stage.value]),
                    "missing": reverse("entry-missing", args=[city.slug, stage.value]),
                }
            )
    return {
        "city": city,
        "stage_links": links,
        "may_edit": may_report and access.can_edit_city(user, city),
        "changes_url": reverse("city-changes", args=[city.slug]),
        "changes_label": _("Recent changes to %(city)s's figures") % {"city": city.name},
    }
