"""What a person or a program sees when a request fails: 400, 403, 404, 500, CSRF.

Django calls these views (``handler400`` … in :mod:`icc_portal.urls`,
``CSRF_FAILURE_VIEW`` in the settings) for errors no view answered itself: an
exception raised in a view, in a middleware, or while the body was read. Under
``/api/`` the answer is the API's error body (see :mod:`icc_portal.api.errors`), so a
client never has to read an HTML page; everywhere else it is a page in the site's
layout that says what happened, what to do, and how to get back.

The 500 page renders without a request context (no context processor, no database
query, no URL lookup): whatever broke the request must not break its error page too.
If even that template fails, a few lines of plain HTML are sent.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+/=-]{1,128}")

logger = logging.getLogger(__name__)

PLAIN_500 = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Server error · ICC Portal</title></head><body>"
    "<h1>Something went wrong on our side</h1>"
    "<p>Please try again in a few minutes.</p>"
    '<p><a href="/">Back to the overview</a></p></body></html>'
)


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def request_id_of(request: HttpRequest) -> str:
    """The id the request carries (set by a middleware, or sent as ``X-Request-ID``)."""
    value = getattr(request, "request_id", None) or request.headers.get("X-Request-ID", "")
    value = str(value)
    return value if REQUEST_ID.fullmatch(value) else ""


def api_error(status: int, detail: str, code: str, *, request_id: str = "") -> JsonResponse:
    """The API's error body, for errors that never reached a DRF view's own handler."""
    body: dict = {"detail": str(detail), "code": code, "errors": {}}
    if request_id:
        body["request_id"] = request_id
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if request_id:
        response["X-Request-ID"] = request_id
    return response


def body_error(exception: BaseException) -> tuple[int, str, str] | None:
    """Django's refusals while reading a request body: (status, detail, code), else None."""
    if isinstance(exception, RequestDataTooBig):
        return (
            413,
            _("The request body is too large: the API accepts at most %(limit)s bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            "request_too_large",
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            400,
            _("The request sends too many fields: the API accepts at most %(limit)s.")
            % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS},
            "too_many_fields",
        )
    return None


def back_url(request: HttpRequest) -> str:
    """The page the visitor came from, if it is on this site; else the overview (``/``)."""
    referer = request.headers.get("Referer", "")
    if referer:
        parts = urlsplit(referer)
        try:
            host = request.get_host()
        except Exception:  # a disallowed host: no way back but the overview
            host = None
        if parts.scheme in {"http", "https"} and parts.netloc == host and parts.path:
            # A page is no way back to itself, but a form is: a refused POST goes back to it.
            if parts.path != request.path or request.method not in {"GET", "HEAD"}:
                return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def _page(
    request, template_name: str, status: int, *, offer_login: bool = False, **context
) -> HttpResponse:
    """A 4xx page in the site's layout; ``offer_login``: to anonymous visitors only."""
    user = getattr(request, "user", None)
    context.update(
        status=status,
        back_url=back_url(request),
        offer_login=offer_login and not (user is not None and user.is_authenticated),
    )
    return HttpResponse(
        loader.render_to_string(template_name, context, request=request), status=status
    )


# --------------------------------------------------------------------------- the handlers


@requires_csrf_token
def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if is_api_request(request):
        status, detail, code = body_error(exception) or (
            400,
            _("The request could not be read."),
            "bad_request",
        )
        return api_error(status, detail, code)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: BaseException | None = None):
    if is_api_request(request):
        return api_error(
            403, _("You do not have permission to perform this action."), "permission_denied"
        )
    return _page(request, "403.html", 403, offer_login=True)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: BaseException | None = None):
    if is_api_request(request):
        return api_error(404, _("Not found."), "not_found")
    return _page(request, "404.html", 404, offer_login=True, request_path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 answer. Django has logged the exception (with its traceback) already."""
    request_id = request_id_of(request)
    if is_api_request(request):
        return api_error(500, _("A server error occurred."), "server_error", request_id=request_id)
    try:
        page = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        page = PLAIN_500
    return HttpResponse(page, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token (``CSRF_FAILURE_VIEW``).

    Most often an old tab: the page was open across a log-in or log-out, or the
    browser dropped the cookie. The page says so and how to go on; the reason Django
    gives (for developers) is logged by Django, not shown.
    """
    if is_api_request(request):
        return api_error(
            403,
            _("The request was refused: its CSRF token is missing or out of date."),
            "csrf_failed",
        )
    return _page(request, "403_csrf.html", 403)
