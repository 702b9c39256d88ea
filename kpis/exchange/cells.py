"""Reading the cells of an uploaded row as the entry grid reads a row: a number, a date, a
yes/no answer, a status, text; or the problem of the cell, with its address.

An XLSX cell has a type: a number typed as text ("1,5" with a decimal comma) or a date
typed as text is refused with a message saying what to type, and so is a formula. A CSV
cell is all text: numbers are read in the user's language, as the grid reads them, and
dates as 2022-11-30 (or as the language writes them).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from icc_portal.numbers import parse_localised, parse_plain
from kpis.models import KPI, Measurement
from kpis.reporting.entry import RowInput
from kpis.reporting.rules import NOT_A_NUMBER, format_number

from .reading import FileCell, FileRow

Status = Measurement.Status


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    code: str
    cell: str = ""  # "G7"; empty for the row as a whole
    field: str = ""


class CellProblem(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _labels(choices) -> dict[str, str]:
    """Each choice's value and its label in every language, folded, -> the value."""
    found = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices:
                found[str(label).casefold()] = value
                found[str(value).casefold()] = value
    return found


def _yes_no() -> dict[str, bool]:
    found = {"true": True, "false": False, "1": True, "0": False}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found[_("Yes").casefold()] = True
            found[_("No").casefold()] = False
    return found


def read_number(cell: FileCell) -> Decimal | None:
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, datetime.date):
        raise CellProblem(_("Type the figure as a number here."), "invalid")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            raise CellProblem(_("Type the figure as a number here."), "invalid") from None
    text = str(value).strip()
    if cell.is_text_file:  # a CSV cell: read as the grid reads it, in the user's language
        try:
            return parse_localised(
                text.removeprefix("'"),
                decimal_separator=get_format("DECIMAL_SEPARATOR"),
                thousand_separator=get_format("THOUSAND_SEPARATOR"),
            )
        except ValueError:
            example = format_number(Decimal("1234.5"))
            raise CellProblem(NOT_A_NUMBER % {"example": example}, "invalid") from None
    try:
        return parse_plain(text)
    except ValueError:
        pass
    if re.fullmatch(r"[+\-−]?[0-9][0-9\s.,'\u00a0]*", text) and "," in text:
        raise CellProblem(
            _(
                "“%(text)s” is text with a decimal comma, not a number: type the figure into "
                "the cell again so that the spreadsheet stores it as a number."
            )
            % {"text": text},
            "decimal_comma",
        )
    raise CellProblem(
        _("“%(text)s” is text, not a number: type the figure alone, without words or units.")
        % {"text": text[:40]},
        "number_as_text",
    )


def read_date(cell: FileCell) -> datetime.date | None:
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not cell.is_text_file:
        if isinstance(value, int | float):
            raise CellProblem(
                _("This cell holds a number, not a date: format it as a date."), "date_as_number"
            )
        raise CellProblem(
            _(
                "“%(text)s” is a date typed as text: enter it as a date, so that the "
                "spreadsheet stores it as one (it then aligns it to the right)."
            )
            % {"text": text[:40]},
            "date_as_text",
        )
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return forms.DateField().clean(text)
    except ValidationError:
        raise CellProblem(
            _("“%(text)s” is not a date: write it as 2022-11-30.") % {"text": text[:40]},
            "invalid_date",
        ) from None


def read_text(cell: FileCell) -> str:
    value = cell.value
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text.removeprefix("'") if cell.is_text_file else text


def read_whole(cell: FileCell, *, message: str, code: str) -> int | None:
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise CellProblem(message, code)


class RowReader:
    """Reads a file row into a :class:`RowInput`, or the problems of its cells."""

    def __init__(self) -> None:
        self.statuses = _labels(Status.choices)
        self.yes_no = _yes_no()

    def read(self, row: FileRow, kpi: KPI) -> tuple[RowInput | None, list[Problem]]:
        problems: list[Problem] = []
        values: dict[str, object] = {}
        for key, cell in row.cells.items():
            if cell.is_formula:
                problems.append(
                    Problem(
                        _(
                            "“%(formula)s” is a formula: type the figure itself; the import "
                            "takes no formulas."
                        )
                        % {"formula": str(cell.value)[:40]},
                        "formula",
                        cell.address,
                        key,
                    )
                )
        if problems:
            return None, problems
        readers = {
            "value": read_number,
            "as_of": read_date,
            "boolean_value": self.read_boolean,
            "status": self.read_status,
            "version": lambda cell: (
                read_whole(
                    cell,
                    message=_(
                        "The hidden version column was changed: download the template again."
                    ),
                    code="invalid_version",
                )
                or 0
            ),
            **{key: read_text for key in ("text_value", "reason", "note", "evidence_url")},
        }
        for key, reader in readers.items():
            cell = row.cells[key]
            try:
                values[key] = reader(cell)
            except CellProblem as problem:
                problems.append(Problem(problem.message, problem.code, cell.address, key))
        if problems:
            return None, problems
        answered = any(values[key] not in (None, "") for key in ("value", "boolean_value"))
        answered = answered or bool(values["text_value"].strip())
        status = values["status"]
        if status in (None, Status.NOT_REPORTED) and answered:
            status = Status.REPORTED  # typing a figure is reporting it, as on the grid
        row_input = RowInput(
            kpi=kpi,
            key=row.number,
            status=status or Status.NOT_REPORTED,
            expected_version=values["version"],
            value=values["value"],
            boolean_value=values["boolean_value"],
            text_value=values["text_value"],
            reason=values["reason"],
            note=values["note"],
            evidence_url=values["evidence_url"],
            as_of=values["as_of"],
        )
        return row_input.cleaned(), []

    def read_boolean(self, cell: FileCell) -> bool | None:
        value = cell.value
        if _blank(value):
            return None
        if isinstance(value, bool):
            return value
        answer = self.yes_no.get(read_text(cell).strip().casefold())
        if answer is None:
            raise CellProblem(_("Choose Yes or No from the list."), "invalid_boolean")
        return answer

    def read_status(self, cell: FileCell) -> str | None:
        if _blank(cell.value):
            return None
        status = self.statuses.get(read_text(cell).strip().casefold())
        if status is None:
            raise CellProblem(_("Choose a status from the list."), "invalid_status")
        return status
