"""CSV answers: streamed lists, a renderer for single objects, formulas neutralised."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

from icc_portal.numbers import plain

CSV_MEDIA_TYPE = "text/csv"


class _Echo:
    def write(self, value: str) -> str:
        return value


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number as :func:`icc_portal.numbers.plain` writes it: a spreadsheet reads it as that number.
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
        return plain(value)
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
