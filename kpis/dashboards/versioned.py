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
from typing import TypeVar

from django.contrib.messages import get_messages
from django.utils.cache import get_conditional_response, patch_vary_headers
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


def page_key(kind: str, request, consortium_ids: Iterable[int], *facts) -> str:
    """The key of a page part: its kind, the consortia's version, what the reader sees of
    each, the language, and ``facts`` (whatever else the part depends on)."""
    ids = tuple(sorted(set(consortium_ids)))
    version = version_of(request, ids)
    seen = tuple(visibility_class(request.user, pk) for pk in ids)
    return keeping.key(f"page:{kind}", version.position, ids, seen, get_language(), facts)


def kept_page(
    kind: str, request, consortium_ids: Iterable[int], *facts, build: Callable[[], T]
) -> T:
    """A page's judged part, rendered once and kept under the consortia's version.

    ``build`` renders it (and may read and fill the view's context meanwhile); its value is
    kept under :func:`page_key` — the kind, the version, what the reader sees of each
    consortium, the language and ``facts`` — and read back by every later request.
    """
    return keeping.kept(page_key(kind, request, consortium_ids, *facts), build)


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
    """A page view mixin: an ETag from the data version the page read; 304 when current.

    The view reads its version through :func:`page_key` (or :func:`version_of`); the
    ETag adds the reader, the language and the request (:func:`page_etag`). A client
    whose ``If-None-Match`` holds it gets a 304 before the template renders. A page
    with messages waiting is always rendered (the messages are shown once).
    """

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        return conditional_page(request, response)


def conditional_page(request, response):
    tag = page_etag(request)
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
