"""Shared pieces of the REST API: access, the error shape, decimals, CSV (paging: api_pagination).

Every error leaves the API in one shape, whatever raised it::

    {"detail": "Invalid input.", "code": "invalid", "errors": {"value": ["A count ..."]}}

``errors`` maps field names to lists of messages (``non_field_errors`` for the
request as a whole) and is empty for errors that concern no field (401, 403, 404…).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api_pagination import CountCache, Pagination  # noqa: F401 (the API's, named here)
from .api_validators import NotModified
from .errors import body_error

CSV_MEDIA_TYPE = "text/csv"


# --------------------------------------------------------------------------- errors


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


# --------------------------------------------------------------------------- values


def plain_decimal(number: Decimal | None) -> str | None:
    """A Decimal as a plain string without exponent or trailing zeros: 2.5000 -> "2.5"."""
    if number is None:
        return None
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", ""} else text


#: How every decimal of the API is declared: a string holding a plain decimal number
#: (``plain_decimal``), so a generated client never reads it through a binary float.
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(?:\.[0-9]+)?$"}


@extend_schema_field(DECIMAL_STRING)
class PlainDecimalField(serializers.DecimalField):
    """Decimals out as plain strings ("2", "0.5"), never floats, never "2.0000"."""

    def to_representation(self, value):
        return plain_decimal(Decimal(value)) if value is not None else None


@extend_schema_field(DECIMAL_STRING)
class DecimalStringField(serializers.CharField):
    """A computed decimal (a roll-up, a ratio) documented as ``format: decimal``."""


# --------------------------------------------------------------------------- CSV


class _Echo:
    def write(self, value: str) -> str:
        return value


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number as ``plain_decimal`` writes it: a spreadsheet reads it as that number.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def neutralise_formula(text: str) -> str:
    """Text that a spreadsheet shows as typed, never runs as a formula.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading ``'``, as OWASP recommends: Excel and LibreOffice then show the
    text itself (``=HYPERLINK(...)`` stays words, not a link). Spaces or line breaks
    before such a character do not hide it. The one exception is a plain number such
    as ``-5`` or ``-0.5`` (how the API writes a Decimal): it is a number, nothing to
    run, and must stay a number for the reader's sums.
    """
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """Encoded CSV lines, one at a time: a header, then each row in the fixed column order."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns).encode()
    for row in rows:
        yield writer.writerow([_csv_cell(row.get(column)) for column in columns]).encode()


def _csv_cell(value: Any) -> str:
    """One cell: numbers as plain numbers, text neutralised (see ``neutralise_formula``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_decimal(value) or ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return neutralise_formula(";".join(str(item) for item in value))
    return neutralise_formula(str(value))


def streaming_csv(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(columns, rows), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVRenderer(BaseRenderer):
    """``text/csv`` for content negotiation (``?format=csv`` or ``Accept: text/csv``).

    Lists do not come through here: their views stream the whole filtered set
    themselves (see ``CsvListMixin``). This renders what is left, a single object.
    """

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        rows = data if isinstance(data, list) else [data]
        view = (renderer_context or {}).get("view")
        columns = getattr(view, "csv_columns", None) or (list(rows[0]) if rows else [])
        return b"".join(csv_lines(columns, rows))


class CsvListMixin:
    """A list view that streams its whole filtered set as CSV, unpaginated.

    Subclasses set ``csv_columns`` and ``csv_filename`` and may override
    ``csv_rows(queryset)`` (default: each object through the serializer).
    """

    csv_columns: Sequence[str] = ()
    csv_filename = "export.csv"

    def wants_csv(self, request) -> bool:
        return getattr(request, "accepted_media_type", "").startswith(CSV_MEDIA_TYPE)

    def csv_rows(self, queryset) -> Iterator[Mapping[str, Any]]:
        serializer = self.get_serializer()
        for instance in queryset.iterator(chunk_size=2000):
            yield serializer.to_representation(instance)

    def csv_response(self, queryset) -> StreamingHttpResponse:
        rows = self.csv_rows(queryset)
        # Run the query before the response starts: a database error is still a clean
        # error response here, where half-way through the stream it would cut it off.
        first = next(rows, None)

        def every_row():
            # ``yield from``: closing the response (a 304 in its place, a client gone)
            # closes the rows too, and with them the database cursor, there and then.
            if first is not None:
                yield first
                yield from rows

        return streaming_csv(self.csv_columns, every_row(), filename=self.csv_filename)

    def list(self, request, *args, **kwargs):
        if self.wants_csv(request):
            self.paginator.check_query(request)
            return self.csv_response(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)
