"""Paging of the API's lists: numbered pages, cursor pages in id order, counts kept.

``Pagination`` is the API's default (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``).
The counts of large lists are kept by data version (:func:`changelog.kept.count`).
"""

from __future__ import annotations

from functools import cached_property, partial

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from icc_portal.numbers import plain_digits

from . import cursors
from .filters import ordering_terms


def _query_integer(request, name: str) -> int | None:
    """A positive integer query parameter, None when absent or empty; 400 when malformed."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    try:
        number = int(raw) if plain_digits(raw) else 0
    except ValueError:
        number = 0
    if number < 1:
        raise exceptions.ValidationError({name: ["Enter a whole number of 1 or more."]})
    return number


class CountedPaginator(Paginator):
    """A paginator told how to count (e.g. from a cache) instead of running ``count()``."""

    def __init__(self, object_list, per_page, *, count_of, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_of = count_of

    @cached_property
    def count(self) -> int:
        return self._count_of(self.object_list)


class Pagination(PageNumberPagination):
    """Page-number pagination, and for views that allow it cursor pages in id order.

    A page or page size that is not a whole number of at least 1 is a 400 (DRF
    alone would fall back to defaults); a page past the last one is a 404. A view
    with a ``count_of(queryset)`` method counts through it (e.g. from the cache);
    ``page_size`` above the cap is served at the cap.

    Cursor pages (a view with ``cursor_paging = True``): a list in id order comes in
    pages that each start after the last id of the one before (keyset), and ``next``
    carries that id in an opaque ``cursor`` (:mod:`icc_portal.api.cursors`). Rows that
    appear, change or disappear between two requests therefore never shift a page: a
    full pull neither skips nor repeats a row that stays. That is the default for
    such a view unless ``page=`` or an ``ordering`` other than ``id`` is asked for, or
    the browsable API, which keeps numbered pages. The body has the same shape in both
    (``previous`` is null for cursor pages).
    """

    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    max_page_size = 500
    last_page_strings = ()

    def uses_cursor(self, request, view) -> bool:
        if not getattr(view, "cursor_paging", False):
            return False
        params = request.query_params
        if params.get(self.cursor_query_param, "") != "":
            return True
        if params.get(self.page_query_param, "") != "":
            return False
        if ordering_terms(request) not in ([], ["id"]):
            return False
        return getattr(request.accepted_renderer, "format", "") != "api"

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_mode = self.uses_cursor(request, view)
        if self.cursor_mode:
            return self.keyset_page(queryset, request, view)
        count_of = getattr(view, "count_of", None)
        if count_of is not None:
            self.django_paginator_class = partial(CountedPaginator, count_of=count_of)
        return super().paginate_queryset(queryset, request, view)

    def keyset_page(self, queryset, request, view) -> list:
        """The rows after the cursor's id, in id order; one more is read to know of a next."""
        self.request = request
        size = self.get_page_size(request)
        after = self.cursor_position(request)
        if request.query_params.get(self.page_query_param, "") != "":
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Send either a cursor or a page number, not both.")]}
            )
        rows = queryset.after(after, size + 1)
        count_of = getattr(view, "count_of", None)
        self.cursor_count = count_of(queryset) if count_of is not None else queryset.count()
        self.next_position = rows[size - 1][0] if len(rows) > size else None
        return rows[:size]

    def cursor_position(self, request) -> int:
        token = request.query_params.get(self.cursor_query_param, "")
        if token == "":
            return 0
        try:
            position = cursors.read("measurements", token).get("after")
        except cursors.BadCursor:
            position = None
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise exceptions.ValidationError(
                {
                    self.cursor_query_param: [
                        _("This cursor is not one this site gave: start again without it.")
                    ]
                },
                code="invalid_cursor",
            )
        return position

    def get_paginated_response(self, data):
        if not getattr(self, "cursor_mode", False):
            return super().get_paginated_response(data)
        next_link = None
        if self.next_position is not None:
            url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
            cursor = cursors.make("measurements", after=self.next_position)
            next_link = replace_query_param(url, self.cursor_query_param, cursor)
        return Response(
            {"count": self.cursor_count, "next": next_link, "previous": None, "results": data}
        )

    def check_query(self, request) -> None:
        """Refuse a malformed page or page size also where nothing is paged (CSV)."""
        _query_integer(request, self.page_query_param)
        _query_integer(request, self.page_size_query_param)

    def get_page_size(self, request) -> int:
        requested = _query_integer(request, self.page_size_query_param)
        if requested is None:
            return self.page_size
        return min(requested, self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        return _query_integer(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}); "
                f"larger values are served at the cap of {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
        if getattr(view, "cursor_paging", False):
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": "Where the page starts: the opaque cursor in the `next` "
                    "link of the page before. Cursor pages are in id order and never skip "
                    "or repeat a row while others change; they are the default unless "
                    "`page` or another `ordering` is asked for.",
                    "schema": {"type": "string", "pattern": cursors.PATTERN},
                }
            )
        return parameters
