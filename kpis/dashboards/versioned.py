"""Judged pages kept in Django's cache by data version, shared by every worker.

A dashboard page's judged part (the overview's matrix, a city's tables, a KPI's table and
chart) is a function of the consortium's data (figures and definitions), of which of its
figures the reader sees (:func:`cities.access.visibility_class`), of the language, and
of what the request asked (the stage…). Its key holds all of them, the data first as the
consortium's version (:mod:`changelog.versions`), which every change moves inside its own
transaction: an entry can never outlive a change, so nothing is ever invalidated, and
every worker (every server, with ``CACHE_URL`` at one Redis) reads the others' entries.

What is kept is rendered HTML (a string: the cheapest thing to pickle and to read back)
and a few plain values; the first request after a change builds it as before and keeps
it. Keys, the timeout and the ETags' recipe are :mod:`changelog.kept`'s, shared with
the API's answers. The version is read once per request (``request.data_version``), and
the pages' ETags are made from it (:func:`page_etag`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.defaultfilters import date as date_filter
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language

from changelog import kept as keeping
from changelog import versions
from changelog.stamp import Stamp
from cities.access import roles_of, visibility_class

T = TypeVar("T")


def version_of(request, consortium_ids: Iterable[int]) -> Stamp:
    """The data version of these consortia, read once per request (one query)."""
    ids = tuple(sorted(set(consortium_ids)))
    memo = request.__dict__.setdefault("_page_versions", {})
    if ids not in memo:
        if len(ids) == 1:
            memo[ids] = versions.consortium_version(ids[0])
        else:
            memo[ids] = versions.consortia_version(ids)
    request.data_version = memo[ids]
    return memo[ids]


def page_key(
    kind: str,
    request,
    consortium_ids: Iterable[int],
    *facts,
    part: Callable[[], Stamp] | None = None,
) -> str:
    """The key of a page part: its kind, the consortia's version (or, with ``part``, the
    version of what the part shows: :func:`changelog.versions.part_version`), what the
    reader sees of each consortium, the language, and ``facts`` (whatever else the part
    depends on). The consortia's version is read either way: it makes the page's ETag."""
    ids = tuple(sorted(set(consortium_ids)))
    version = version_of(request, ids)
    if part is not None:
        version = part()
    seen = tuple(visibility_class(request.user, pk) for pk in ids)
    return keeping.key(f"page:{kind}", version.position, ids, seen, get_language(), facts)


def kept_page(
    kind: str,
    request,
    consortium_ids: Iterable[int],
    *facts,
    build: Callable[[], T],
    part: Callable[[], Stamp] | None = None,
) -> T:
    """A page's judged part, rendered once and kept under the consortia's version, or with
    ``part`` under the version of only what it shows (a figure saved elsewhere in the
    consortium then leaves it kept).

    ``build`` renders it (and may read and fill the view's context meanwhile); its value is
    kept under :func:`page_key` — the kind, the version, what the reader sees of each
    consortium, the language and ``facts`` — and read back by every later request.
    """
    return keeping.kept(page_key(kind, request, consortium_ids, *facts, part=part), build)


def readers_of(user) -> str | list[int]:
    """What a definitions key holds of the reader: ``"all"`` for a site admin, else the ids
    of the consortia whose definitions the user may read."""
    roles = roles_of(user)
    return "all" if roles.is_admin else sorted(roles.reader_consortium_ids)


def kept_definitions(kind: str, request, *facts, build: Callable[[], T]) -> T:
    """Definitions a page reads (consortia, a city, KPIs by address), read once and kept
    under the definitions' version for every reader who may read the same consortia."""
    key = definitions_key(kind, request, readers_of(request.user), *facts)
    return keeping.kept(key, build)


def page_etag(request, *facts) -> str | None:
    """A page's ETag: the version read for it, the reader, the language and the request.

    ``None`` until the view has read a version. The reader is the user (a page carries
    their name and their links); an HMAC under the site's secret, as the API's are.
    """
    version = getattr(request, "data_version", None)
    if version is None:
        return None
    return keeping.etag("page", request, version, *facts)


class ConditionalPage:
    """A page view mixin: the whole page as last rendered for the same reader, language and
    address at the same data, before the view runs; else an ETag from the data version
    the page read, and 304 when current.

    The view reads its version through :func:`page_key` (or :func:`version_of`); the
    ETag adds the reader, the language and the request (:func:`page_etag`). A client
    whose ``If-None-Match`` holds it gets a 304 before the template renders. The page,
    frame included (``base.html``: menus, the reader's name, the language form), is kept
    rendered with its ETag (:func:`whole_page_key`) and served before the view runs,
    with the request's own CSRF token and print time filled in. A page with messages
    waiting is always rendered (the messages are shown once) and never kept.

    A page that shows something besides the data, the reader, the language and the
    address (the deliverable: the day) names it in :meth:`page_facts`, which both the
    whole page's key and the ETag hold.
    """

    def page_facts(self, request) -> tuple:
        """What else the page shows (none by default)."""
        return ()

    def get(self, request, *args, **kwargs):
        facts = self.page_facts(request)
        waiting = len(get_messages(request))
        if not waiting:
            kept = served_whole_page(request, *facts)
            if kept is not None:
                return kept
        response = super().get(request, *args, **kwargs)
        response = conditional_page(request, response, *facts)
        if (
            response.status_code == 200
            and isinstance(response, SimpleTemplateResponse)
            and not response.is_rendered
            and not waiting
        ):
            keep_whole_page(request, response, *facts)
        return response


#: What a kept whole page holds in place of the request's own: the CSRF token of its
#: forms (a new one for each request) and the print footer's time ("Printed on …").
CSRF_HOLE = "icc0kept0csrf0token"
PRINTED_HOLE = "icc0kept0printed0at"


def whole_page_key(request, *facts) -> str:
    """The whole page's key: the newest change of all (a page shows only what a change
    writes a row for, and who may see what is a definition, so at one newest change a
    page is what it was), the reader (their name and menus are in the frame), the
    language and the address. Read before the view: the one query of the request's
    versions; a change anywhere moves it, and the view then finds its own kept parts.
    ``facts``: whatever else the page shows (:meth:`ConditionalPage.page_facts`)."""
    return keeping.key(
        "whole-page",
        versions.newest_version().position,
        keeping.reader_id(request.user),
        get_language(),
        request.get_full_path(),
        *facts,
    )


def served_whole_page(request, *facts):
    """The page as kept, its holes filled for this request (304 when the client holds its
    ETag); None when it is not kept."""
    kept = cache.get(whole_page_key(request, *facts))
    if kept is None:
        return None
    html, etag = kept
    response = HttpResponse(_filled(request, html))
    if not etag:
        return response
    response["ETag"] = etag
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return get_conditional_response(request, etag=etag, response=response)


def keep_whole_page(request, response: SimpleTemplateResponse, *facts) -> None:
    """Render the page with holes for what is the request's own, keep it with its ETag
    (unless the request wrote the log itself), and fill the holes."""
    key = whole_page_key(request, *facts)
    response.context_data = {
        **(response.context_data or {}),
        "csrf_token": CSRF_HOLE,
        "printed_at": PRINTED_HOLE,
    }

    def keep(rendered) -> None:
        html = rendered.content.decode()
        if not versions.request_wrote():
            cache.set(key, (html, rendered.get("ETag")), keeping.TIMEOUT)
        rendered.content = _filled(request, html)

    response.add_post_render_callback(keep)


def _filled(request, html: str) -> str:
    printed = date_filter(datetime.now(tz=timezone.get_current_timezone()), "DATETIME_FORMAT")
    return html.replace(CSRF_HOLE, get_token(request)).replace(PRINTED_HOLE, escape(printed))


def conditional_page(request, response, *facts):
    tag = page_etag(request, *facts)
    if tag is None or response.status_code != 200 or len(get_messages(request)):
        return response
    response["ETag"] = f'"{tag}"'
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return get_conditional_response(request, etag=response["ETag"], response=response)


def definitions_key(kind: str, request, *facts) -> str:
    """The key of what is no one consortium's (the list of consortia): the definition
    rows' version, the language and ``facts`` (what decides who sees what of it)."""
    version = getattr(request, "_definitions_version", None)
    if version is None:
        version = request._definitions_version = versions.definitions_version()
    return keeping.key(f"defs:{kind}", version.position, get_language(), facts)
