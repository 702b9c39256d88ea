"""The API's errors: one body shape, whatever raised them, and their schema entries.

Every error leaves the API in one shape, whatever raised it::

    {"detail": "Invalid input.", "code": "invalid", "errors": {"value": ["A count ..."]}}

``errors`` maps field names to lists of messages (``non_field_errors`` for the
request as a whole) and is empty for errors that concern no field (401, 403, 404…).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from icc_portal.errors import body_error

from .conditional import NotModified
from .csv import CSV_MEDIA_TYPE


class ApiError(exceptions.APIException):
    """An API error that carries field errors (and an ETag) into the error body."""

    def __init__(
        self, detail: str, *, code: str, errors: Mapping | None = None, etag: str = ""
    ) -> None:
        super().__init__(detail=detail, code=code)
        self.errors = dict(errors or {})
        self.etag = etag


class Conflict(ApiError):
    """409: the request clashes with the figure's current state (stale version, locked)."""

    status_code = status.HTTP_409_CONFLICT


class PreconditionFailed(ApiError):
    """412: ``If-Match`` names a version that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED


class BadRequest(ApiError):
    """400 for a request that could not be read at all (e.g. too many fields)."""

    status_code = status.HTTP_400_BAD_REQUEST


class PayloadTooLarge(ApiError):
    """413: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class PreconditionRequired(ApiError):
    """428: a change that says neither ``If-Match`` nor ``version``."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED


def _as_lists(errors: Any) -> Any:
    """Field errors as lists of strings (nested serializers keep their nesting)."""
    if isinstance(errors, Mapping):
        return {str(field): _as_lists(messages) for field, messages in errors.items()}
    if isinstance(errors, list | tuple):
        return [_as_lists(message) for message in errors]
    return str(errors)


def _first_code(codes: Any) -> str:
    if isinstance(codes, Mapping):
        codes = next(iter(codes.values()), "invalid")
    if isinstance(codes, list | tuple):
        codes = codes[0] if codes else "invalid"
    return _first_code(codes) if isinstance(codes, Mapping | list | tuple) else str(codes)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus Django's own errors, reshaped into the one error body.

    Anything else (a bug) is left to Django, which logs it with its traceback and
    answers with ``handler500``: the same body, code ``server_error``
    (:mod:`icc_portal.errors`).
    """
    if isinstance(exc, NotModified):  # a conditional read: no body, the validators
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
        exc.validators.apply(response)
        return response
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(
            {
                "non_field_errors" if field == "__all__" else field: messages
                for field, messages in detail.items()
            }
        )
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif (refused := body_error(exc)) is not None:
        status_code, detail, code = refused
        exc = (PayloadTooLarge if status_code == 413 else BadRequest)(detail, code=code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, Mapping) else None
        if errors is None:
            errors = {"non_field_errors": response.data}
        body = {
            "detail": "Invalid input.",
            "code": _first_code(exc.get_codes()),
            "errors": _as_lists(errors),
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, Mapping) else ""
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        errors = _as_lists(getattr(exc, "errors", {}))
        body = {"detail": str(detail), "code": _first_code(code), "errors": errors}
        if getattr(exc, "etag", ""):
            response["ETag"] = exc.etag
    response.data = body
    # Errors are always JSON, also for a request that asked for CSV.
    request = context.get("request")
    if request is not None and getattr(request, "accepted_media_type", "") == CSV_MEDIA_TYPE:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Field name to messages; empty when the error concerns no field.",
        ),
    },
)


def error_responses(*statuses: int) -> dict:
    """Schema entries for the error statuses an operation may answer with."""
    return {(code, "application/json"): ErrorSerializer for code in statuses}


READ_ERRORS = (400, 401, 404, 429)
