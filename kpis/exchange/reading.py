"""Reading an uploaded template back: is it a file we read, is it this page's template, and
what do its rows say. No database here.

The whole file is refused (:class:`FileRefused`, with a message and a code) when it cannot
be this page's template: too large, of another type (told by its first bytes, not its
name), packed too tightly (a zip bomb), not the portal's template, a template of another
version (``TEMPLATE_VERSION``), another unit's or stage's, with the figures sheet renamed,
merged cells, moved columns, or more rows than the page has KPIs. Otherwise every row
comes back as its cells (:class:`FileRow`), to be read one by one by
:mod:`kpis.exchange.imports`, which refuses a row (not the file) for a formula, a date
typed as text or a number with a decimal comma.

What one upload can cost is bounded before its rows are read (:mod:`kpis.exchange.bounds`):
the parts openpyxl reads whole are counted first, the workbook is streamed (openpyxl's
read-only mode), the figures sheet's declared size and its tags are checked before its
rows, and the reading stops at the first row past what the page's template can hold, or
at the first filled row more than the page has KPIs, the CSV's the same; the import's
:class:`~kpis.exchange.bounds.Deadline` is checked row by row.
"""

from __future__ import annotations

import csv as csv_module
import io
import warnings
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .bounds import (
    MAX_UNPACKED_BYTES,
    MAX_ZIP_MEMBERS,
    Deadline,
    FileRefused,
    check_parts,
    check_sheet,
    check_size,
    last_row,
    megabytes,
    merged_cells,
    too_long,
    too_many_rows,
)
from .template import (
    BY_KEY,
    COLUMNS,
    CSV_COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    META_SHEET,
    TEMPLATE_KIND,
    TEMPLATE_VERSION,
)

XLSX, CSV = "xlsx", "csv"


@dataclass(frozen=True, slots=True)
class FileCell:
    """A cell as the file holds it: ``value`` (str, int, float, bool, date/datetime or
    None) and whether it is a formula; ``address`` such as "G7" (CSV: "G7" too, the column
    of the template's order)."""

    value: object
    address: str
    is_formula: bool = False
    is_text_file: bool = False  # a CSV cell: everything is text


@dataclass(slots=True)
class FileRow:
    number: int
    cells: dict[str, FileCell] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return all(cell.value in (None, "") for cell in self.cells.values())


@dataclass(frozen=True, slots=True)
class FileRows:
    kind: str  # "xlsx" or "csv"
    rows: list[FileRow]
    unit: dict[str, str]  # what the file says: city, consortium, stage


def read_upload(
    content: bytes,
    *,
    expected: dict[str, str],
    max_rows: int,
    deadline: Deadline | None = None,
) -> FileRows:
    """The rows of an uploaded template, or :class:`FileRefused` saying why not.

    ``expected``: the page's unit (``city``, ``consortium``, ``stage`` as the template
    writes them); ``max_rows``: the KPIs the page takes; ``deadline``: the import's time
    (a new one of :data:`TIME_BUDGET_SECONDS` if not given).
    """
    if not content:
        raise FileRefused(_("The file is empty."), "empty")
    check_size(len(content))
    deadline = deadline or Deadline()
    kind = file_kind(content)
    if kind == XLSX:
        rows = read_xlsx(content, expected=expected, max_rows=max_rows, deadline=deadline)
    else:
        rows = read_csv(content, expected=expected, max_rows=max_rows, deadline=deadline)
    return FileRows(rows.kind, [row for row in rows.rows if not row.is_empty()], rows.unit)


def file_kind(content: bytes) -> str:
    """XLSX or CSV, told by the first bytes and the zip's contents, never by the name."""
    wrong = _(
        "This is not a file the import reads: upload the Excel template (.xlsx) downloaded "
        "from this page, or a CSV file with its columns."
    )
    if content.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = archive.infolist()
        except (zipfile.BadZipFile, ValueError):
            raise FileRefused(wrong, "wrong_file_type") from None
        names = {member.filename for member in members}
        if "mimetype" in names and b"opendocument" in _first_bytes(archive, "mimetype"):
            raise FileRefused(
                _(
                    "This is an OpenDocument spreadsheet (.ods): save it as an Excel "
                    "workbook (.xlsx) and upload that."
                ),
                "wrong_file_type",
            )
        if "xl/workbook.xml" not in names:
            raise FileRefused(wrong, "wrong_file_type")
        unpacked = sum(member.file_size for member in members)
        if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
            raise FileRefused(
                _(
                    "The workbook unpacks to %(size)s MB, more than the %(limit)s MB the "
                    "import reads: use the template downloaded from this page."
                )
                % {"size": megabytes(unpacked), "limit": megabytes(MAX_UNPACKED_BYTES)},
                "too_large_unpacked",
            )
        return XLSX
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _(
                "This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) "
                "and upload that."
            ),
            "wrong_file_type",
        )
    if b"\x00" in content[:4096]:
        raise FileRefused(wrong, "wrong_file_type")
    return CSV


