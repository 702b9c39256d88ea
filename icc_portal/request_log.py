"""One log line per request, and the request's id on every line logged while it runs.

``RequestLogMiddleware`` gives each request an id: the caller's ``X-Request-ID`` when it
is a sane token (a proxy or load balancer in front usually sets one, so its log and ours
join up), else a new one. The id goes back in the ``X-Request-ID`` response header, onto
``request.request_id``, and into a context variable that ``RequestIdFilter`` puts on every
log record, whichever logger wrote it (a database error, Django's "Not Found" warning).
When the response leaves, one line says what happened::

    2026-11-28T09:12:01Z INFO icc_portal.requests request_id=5c0f… method=GET
    path=/cities/ravenna/ status=200 duration_ms=41 user=7

The duration runs until the response is handed to the server; a streamed CSV goes on
after that. ``user`` is the user's id, or ``-`` for an anonymous request.

Written here rather than taken from a package: django-guid and django-log-request-id each
do half of it (the id, or a request line without its duration) with settings of their
own, and together this is some forty lines.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and . _ : - only, at most 128 characters: a UUID, a hex digest or a
# trace id fits; anything else (spaces, quotes, a line break to forge a log line) does not.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
NO_REQUEST = "-"

current_request_id: ContextVar[str] = ContextVar("current_request_id", default=NO_REQUEST)
logger = logging.getLogger("icc_portal.requests")


def request_id_from(incoming: str | None) -> str:
    """The caller's id when it is a sane token, else a fresh one."""
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Kept until the response is closed (see forget_request_id), not only until it
        # leaves this middleware: Django logs "Not Found: /x" after the whole chain.
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else NO_REQUEST
        logger.info(
            "method=%s path=%s status=%s duration_ms=%s user=%s",
            request.method,
            request.get_full_path(),
            response.status_code,
            duration_ms,
            user_id,
            extra={
                "http_method": request.method,
                "http_path": request.path,
                "http_status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
        return response


@receiver(request_finished, dispatch_uid="icc_portal.request_log.forget_request_id")
def forget_request_id(**kwargs) -> None:
    """The response is closed (a stream sent to its end): later lines belong to no request."""
    current_request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record: the current request's, or ``-`` outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """Every event on one line: line breaks (a traceback, a path with %0A in it) escaped.

    One event per line keeps a log collector from splitting a traceback into unrelated
    lines, and keeps a crafted URL from forging a line of its own. Times are in UTC, as
    gunicorn's own lines are (Django sets the process's zone to TIME_ZONE).
    """

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")
