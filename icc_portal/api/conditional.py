"""Conditional reads: an ETag and ``Last-Modified`` on every JSON and CSV read, and 304.

The validators are computed *before* anything else is read, from three things:

* the data version (one query): every change to what the API shows writes a row to the
  change log in commit order, so its newest position moves whenever any response may
  have changed, and its time is ``Last-Modified``. A read of one consortium (a view's
  :meth:`ConditionalReads.version_scope`, e.g. ``/progress/?consortium=sern``) uses that
  consortium's version (:mod:`changelog.versions`), which a change elsewhere leaves
  alone; the lists across consortia use the whole log's (:func:`changelog.stamp.current`);
* who asks: the reader (a user id, or anonymous). Whatever decides what a reader sees
  (their roles, whether a consortium is published) is itself a change in the log, so
  the version and the reader together pin down the reader's view;
* what was asked: the path and query string, the media type with its parameters (JSON
  and CSV of one resource have different ETags, and so have plain and indented JSON),
  the language, and a *prefix* a view may add in front, such as ``measurement-12-v3-``
  on a figure, whose version ``If-Match`` reads.

ETag = ``"<prefix><digest>"``, the digest an HMAC of all of it under the site's secret,
so a client can neither guess the ETag of a resource it never read nor forge one. The
ETag is strong (the same bytes for the same ETag); ``If-None-Match`` compares weakly,
so ``W/"…"`` (as some proxies send it back) matches too. A 304 for a current ETag costs
the authentication's query (none for anonymous readers) and the data version's: nothing
else is read. ``If-Modified-Since`` is honoured when no ``If-None-Match`` is sent, once
the view has answered (a date proves nothing about the request it comes with, so the
request is read and checked first), and only where a date can tell (below).

Dates are whole seconds, and several changes can be recorded within one: a copy read
at 10:00:05.3 misses a change recorded at 10:00:05.8, and both carry the second
10:00:05. So ``Last-Modified`` is a date by which *every* change up to the answer's
version had been recorded and committed, and ``If-Modified-Since`` answers 304 only
when the newest change was recorded in a second *before* the date given:

* when the answer is read at least ``SETTLE_SECONDS`` after the end of the second its
  version was recorded in, no change of that second can still commit (a change's
  log row is written last in its transaction, just before the commit: see
  :mod:`changelog.log`), so ``Last-Modified`` is the end of that second (its start
  plus one): every change it could share a second with is in the answer;
* before then, ``Last-Modified`` is the start of that second, and a revalidation by
  that date is never a 304 (the data's newest change is never before it): it cannot
  be known that the copy holds every change of its second. The ETag still answers
  304 meanwhile, and the next answer, once the second has settled, carries a date
  that works.

A date the client took from elsewhere (its own clock, the ``Date`` header) is
compared the same way: a change recorded in that very second is never hidden.

Computed before the response's own reads, an ETag may be older than the data it comes
with (a change committed in between), never newer: the next conditional read then
simply gets a 200.

The browsable API's HTML (a CSRF token in every page) gets no validators.

Answers kept (a view's ``cache_answers``): the JSON body of a 200 (its bytes, as sent) is
kept in Django's cache (shared by every worker when ``CACHE_URL`` points at Redis) under
its ETag, which holds the data version, the reader, the language, the media type and the
request, plus the host and scheme its links are made from. A later read with the same
ETag is answered from the cache without running the view; a change moves the version, so
no kept answer outlives it (see :mod:`changelog.versions` for why an answer is never
older than its key). The keys, the timeout and the ETags' recipe are those of
:mod:`changelog.kept`, which the pages share.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import exceptions, status
from rest_framework.response import Response

from changelog import kept as keeping
from changelog import stamp, versions

#: Media types that get validators (not the browsable API's HTML).
VALIDATED_MEDIA = ("application/json", "text/csv")
DIGEST_LENGTH = 24
_TAG = re.compile(r'^(?:W/)?"(?P<prefix>[^"]*?)(?P<digest>[0-9a-f]{24})"$')


class NotModified(exceptions.APIException):
    """304: the client's copy is current. Answered without a body (see the handler)."""

    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = ""

    def __init__(self, validators: Validators) -> None:
        super().__init__()
        self.validators = validators


#: Seconds after the end of a change's second by which a change recorded in that second
#: has committed (its log row is the last thing its transaction writes); covers also a
#: small difference between the servers' clocks.
SETTLE_SECONDS = 1


def now() -> float:
    """The server's clock (a function of its own, so that tests can set it)."""
    return time.time()


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str
    #: When the newest change of the answer's version was recorded.
    changed_at: datetime.datetime
    #: When that version was read: the answer holds every change committed by then.
    read_at: float

    @property
    def last_modified(self) -> int:
        """``Last-Modified`` in whole seconds: the end of the newest change's second once
        every change of that second has committed, else its start (module docstring)."""
        second = math.floor(self.changed_at.timestamp())
        settled = self.read_at >= second + 1 + SETTLE_SECONDS
        return second + 1 if settled else second

    def apply(self, response) -> None:
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)


def data_version(consortium: str | None = None) -> stamp.Stamp:
    """The version everything the API shows is at, or with ``consortium`` (a slug) the
    version of that consortium's data (one query either way)."""
    if consortium:
        return versions.consortium_version_by_slug(consortium)
    return versions.newest_version()


def wants_validators(request) -> bool:
    return request.method in ("GET", "HEAD") and request.accepted_media_type.startswith(
        VALIDATED_MEDIA
    )


def _digest(request, version: stamp.Stamp, prefix: str) -> str:
    # The whole media type, parameters too: ``application/json; indent=4`` is other bytes.
    media = "".join(request.accepted_media_type.lower().split())
    return keeping.etag("api", request, version, media, prefix, length=DIGEST_LENGTH)