def _first_bytes(archive: zipfile.ZipFile, name: str, size: int = 100) -> bytes:
    """The start of a part, unpacking no more (the part may be a bomb)."""
    with archive.open(name) as part:
        return part.read(size)


def _not_this_template() -> FileRefused:
    return FileRefused(
        _(
            "This workbook is not a template of the portal: download the template from "
            "this page, fill it in and upload it."
        ),
        "not_a_template",
    )


def _check_unit(found: dict[str, str], expected: dict[str, str]) -> None:
    if all(found.get(key, "") == value for key, value in expected.items()):
        return
    raise FileRefused(
        _(
            "This template is for %(found)s, but this page takes the figures of "
            "%(expected)s: download the template from this page."
        )
        % {"found": describe_unit(found), "expected": describe_unit(expected)},
        "other_unit",
    )


def describe_unit(unit: dict[str, str]) -> str:
    """A unit as the messages name it: "Vänersborg (Final results)", by the name the
    portal knows it by (the file holds slugs, and may hold anything: then as written)."""
    from cities.models import City, Consortium
    from kpis.vocabulary import stage_label

    slug = unit.get("city") or ""
    model = City if slug else Consortium
    slug = slug or unit.get("consortium") or ""
    name = model.objects.filter(slug=slug).values_list("name", flat=True).first() if slug else None
    return f"{name or slug or '?'} ({stage_label(unit.get('stage', '')) or '?'})"


