"""What one upload may cost, bounded before its rows are read: the file's size, what a
workbook unpacks to, the parts openpyxl reads whole (shared strings, styles…), the sheets'
tags and declared size, the rows read, and the time an import takes.

:mod:`kpis.exchange.reading` reads a file within these bounds; each refusal is a
:class:`FileRefused` with a message and a code, never a wait. ``make bench``
(``bench/upload_bench.py``) holds hostile files to a refusal within 1 s and 50 MB.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .template import COLUMNS, FIRST_ROW

#: The largest upload read at all; a template of 100 KPIs is some 20 kB.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: What an XLSX may unpack to, in all, before openpyxl is let near it.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
#: Rows a template may have past its last KPI (blank, or formatted by a spreadsheet program)
#: before the reading stops and the file is refused.
SPARE_ROWS = 1000
#: The longest one import may take, reading and judging its rows (seconds).
TIME_BUDGET_SECONDS = 10.0
#: openpyxl reads a workbook's shared strings and styles whole, tens of microseconds an
#: element, before any sheet: a small file packed with them would hold a worker for
#: minutes. These parts may have this many XML tags at most (a template's have hundreds)…
MAX_PART_TAGS = 10_000
#: …the shared strings one per cell a template of the page can fill, and some to spare…
SPARE_STRINGS = 500
#: …and a sheet this many tags per cell a template of the page can have.
TAGS_PER_CELL = 8


class FileRefused(Exception):
    """The file is not read at all: ``message`` says why and what to do, ``code`` which rule."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def megabytes(size: int) -> str:
    return number_format(round(size / (1024 * 1024), 1), decimal_pos=1)


class Deadline:
    """The time an import may take, checked as it reads and judges its rows."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = TIME_BUDGET_SECONDS if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise FileRefused(
                _(
                    "Reading this file took longer than the %(seconds)s seconds an import "
                    "may take: use the template downloaded from this page, with one row per "
                    "KPI."
                )
                % {"seconds": number_format(self.seconds, decimal_pos=0)},
                "too_slow",
            )


def last_row(max_rows: int) -> int:
    """The last sheet row read: the page's KPIs, then :data:`SPARE_ROWS` blank ones."""
    return FIRST_ROW + max_rows - 1 + SPARE_ROWS


def too_many_rows(max_rows: int) -> FileRefused:
    return FileRefused(
        _(
            "The file has more rows of figures than this page has KPIs (%(kpis)s): use the "
            "template downloaded from this page."
        )
        % {"kpis": max_rows},
        "too_many_rows",
    )


def too_long(where: str, reached: int, max_rows: int) -> FileRefused:
    return FileRefused(
        ngettext(
            "%(where)s goes on to row %(row)s, but this page has %(kpis)s KPI: its template "
            "ends long before. Use the template downloaded from this page.",
            "%(where)s goes on to row %(row)s, but this page has %(kpis)s KPIs: its template "
            "ends long before. Use the template downloaded from this page.",
            max_rows,
        )
        % {
            "where": where,
            "row": number_format(reached, force_grouping=True),
            "kpis": max_rows,
        },
        "too_many_rows",
    )


def check_size(size: int) -> None:
    """Refuse a file too large to be a template, before reading it."""
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            _(
                "The file is %(size)s MB; the import reads files of up to %(limit)s MB. "
                "A template holds one row per KPI and is far smaller: download it again "
                "from this page."
            )
            % {"size": megabytes(size), "limit": megabytes(MAX_FILE_BYTES)},
            "too_large",
        )


_TAG = (b"<",)
_SHARED_STRING = (b"<si>", b"<si ", b":si>", b":si ")  # with or without a namespace prefix


def _more_than(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...], limit: int) -> bool:
    """Whether a part holds more than ``limit`` of ``needles``, counted as it is unpacked,
    chunk by chunk, stopping at the limit."""
    count = 0
    with archive.open(name) as part:
        while chunk := part.read(1024 * 1024):
            count += sum(chunk.count(needle) for needle in needles)
            if count > limit:
                return True
    return False


def too_complex() -> FileRefused:
    return FileRefused(
        _(
            "This workbook holds far more styles, text or cells than a template of this "
            "page: use the template downloaded from this page."
        ),
        "too_complex",
    )


def check_parts(archive: zipfile.ZipFile, max_rows: int) -> None:
    """The parts openpyxl reads whole, bounded before it reads them: the shared strings
    by their number, the others (styles, workbook, relations…) by their tags. Sheets are
    streamed; the two read are bounded when they are opened (:func:`check_sheet`)."""
    max_strings = max_rows * len(COLUMNS) + SPARE_STRINGS
    for member in archive.infolist():
        name = member.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            continue
        if not name.endswith((".xml", ".rels", ".vml")):
            continue  # images and the like: never parsed
        if name.endswith("sharedStrings.xml"):
            too_many = _more_than(archive, name, _SHARED_STRING, max_strings)
            too_many = too_many or _more_than(archive, name, _TAG, max_strings * TAGS_PER_CELL)
        else:
            too_many = _more_than(archive, name, _TAG, MAX_PART_TAGS)
        if too_many:
            raise too_complex()


def check_sheet(content: bytes, sheet, max_rows: int) -> None:
    """A sheet with more tags than a template of the page can have is refused unread: its
    KPIs' cells, a few tags each, its spare rows' cells (formatted, at most), and what a
    sheet holds besides (validations, formats, views)."""
    kpi_cells = max_rows * len(COLUMNS) * TAGS_PER_CELL
    spare_cells = SPARE_ROWS * len(COLUMNS) * 2
    limit = kpi_cells + spare_cells + MAX_PART_TAGS
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if _more_than(archive, sheet._worksheet_path, _TAG, limit):
            raise too_complex()


_MERGED = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=[\"']([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)")


def merged_cells(content: bytes, sheet) -> list[str]:
    """The merged ranges of a sheet, found in its XML (read-only mode does not read them).

    The part is read in chunks; only its ``<mergeCell ref="…">`` elements are looked at."""
    ranges: list[str] = []
    path = sheet._worksheet_path  # where read-only mode itself streams the sheet from
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(path) as source:
        tail = b""
        while chunk := source.read(1024 * 1024):
            text = tail + chunk
            cut = text.rfind(b"<")  # the last element may go on in the next chunk
            cut = cut if cut > 0 else len(text)
            ranges += [found.decode() for found in _MERGED.findall(text, 0, cut)]
            tail = text[cut:]
        ranges += [found.decode() for found in _MERGED.findall(tail)]
    return list(dict.fromkeys(ranges))
