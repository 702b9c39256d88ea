"""Numbers as people and programs write them: read, written plain, written in a language.

* :func:`parse_localised` — a number as people type it in their language (the entry
  grid, uploads);
* :func:`parse_plain` — a number as a program writes it (``-1234.5``), strictly;
* :func:`plain` — a stored number without the zeros its column pads it with, never in
  exponent form (``"5.0000"`` → ``5``, ``64840.00`` → ``64840``): the API, CSV, the admin
  and the spreadsheets (as ``Decimal(plain(value))`` where a cell takes a number);
* :func:`localised` — the same in the active language, grouped (``1.234,5``);
* :func:`euro` — an amount of euro as the active language writes it (``€64,840``,
  ``64.840 €``, ``64 840 €``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]*\.?[0-9]+")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_MINUS = "-\u2212\u2013"


def parse_localised(text: str, *, decimal_separator: str, thousand_separator: str = "") -> Decimal:
    """Read a number as people type it in their language; ``ValueError`` if it is none.

    ``1.234,5`` and ``1234,5`` with a decimal comma (Italian, Swedish), ``1,234.5`` and
    ``1234.5`` with a decimal point (English). Spaces (the Swedish grouping), a leading
    sign and the typographic minus are fine. The other mark is read as grouping only in
    groups of three (``1.234.567``); a single one before one, two or four-plus digits is
    read as the decimal mark (``1.5`` in Italian is 1.5), the way Django does.
    """
    compact = _SPACES.sub("", text or "")
    if thousand_separator and not thousand_separator.isspace():
        grouping = thousand_separator
    else:
        grouping = "." if decimal_separator == "," else ","
    sign = ""
    if compact and compact[0] in _MINUS + "+":
        sign = "-" if compact[0] in _MINUS else ""
        compact = compact[1:]
    if not compact or not re.fullmatch(r"[0-9.,]+", compact):
        raise ValueError(text)
    grouped = re.compile(rf"\d{{1,3}}(?:{re.escape(grouping)}\d{{3}})+")
    if decimal_separator in compact:
        integer, _, fraction = compact.rpartition(decimal_separator)
        if not fraction.isdigit() or (
            integer and not (integer.isdigit() or grouped.fullmatch(integer))
        ):
            raise ValueError(text)
        integer = integer.replace(grouping, "") or "0"
    elif grouping in compact:
        if grouped.fullmatch(compact):
            integer, fraction = compact.replace(grouping, ""), ""
        elif compact.count(grouping) == 1 and not compact.startswith(grouping):
            integer, _, fraction = compact.partition(grouping)
            if not fraction.isdigit():
                raise ValueError(text)
        else:
            raise ValueError(text)
    else:
        integer, fraction = compact, ""
    try:
        return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    except InvalidOperation as error:
        raise ValueError(text) from error


def plain_digits(text: str) -> bool:
    """Whether the text holds no digits but 0-9: no full-width ``１２``, no ``1_000``.

    Python's ``int()`` reads both; the entry grid refuses them, and so does the API.
    """
    return text.isascii() and "_" not in text


_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def whole_number(text: str) -> bool:
    """Whether the text, spaces aside, is a whole number as the schema's ``integer`` is
    written: ASCII digits with an optional minus. ``int()`` and DRF's field also read
    ``1.0``, ``１`` and ``1_000``; the API refuses them, as the grid does."""
    return _WHOLE_NUMBER.fullmatch(text.strip()) is not None


def parse_plain(text: str) -> Decimal:
    """A number as a program writes it (``-1234.5``); ``ValueError`` if it is none.

    The API's reading of a number sent as text: the entry grid's rule (ASCII digits
    0-9, a sign, one decimal mark) in its one spelling without a language, a decimal
    point and no grouping, so ``1,234`` is refused rather than guessed at. Python's
    ``Decimal`` alone would also take full-width digits (``１２``), underscores
    (``1_000``), exponents and ``NaN``; the grid refuses them, and so does this.
    """
    stripped = text.strip()
    if not _PLAIN_NUMBER.fullmatch(stripped):
        raise ValueError(text)
    return Decimal(stripped)


def plain(value: Decimal | int | str | None) -> str:
    """A number without trailing zeros or exponent: "5.0000" → "5", "2.5000" → "2.5",
    "64840.00" → "64840", minus zero → "0"; nothing ("") for no number."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(abs(number).quantize(Decimal(1)) if number == 0 else number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def localised(value: Decimal | None, *, percent: bool = False) -> str:
    """A number in the active language, grouped, without trailing zeros (``1.234,5``);
    with ``percent``, followed by " %"."""
    if value is None:
        return ""
    text = formats.number_format(
        Decimal(plain(value)), decimal_pos=None, use_l10n=True, force_grouping=True
    )
    return f"{text} %" if percent else text


def euro(value: Decimal | None) -> str:
    """An amount in euro in the active language: grouped, cents only when there are any,
    the sign where the language puts it (English before the amount, Italian and Swedish
    after it, a space between)."""
    if value is None:
        return ""
    # Translators: where the euro sign goes; %(amount)s is the grouped number.
    return _("€%(amount)s") % {"amount": localised(value)}