def read_xlsx(
    content: bytes, *, expected: dict[str, str], max_rows: int, deadline: Deadline
) -> FileRows:
    """The figures sheet's rows, streamed: its declared size is checked before any row is
    read, and the reading stops at the first row the page's template cannot have."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        check_parts(archive, max_rows)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            workbook = load_workbook(
                io.BytesIO(content), data_only=False, read_only=True, keep_links=False
            )
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise _unreadable() from None
    try:
        return _read_workbook(workbook, content, expected, max_rows, deadline)
    except FileRefused:
        raise
    except Exception:  # a damaged part found only as it is streamed
        raise _unreadable() from None
    finally:
        workbook.close()


def _unreadable() -> FileRefused:
    return FileRefused(
        _("This workbook could not be read: it may be damaged. Download the template again."),
        "unreadable",
    )


#: The template's own sheet holds a dozen facts and two short lists: no more is read.
META_ROWS = 50


def _read_workbook(workbook, content, expected, max_rows: int, deadline: Deadline) -> FileRows:
    if META_SHEET not in workbook.sheetnames:
        raise _not_this_template()
    facts = {}
    check_sheet(content, workbook[META_SHEET], max_rows)
    meta = workbook[META_SHEET].iter_rows(max_row=META_ROWS, min_col=4, max_col=5, values_only=True)
    for key, value in meta:
        if isinstance(key, str):
            facts[key] = "" if value is None else str(value)
    if facts.get("kind") != TEMPLATE_KIND:
        raise _not_this_template()
    if facts.get("version") != TEMPLATE_VERSION:
        raise FileRefused(
            _(
                "This template is of another version (%(found)s) than the one this page "
                "reads (%(expected)s): download a fresh template from this page and copy "
                "your figures into it."
            )
            % {"found": facts.get("version") or "?", "expected": TEMPLATE_VERSION},
            "other_template_version",
        )
    unit = {key: facts.get(key, "") for key in ("city", "consortium", "stage")}
    _check_unit(unit, expected)
    title = facts.get("sheet", "")
    if title not in workbook.sheetnames:
        others = [name for name in workbook.sheetnames if name != META_SHEET]
        raise FileRefused(
            _(
                "The sheet “%(sheet)s” was renamed or removed (the workbook has: %(names)s): "
                "give it back its name “%(sheet)s”, or download the template again."
            )
            % {"sheet": title, "names": ", ".join(others) or "—"},
            "renamed_sheet",
        )
    sheet = workbook[title]
    last = last_row(max_rows)
    where = _("The sheet “%(sheet)s”") % {"sheet": title}
    if (sheet.max_row or 0) > last:  # the size the sheet declares, read before any row
        raise too_long(where, sheet.max_row, max_rows)
    check_sheet(content, sheet, max_rows)
    sheet.reset_dimensions()  # a declared size may also be too small: read what is there
    headers = facts.get("headers", "").split("\t")
    found_headers = next(
        sheet.iter_rows(
            min_row=HEADER_ROW, max_row=HEADER_ROW, max_col=len(COLUMNS), values_only=True
        ),
        (),
    )
    for column, header, found in zip(COLUMNS, headers, found_headers, strict=False):
        if (found or "") != header:
            raise FileRefused(
                _(
                    "Column %(column)s should be headed “%(header)s”: columns were moved, "
                    "added or removed. Download the template again."
                )
                % {"column": column.letter, "header": header},
                "moved_columns",
            )
    rows, filled = [], 0
    # Rows come one after the other from FIRST_ROW (the gaps filled with empty ones), so
    # the count says the row's number, and a row past ``last`` means the sheet goes on.
    cells_by_row = sheet.iter_rows(min_row=FIRST_ROW, max_col=len(COLUMNS))
    for number, cells in enumerate(cells_by_row, start=FIRST_ROW):
        deadline.check()
        if number > last:
            raise too_long(where, number, max_rows)
        row = FileRow(number)
        for column, cell in zip(COLUMNS, cells, strict=False):
            row.cells[column.key] = FileCell(
                value=cell.value,
                address=f"{column.letter}{number}",
                is_formula=getattr(cell, "data_type", None) == "f",
            )
        for column in COLUMNS[len(cells) :]:
            row.cells[column.key] = FileCell(None, f"{column.letter}{number}")
        if not row.is_empty():
            filled += 1
            if filled > max_rows:
                raise too_many_rows(max_rows)
        rows.append(row)
    deadline.check()
    merged = merged_cells(content, sheet)
    if merged:
        raise FileRefused(
            _(
                "Cells %(cells)s are merged: the import reads one figure per cell. Unmerge "
                "them, or download the template again."
            )
            % {"cells": ", ".join(merged[:3])},
            "merged_cells",
        )
    return FileRows(XLSX, rows, unit)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The CSV file could not be read as text."), "wrong_file_type")


def read_csv(
    content: bytes, *, expected: dict[str, str], max_rows: int, deadline: Deadline
) -> FileRows:
    """The CSV's rows, read one by one: the reading stops at the first line the page's
    template cannot have."""
    text = _decode(content)
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(",;\t", key=first_line.count)
    reader = csv_module.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv_module.Error:
        header = []
    if ("kpi_id" not in header and "kpi_code" not in header) or "version" not in header:
        raise FileRefused(
            _(
                "This CSV file does not have the template's columns (kpi_id, version, value, "
                "status …): download the CSV template from this page."
            ),
            "not_a_template",
        )
    from openpyxl.utils import get_column_letter

    letters = {name: get_column_letter(index) for index, name in enumerate(header, start=1)}
    rows, units, filled = [], set(), 0
    last = last_row(max_rows) - FIRST_ROW + 2  # a CSV's figures start on its second line
    try:
        for number, values in enumerate(reader, start=2):
            if number % 100 == 0:
                deadline.check()
            if number > last:
                raise too_long(_("The CSV file"), number, max_rows)
            record = dict(zip(header, values, strict=False))
            row = FileRow(number)
            for column in COLUMNS:
                raw = record.get(column.key)
                row.cells[column.key] = FileCell(
                    value=None if raw is None else raw,
                    address=f"{letters.get(column.key, column.letter)}{number}",
                    is_formula=(raw or "").lstrip().startswith("="),
                    is_text_file=True,
                )
            if not row.is_empty():
                filled += 1
                if filled > max_rows:
                    raise too_many_rows(max_rows)
                units.add(tuple(record.get(key, "") for key in ("city", "consortium", "stage")))
            rows.append(row)
    except csv_module.Error:
        raise FileRefused(_("The CSV file could not be read as text."), "wrong_file_type") from None
    for city, consortium, stage in units:
        _check_unit({"city": city, "consortium": consortium, "stage": stage}, expected)
    return FileRows(CSV, rows, dict(expected))


assert CSV_COLUMNS[3:] == tuple(BY_KEY)
