"""Query parameters of the API: strict, NUL-safe, and cheap to read.

* ``SingleValuedQuery``: a parameter the API does not know, or one it knows given twice,
  is a 400 that lists the parameters it knows.
* ``OrderingFilter``: ``ordering`` takes the view's fields only, each once (a list,
  comma-separated as the schema says, or repeated); anything else is a 400, not an
  ignored word.
* ``FilterBackend``: django-filter, building only the filters a request uses.
* ``ApiFilterSet`` and its filters: text that a NUL cannot break, whole numbers
  within the database's range, yes/no that is ``true`` or ``false``.

An empty value (``?stage=``) means "not given" everywhere, as in django-filter and
the browsable API's filter form; the schema says so (``allowEmptyValue``). So does a
value of spaces alone for a text parameter (django-filter trims text): the schema lets
any text through. For a choice, a number or a date, spaces are not a value the schema
allows, and the answer is 400.

DRF imports the filter backends while it loads its generic views: this module must
not import ``rest_framework.views`` or ``rest_framework.generics``.
"""

from __future__ import annotations

import django_filters
import django_filters.utils
from django import forms
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.filters import OrderingFilter as BaseOrdering
from rest_framework.permissions import SAFE_METHODS

from icc_portal.numbers import whole_number


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, building only the filters a request uses.

    An empty value (``?stage=``) means "not given", as it does for django-filter.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        used = {
            name
            for name in filterset_class.base_filters
            if request.query_params.get(name, "") != ""
        }
        if not used:
            return queryset
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        if issubclass(filterset_class, ApiFilterSet):
            kwargs["only"] = used
        filterset = filterset_class(**kwargs)
        if not filterset.is_valid() and self.raise_exception:
            raise django_filters.utils.translate_validation(filterset.errors)
        return filterset.qs


class UnknownParameters(exceptions.APIException):
    """400 for query parameters the view does not know; ``errors`` names each of them."""

    status_code = 400
    default_code = "unknown_parameter"

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail, code=self.default_code)
        self.errors = errors


class SingleValuedQuery(BaseFilterBackend):
    """Refuse what the API would otherwise ignore in a query string: 400.

    * a parameter the view does not know (``?stage=final&kpi_cod=2.2``): silently
      dropping it would answer a different question from the one asked. The error
      lists the parameters the view knows.
    * a parameter given twice (``?stage=final&stage=midway``): no parameter of the API
      takes several values, but ``ordering`` (a list: ``a,-b``, or repeated).

    Known everywhere: ``format`` (``?format=csv``, the browsable API's ``?format=api``);
    on reads also, with pagination ``page`` and ``page_size`` (and ``cursor`` for cursor
    pages); with ordering ``ordering``; the view's filters; and its ``query_parameters``.
    A write (``POST``, ``PUT``, ``PATCH``, ``DELETE``) knows ``format`` alone.
    """

    #: Paging parameters, also left out of a list's count cache key.
    PAGING = frozenset({"page", "page_size", "cursor", "ordering", "format"})
    #: Parameters that take a list: comma-separated as the schema says, or repeated, as
    #: some generated clients send a list (``?ordering=a&ordering=-b``).
    LISTS = frozenset({"ordering"})

    def filter_queryset(self, request, queryset, view):
        self.check(request, view)
        return queryset

    @staticmethod
    def known(view) -> set[str]:
        known = {"format"}
        request = getattr(view, "request", None)
        if request is not None and request.method not in SAFE_METHODS:
            return known  # a write reads its body; filters and pages are for reads
        if getattr(view, "pagination_class", None) is not None:
            known |= {"page", "page_size"}
            if getattr(view, "cursor_paging", False):
                known.add("cursor")
        if any(
            issubclass(backend, BaseOrdering) for backend in getattr(view, "filter_backends", ())
        ):
            known.add("ordering")
        filterset_class = getattr(view, "filterset_class", None)
        known |= set(filterset_class.base_filters if filterset_class else ())
        known |= set(getattr(view, "query_parameters", ()))
        return known

    def check(self, request, view) -> None:
        known = self.known(view)
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            listed = ", ".join(sorted(known))
            raise UnknownParameters(
                _("Unknown query parameter: %(unknown)s. Known here: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": listed},
                {
                    name: [_("Unknown parameter; known here: %(known)s.") % {"known": listed}]
                    for name in unknown
                },
            )
        repeated = sorted(
            name
            for name, values in request.query_params.lists()
            if len(values) > 1 and name not in self.LISTS
        )
        if repeated:
            raise exceptions.ValidationError(
                {name: [_("Give this parameter only once.")] for name in repeated}
            )


def ordering_terms(request, param: str = "ordering") -> list[str]:
    """The ``ordering`` a request asks for, as one list of terms: comma-separated
    (``?ordering=a,-b``), repeated (``?ordering=a&ordering=-b``, as a generated client
    sends an exploded array), or both. ``[]`` when not given."""
    given = ",".join(request.query_params.getlist(param))
    return [] if given == "" else given.split(",")


