"""One consortium at a time in the admin: pickers offer the edited consortium's rows only.

While a programme officer edits something of one consortium (a solution, a KPI, a
figure, a roadmap row), its city, solution, KPI, theme and ambition statement pickers
list that consortium's rows only, and the form refuses any other. The consortium is
read from the object being changed, or on an add page from the consortium, solution or
KPI already chosen (``?solution=3`` in the address, or the form as sent). Autocomplete
searches, which arrive without the form, read it from the page they were typed on.

Models are named by their labels so this module imports none of them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.apps import apps
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.urls import Resolver404, resolve

#: How a row of each model reaches its consortium.
CONSORTIUM_OF = {
    "cities.consortium": "pk",
    "solutions.solution": "consortium",
    "solutions.theme": "consortium",
    "solutions.ambitionstatement": "consortium",
    "solutions.activity": "solution__consortium",
    "kpis.kpi": "solution__consortium",
    "kpis.frameworkreference": "kpi__solution__consortium",
    "kpis.measurement": "kpi__solution__consortium",
    "kpis.stagereview": "consortium",
    "roadmaps.phase": "consortium",
    "roadmaps.governancebody": "consortium",
    "roadmaps.governancerole": "body__consortium",
    "roadmaps.commitment": "consortium",
    "roadmaps.threeyearplan": "consortium",
    "roadmaps.plantarget": "plan__consortium",
    "roadmaps.lesson": "consortium",
}

#: How the rows a picker offers are limited to one consortium, and what their labels read.
OFFERED = {
    "cities.city": ("memberships__consortium", ()),
    "solutions.solution": ("consortium", ("consortium",)),
    "solutions.theme": ("consortium", ("consortium",)),
    "solutions.ambitionstatement": ("consortium", ("consortium",)),
    "kpis.kpi": ("solution__consortium", ("solution__consortium",)),
}

#: Fields of an add form that tell its consortium, and the model they choose.
TELLING_FIELDS = {
    "consortium": "cities.consortium",
    "solution": "solutions.solution",
    "kpi": "kpis.kpi",
    "parent": "kpis.kpi",
    "body": "roadmaps.governancebody",
    "plan": "roadmaps.threeyearplan",
}

#: Pickers that choose among every city or user on purpose: adding a member city to a
#: consortium, linking a user to a role.
UNSCOPED_SOURCES = {
    "cities.membership",
    "cities.citycoordinator",
    "cities.steeringcommitteemember",
    "cities.partner",
    "auth.user",
}


def label_of(model) -> str:
    return model._meta.label_lower


def consortium_id_of(label: str, pk) -> int | None:
    path = CONSORTIUM_OF.get(label)
    if path is None or not str(pk).isdigit():
        return None
    model = apps.get_model(label)
    column = "pk" if path == "pk" else f"{path}_id"
    return model._default_manager.filter(pk=pk).values_list(column, flat=True).first()


def edited_consortium_id(label: str, object_id, data: QueryDict) -> int | None:
    """The consortium of the object being changed, or the one its add form has chosen."""
    if object_id is not None:
        return consortium_id_of(label, object_id)
    for field, chosen_label in TELLING_FIELDS.items():
        found = consortium_id_of(chosen_label, data.get(field) or "")
        if found:
            return found
    return None


def page_consortium_id(request, label: str) -> int | None:
    """The consortium of the admin page ``request`` shows (cached on the request)."""
    cache = request.__dict__.setdefault("_consortium_ids", {})
    if label not in cache:
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        data = request.POST if request.method == "POST" else request.GET
        cache[label] = edited_consortium_id(label, object_id, data)
    return cache[label]


def referring_match(request):
    """The admin page an autocomplete search was typed on (its resolved address), if any."""
    try:
        match = resolve(urlsplit(request.headers.get("referer", "")).path)
    except Resolver404:
        return None
    return match if match.namespace == "admin" and match.url_name else None


def referring_consortium_id(request) -> int | None:
    """For an autocomplete search: the consortium of the admin page it was typed on."""
    source = request.GET.get("app_label", "") + "." + request.GET.get("model_name", "")
    match = referring_match(request)
    if source in UNSCOPED_SOURCES or match is None:
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    name = match.url_name.rsplit("_", 1)[0]
    app_label, _, model_name = name.partition("_")
    if not apps.is_installed(app_label):
        return None
    label = f"{app_label}.{model_name}"
    query = QueryDict(mutable=True)
    for key, values in parse_qs(referer.query).items():
        query.setlist(key, values)
    return edited_consortium_id(label, match.kwargs.get("object_id"), query)


def offered(queryset, consortium_id: int | None):
    """``queryset`` of a picker, limited to the consortium when there is one."""
    label = label_of(queryset.model)
    if label not in OFFERED:
        return queryset
    path, related = OFFERED[label]
    if related:
        queryset = queryset.select_related(*related)
    if consortium_id is not None:
        queryset = queryset.filter(**{path: consortium_id}).distinct()
    return queryset


def is_autocomplete(request) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name == "autocomplete"


class ShownChoices(ModelChoiceIterator):
    """A picker's options: the edited consortium's rows (``field.shown_queryset``), while
    the field still accepts any row, so a row of another consortium, sent all the same, is
    refused by the models' rules in words ("Ravenna is not a member of Let's GOv…") rather
    than as "Select a valid choice. 4 is not one of the available choices."."""

    def __init__(self, field) -> None:
        super().__init__(field)
        shown = getattr(field, "shown_queryset", None)
        if shown is not None:
            self.queryset = shown


class OneConsortiumAdmin:
    """Mixin for model admins and inlines: pickers offer the edited consortium's rows.

    ``unscoped_fields`` names pickers that choose among all rows on purpose.
    As an autocomplete's target it also limits the search to the referring page's
    consortium.
    """

    unscoped_fields: tuple[str, ...] = ()

    def _page_label(self) -> str:
        return label_of(getattr(self, "parent_model", None) or self.model)

    def _offer(self, db_field, request, formfield):
        related = db_field.related_model
        if formfield is None or db_field.name in self.unscoped_fields:
            return formfield
        if label_of(related) not in OFFERED or not hasattr(formfield, "queryset"):
            return formfield
        formfield.queryset = offered(formfield.queryset, None)  # labels name the consortium
        consortium_id = page_consortium_id(request, self._page_label())
        if consortium_id is not None:
            formfield.iterator = ShownChoices
            formfield.shown_queryset = offered(formfield.queryset, consortium_id)
            formfield.widget.choices = formfield.choices
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._offer(db_field, request, formfield)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._offer(db_field, request, formfield)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if is_autocomplete(request):
            consortium_id = referring_consortium_id(request)
            queryset = offered(queryset, consortium_id)
            may_have_duplicates = may_have_duplicates or consortium_id is not None
        return queryset, may_have_duplicates