def validators_for(request, version: stamp.Stamp, prefix: str = "") -> Validators:
    """The validators of a read whose version :func:`check` read (and noted when)."""
    return Validators(
        f'"{prefix}{_digest(request, version, prefix)}"',
        version.changed_at,
        request.data_version_read_at,
    )


def check(
    request,
    *,
    prefix_pattern: re.Pattern[str] | None = None,
    scope: str | None = None,
    version: stamp.Stamp | None = None,
) -> Validators:
    """The validators of a read, after raising :class:`NotModified` if the client's ETag is
    current.

    Only an ETag this site gave for this very request (path, query, reader, media type)
    at this data version matches, so a match also says the request was answered 200
    then, and is again: nothing else needs reading, nor validating. ``*`` is not
    honoured (it would need to know the resource exists: a 200 is always right).
    ``prefix_pattern``: the prefixes the view puts in its ETags (e.g. a figure's
    version); a client's ETag whose prefix fits is checked with that prefix, so a view
    can answer 304 without reading the object the prefix describes. ``scope``: the slug
    of the one consortium the read is about (its version instead of the whole log's).
    ``version``: a version the view read itself (a programme's: every consortium of it).
    The data version read is kept as ``request.data_version`` for the view's own use.
    """
    version = request.data_version = version if version is not None else data_version(scope)
    request.data_version_read_at = now()
    current = validators_for(request, version)
    for tag in (part.strip() for part in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")):
        match = _TAG.match(tag)
        if match is None:
            continue
        prefix = match["prefix"]
        if prefix and (prefix_pattern is None or not prefix_pattern.fullmatch(prefix)):
            continue
        if constant_time_compare(match["digest"], _digest(request, version, prefix)):
            raise NotModified(validators_for(request, version, prefix))
    return current


def not_modified_since(request, validators: Validators) -> bool:
    """``If-Modified-Since`` (without ``If-None-Match``): the newest change was recorded in
    a second before that date, so no change can share the date's second (module
    docstring).

    Asked once the view has answered 200, so a malformed request or a missing resource
    still gets its 4xx: a date, unlike an ETag, says nothing of the request it came
    with. A date in the future is ignored (RFC 9110, 13.1.3).
    """
    if request.META.get("HTTP_IF_NONE_MATCH"):
        return False
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE"))  # None if absent
    if since is None or since > now():
        return False
    return math.floor(validators.changed_at.timestamp()) < since


def version_for(request) -> stamp.Stamp:
    """The data version this request's validators were computed from (read if none were)."""
    version = request.data_version
    if version is None:
        version = request.data_version = data_version()
    return version


def _let_go(response) -> None:
    """Close a streamed body that will not be sent, so that its database cursor closes now,
    inside the request (``response.close()`` would also end the request: it sends
    ``request_finished``, which closes the database connection)."""
    for close in response._resource_closers:
        close()


def answer_key(request, validators: Validators) -> str:
    """Where a JSON answer is kept: its ETag (version, reader, request…), host and scheme."""
    position = request.data_version.position
    return keeping.key("api-answer", position, validators.etag, request.get_host(), request.scheme)


class ConditionalReads:
    """A view mixin: validators on every JSON and CSV read (list, detail), 304 when current.

    ``etag_prefix_pattern`` as for :func:`check`; a view whose ETags carry a prefix sets
    ``request.etag_prefix`` while it answers. ``cache_answers``: keep each 200 JSON body
    under its ETag and answer the same read of a list from the cache (module docstring).
    """

    etag_prefix_pattern: re.Pattern[str] | None = None
    cache_answers = False
    #: A viewset's action ("list", "retrieve"); none on a plain view.
    action: str | None = None

    def version_scope(self, request) -> str | None:
        """The slug of the one consortium this read is about, if it is about one."""
        return None

    def read_version(self, request) -> stamp.Stamp | None:
        """A version the view reads itself, instead of :meth:`version_scope`'s."""
        return None

    def keeps_answer(self, request) -> bool:
        """Lists only: a detail's ETag carries the figure's version, set as it answers."""
        return (
            self.cache_answers
            and self.action == "list"
            and request.accepted_media_type.startswith("application/json")
        )

    def initialize_request(self, request, *args, **kwargs):
        # Set on every request, also one refused before or in its checks: finalize_response
        # and version_for read them.
        request = super().initialize_request(request, *args, **kwargs)
        request.validators = request.data_version = request.answer_key = None
        request.etag_prefix = ""
        return request

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if wants_validators(request):
            request.validators = check(
                request,
                prefix_pattern=self.etag_prefix_pattern,
                scope=self.version_scope(request),
                version=self.read_version(request),
            )
            if self.keeps_answer(request):
                request.answer_key = answer_key(request, request.validators)
                kept = cache.get(request.answer_key)
                if kept is not None:
                    request.answer_key = None  # nothing to keep again
                    content, content_type = kept

                    def answer(*args, **kwargs):
                        return HttpResponse(content, content_type=content_type)

                    self.get = self.head = answer

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        validators, key = request.validators, request.answer_key
        if key and response.status_code == status.HTTP_200_OK and isinstance(response, Response):
            response.render()  # kept as the bytes sent: a read from the cache renders nothing
            cache.set(key, (response.content, response["Content-Type"]), keeping.TIMEOUT)
        if validators is not None and response.status_code == status.HTTP_200_OK:
            if request.etag_prefix:
                validators = validators_for(request, request.data_version, request.etag_prefix)
            if not_modified_since(request, validators):
                _let_go(response)
                response = HttpResponseNotModified()
            validators.apply(response)
        return response