class OrderingFilter(BaseOrdering):
    """DRF's ordering, refusing fields the view does not order by (400 naming the right ones).

    ``ordering`` is a list of the schema's terms (a field, or ``-`` and a field to reverse
    it), each at most once: comma-separated or repeated (:func:`ordering_terms`). A term
    the view does not know, an empty one, or one given twice is a 400.
    """

    description = (
        "Order by these fields; a leading - reverses one. A list, comma-separated "
        "(`ordering=a,-b`) or repeated (`ordering=a&ordering=-b`); each term once."
    )

    def get_ordering(self, request, queryset, view):
        terms = ordering_terms(request, self.ordering_param)
        if not terms:
            return self.get_default_ordering(view)
        allowed = self.allowed(view, queryset, request)
        wrong = [term or '""' for term in terms if term not in allowed]
        if wrong:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("Cannot order by %(wrong)s; use %(allowed)s.")
                        % {"wrong": ", ".join(wrong), "allowed": ", ".join(allowed)}
                    ]
                },
                code="invalid_ordering",
            )
        twice = sorted({term for term in terms if terms.count(term) > 1})
        if twice:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("Name each ordering term once: %(twice)s given twice.")
                        % {"twice": ", ".join(twice)}
                    ]
                },
                code="invalid_ordering",
            )
        return terms

    def allowed(self, view, queryset=None, request=None) -> list[str]:
        fields = [
            name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
        ]
        return [term for name in fields for term in (name, f"-{name}")]

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None) or []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": self.description,
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {
                        "type": "string",
                        "enum": [term for name in fields for term in (name, f"-{name}")],
                    },
                },
            }
        ]


class NulSafeCharField(forms.CharField):
    """A text filter value; a NUL (which no stored slug or code holds) matches nothing.

    Django's CharField refuses NUL with a 400 and PostgreSQL cannot compare with it,
    so it is replaced by U+FFFD, which is stored nowhere either.
    """

    default_validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class QueryTextField(serializers.CharField):
    """A text query parameter read by a serializer, NUL-safe like ``NulSafeCharField``.

    Trimmed of the spaces the schema's regular expressions call spaces (ECMAScript's
    ``\\s``), not of everything Python calls a space (``"\\x1e"`` is text to the schema).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]

    def to_internal_value(self, data):
        text = super().to_internal_value(data).replace("\x00", "\ufffd")
        return text.strip(SCHEMA_SPACES)


#: What a JSON-schema (ECMAScript) regular expression's ``\\s`` matches.
SCHEMA_SPACES = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

#: A required text parameter must hold more than spaces (the schema says so: a pattern).
SOMETHING_WRITTEN = RegexValidator(
    r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]",
    _lazy("Enter more than spaces."),
    code="blank",
)


def given_values(request, text_parameters=()) -> dict[str, str]:
    """The query parameters a request gives a value: not empty, and for free text not
    spaces alone (both read as "not given", as django-filter and the schema read them)."""
    return {
        name: value
        for name, value in request.query_params.items()
        if value != "" and not (name in text_parameters and value.strip(SCHEMA_SPACES) == "")
    }


class TextFilter(django_filters.CharFilter):
    field_class = NulSafeCharField


#: The range of the database's integers: a filter value outside it is a 400, not an overflow.
INTEGER_RANGE = (-(2**63), 2**63 - 1)


class PlainIntegerFormField(forms.IntegerField):
    """A whole number written as the schema's ``integer`` is: ASCII digits with an optional
    minus. Django's own field also reads ``1.0`` (and, through ``int()``, ``１`` and
    ``1_000``); a client that sends those gets a 400, as the grid would refuse them."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not whole_number(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "minimum": INTEGER_RANGE[0], "maximum": INTEGER_RANGE[1]})
class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter: ``?solution=0.5`` (or ``１``) is a 400, not an empty page."""

    field_class = PlainIntegerFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", INTEGER_RANGE[0])
        kwargs.setdefault("max_value", INTEGER_RANGE[1])
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class YesNoFilter(django_filters.ChoiceFilter):
    """``true`` or ``false`` only; anything else is a 400, not an ignored filter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value in ("", None):
            return queryset
        return super().filter(queryset, value == "true")


class ApiFilterSet(FilterSet):
    """Base of every API filter set: NUL-safe text, whole numbers, strict yes/no.

    ``only``: the names of the filters the request uses. Building a filter set copies
    every filter and its form field; a list request that filters on two of twelve
    builds those two (``FilterBackend``), the browsable API's form all of them.
    """

    def __init__(self, data=None, queryset=None, *, only=None, **kwargs):
        if only is not None:
            self.base_filters = {
                name: item for name, item in type(self).base_filters.items() if name in only
            }
        super().__init__(data, queryset, **kwargs)

    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        models.CharField: {"filter_class": TextFilter},
        models.SlugField: {"filter_class": TextFilter},
        models.TextField: {"filter_class": TextFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.IntegerField: {"filter_class": IntegerFilter},
        models.BigAutoField: {"filter_class": IntegerFilter},
        models.BooleanField: {"filter_class": YesNoFilter},
    }
