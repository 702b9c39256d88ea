"""Everything kept by data version, in one place: keys, ETags, the timeout, what is kept.

A consortium's data version (:mod:`changelog.versions`) moves with every change that can
alter what its pages and API answers show, inside the change's own transaction. So
whatever is kept under a key that holds the version can never be stale: nothing is
invalidated, an entry is simply no longer asked for once the version has moved, and
every worker (every server, with ``CACHE_URL`` at one Redis) reads the others' entries.

Who keeps what:

* the pages' rendered parts (:mod:`kpis.dashboards.versioned`), under :func:`key`;
* the API's answers, under their ETag (:mod:`icc_portal.api.conditional`);
* the counts of large API lists (:func:`count`);
* the progress tables a process built lately (:func:`kept_here`: in the process, not in
  the shared cache, as a table is read many times for the pages of one list).

The ETags of pages and answers are one recipe (:func:`etag`): an HMAC under the site's
secret of the version, the reader (:func:`reader_id`), the language, the request and
whatever else the response depends on. Entries expire after ``VERSIONED_CACHE_TIMEOUT``
seconds unread (:data:`TIMEOUT`): a bound on memory, not on staleness.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from . import versions
from .stamp import Stamp

T = TypeVar("T")

#: Seconds an entry may stay unread (read once, here).
TIMEOUT: int = settings.VERSIONED_CACHE_TIMEOUT


def reader_id(user) -> int:
    """The reader as the keys and ETags hold them: the user's id, 0 when anonymous."""
    return user.pk if user is not None and user.is_authenticated else 0


def key(kind: str, position: int, *facts) -> str:
    """A key for what ``kind`` keeps at the version ``position``, given ``facts``."""
    digest = hashlib.sha256(repr(facts).encode()).hexdigest()[:32]
    return f"{kind}:{position}:{digest}"


def etag(kind: str, request, version: Stamp, *facts, length: int = 32) -> str:
    """The digest of an ETag: the version, the reader, the language, the request (path and
    query) and ``facts``, as an HMAC under the site's secret, so a client can neither
    guess the ETag of a response it never read nor forge one."""
    raw = repr(
        (
            version.position,
            reader_id(getattr(request, "user", None)),
            get_language(),
            request.get_full_path(),
            facts,
        )
    )
    return salted_hmac(f"icc-portal.{kind}.etag", raw, algorithm="sha256").hexdigest()[:length]


def kept(key: str, build: Callable[[], T]) -> T:
    """The value kept under ``key``, built and kept first if there is none.

    What a request builds after writing the log itself is not kept: it may hold rows of
    its transaction, which other readers must not see before it commits (or at all)."""
    value = cache.get(key)
    if value is None:
        value = build()
        if not versions.request_wrote():
            cache.set(key, value, TIMEOUT)
    return value


def kept_many(
    keys: Mapping[Hashable, str],
    build: Callable[[list], Mapping[Hashable, T]],
    *,
    stored: Callable[[T], Any] = lambda value: value,
) -> dict[Hashable, T]:
    """:func:`kept` for several values at once: ``keys`` maps each item to its key; the
    items not kept are built together (``build`` takes them, answers item -> value) and
    kept as ``stored`` says (unless the request wrote the log). Two cache round trips."""
    found = cache.get_many(list(keys.values())) if keys else {}
    values = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in keys if item not in values]
    if missing:
        built = build(missing)
        values.update((item, built[item]) for item in missing)
        if not versions.request_wrote():
            cache.set_many({keys[item]: stored(built[item]) for item in missing}, TIMEOUT)
    return values


def count(name: str, queryset, *, question: Any, position: int) -> int:
    """``queryset.count()``, kept under ``question`` (who asks, with which filters) and the
    version ``position``: an exact ``COUNT(*)`` over many rows costs more than a page."""
    return kept(key(f"icc-api-count:{name}", position, question), queryset.count)


#: What :func:`kept_here` holds in this process, newest last, and how many.
_HERE: OrderedDict[Hashable, Any] = OrderedDict()
HERE_KEPT = 8


def kept_here(key: Hashable, build: Callable[[], T]) -> T:
    """The value kept in this process under ``key`` (which holds a version), built first if
    there is none; the :data:`HERE_KEPT` used last are kept."""
    if key in _HERE:
        _HERE.move_to_end(key)
        return _HERE[key]
    value = _HERE[key] = build()
    while len(_HERE) > HERE_KEPT:
        _HERE.popitem(last=False)
    return value


def forget_here() -> None:
    """Drop what this process keeps (tests: a rolled-back test's positions recur)."""
    _HERE.clear()
