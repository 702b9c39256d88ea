"""What a KPI figure may hold and how numbers and figures read: pure rules, no database.

``validate_row`` is the one set of checks behind the entry grid's inline messages and
the write service (:mod:`kpis.reporting.entry`), so the web and the API say the same thing.
It takes anything with a figure's data fields (:class:`FigureFields`, e.g. a
:class:`kpis.reporting.entry.RowInput`) and the KPI's value type, and returns
``(field, message, code)`` triples.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from icc_portal.numbers import localised
from icc_portal.text import CODE as HIDDEN_CHARACTERS_CODE
from icc_portal.text import hidden_characters, hidden_characters_message
from kpis.models import KPI, Measurement

Status = Measurement.Status

#: The largest magnitude a figure may have: anything bigger is a typing slip.
MAX_ABS_VALUE = Decimal("1000000000000")
MAX_DECIMAL_PLACES = 4
MAX_TEXT_LENGTH = 4000
MAX_URL_LENGTH = 500

ANSWER_FIELDS = ("value", "boolean_value", "text_value")
DATA_FIELDS = (
    "status",
    "value",
    "boolean_value",
    "text_value",
    "reason",
    "note",
    "evidence_url",
    "as_of",
)

#: Why a figure cannot be changed now, by the lock on it: the one wording of the grid's
#: note and of the write service's refusal (codes ``locked`` and ``under_review``).
LOCK_MESSAGES = {
    "approved": gettext_lazy(
        "This figure is approved and locked. A steering committee member can reopen "
        "the stage if it needs a correction."
    ),
    "under_review": gettext_lazy(
        "The stage is submitted for review: figures can be changed again once the "
        "steering committee returns it."
    ),
}
LOCK_MESSAGES["stage_approved"] = LOCK_MESSAGES["approved"]


class FigureFields(Protocol):
    """Anything with a figure's data fields: a row to store, a measurement, a history record."""

    status: str
    value: Decimal | None
    boolean_value: bool | None
    text_value: str
    reason: str
    note: str
    evidence_url: str
    as_of: datetime.date | None


# --- Pure validation ------------------------------------------------------------------


def primary_answer_field(value_type: str) -> str:
    if value_type == KPI.ValueType.BOOLEAN:
        return "boolean_value"
    if value_type == KPI.ValueType.TEXT:
        return "text_value"
    return "value"


def validate_row(
    row: FigureFields, *, value_type: str, today: datetime.date | None = None
) -> list[tuple[str, str, str]]:
    """The problems of one row as ``(field, message, code)``; empty when it is fine.

    Pure: needs only the KPI's value type. Covers status and answers, numbers (whole
    counts, no negative counts, percentages within 0–100, no absurd magnitudes, at most
    four decimals), the reason for "not available", the evidence link and the date, and
    free text without characters that change how it reads (:mod:`icc_portal.text`).
    """
    problems: list[tuple[str, str, str]] = []
    add = problems.append
    if row.status not in Status.values:
        add(("status", _("Choose a status from the list."), "invalid_status"))
        return problems

    answers = [name for name in ANSWER_FIELDS if getattr(row, name) not in (None, "")]
    primary = primary_answer_field(value_type)
    if row.status == Status.REPORTED:
        if not answers:
            add((primary, _("Enter a value, or choose another status."), "answer_required"))
    else:
        for name in answers:
            if row.status == Status.NOT_AVAILABLE:
                message = _(
                    "Leave this empty when the figure is not available, or choose “Reported”."
                )
            elif row.status == Status.NOT_APPLICABLE:
                message = _("Leave this empty when the KPI does not apply, or choose “Reported”.")
            else:
                message = _("A value needs the status “Reported”.")
            add((name, message, "answer_not_reported"))
    if row.status == Status.NOT_AVAILABLE and not row.reason:
        add(("reason", _("Say why the figure is not available."), "reason_required"))

    if row.value is not None:
        add_value_problems(row.value, value_type=value_type, add=add)
    if row.boolean_value is not None and value_type != KPI.ValueType.BOOLEAN:
        add(("boolean_value", _("Only yes/no KPIs take a yes/no answer."), "no_boolean"))
    for name in ("text_value", "reason", "note"):
        if len(getattr(row, name)) > MAX_TEXT_LENGTH:
            add(
                (
                    name,
                    _("Keep this under %(limit)s characters.")
                    % {"limit": formats.number_format(MAX_TEXT_LENGTH, force_grouping=True)},
                    "too_long",
                )
            )
    for name in ("text_value", "reason", "note", "evidence_url"):
        found = hidden_characters(getattr(row, name))
        if found:
            add((name, hidden_characters_message(found), HIDDEN_CHARACTERS_CODE))
    if row.evidence_url:
        add_url_problems(row.evidence_url, add=add)
    if row.as_of is not None:
        today = today or timezone.localdate()
        if row.as_of > today:
            add(("as_of", _("The as-of date cannot be in the future."), "future_date"))
        elif row.as_of.year < 1990:
            add(("as_of", _("Enter a date after 1990."), "date_too_early"))
    return problems


def add_value_problems(value: Decimal, *, value_type: str, add) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        add(("value", _("Enter a number."), "invalid"))
        return
    if abs(value) > MAX_ABS_VALUE:
        add(
            (
                "value",
                _("This is larger than any plausible figure (at most %(limit)s).")
                % {"limit": formats.number_format(MAX_ABS_VALUE, force_grouping=True)},
                "too_large",
            )
        )
        return
    if value.as_tuple().exponent < -MAX_DECIMAL_PLACES and value != value.quantize(
        Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
    ):
        add(
            (
                "value",
                _("Use at most %(places)s decimal places.") % {"places": MAX_DECIMAL_PLACES},
                "decimal_places",
            )
        )
    if value_type == KPI.ValueType.COUNT:
        if value < 0:
            add(("value", _("A count cannot be negative."), "negative"))
        elif value != value.to_integral_value():
            add(("value", _("A count is a whole number."), "not_whole"))
    elif value_type == KPI.ValueType.PERCENT and not (0 <= value <= 100):
        add(("value", _("A percentage lies between 0 and 100."), "percent_range"))
    elif value_type in (KPI.ValueType.BOOLEAN, KPI.ValueType.TEXT) and value < 0:
        add(("value", _("The figure beside the answer cannot be negative."), "negative"))


_http_url = URLValidator(schemes=["http", "https"])


def with_scheme(url: str) -> str:
    """A web address typed without its scheme (``www.vanersborg.se/plan``) read as
    ``https://…``, as a browser's address bar reads it; anything else (a scheme of its own,
    no host name before the first ``/``) is left as typed, for :func:`add_url_problems`."""
    if not url or "://" in url or any(character.isspace() for character in url):
        return url
    host = url.split("/", 1)[0]
    if "." in host and ":" not in host.split(".", 1)[0]:  # not javascript:…, mailto:…
        return f"https://{url}"
    return url


def add_url_problems(url: str, *, add) -> None:
    message = _("Enter a web link that starts with http:// or https://.")
    if len(url) > MAX_URL_LENGTH:
        add(
            (
                "evidence_url",
                _("Keep the link under %(limit)s characters.") % {"limit": MAX_URL_LENGTH},
                "too_long",
            )
        )
        return
    try:
        _http_url(url)
    except ValidationError:
        add(("evidence_url", message, "evidence_scheme"))


#: What the entry grid and the API say about text that is not a number (with an example).
NOT_A_NUMBER = gettext_lazy("Enter a number, such as %(example)s, without letters or units.")

# --- Describing a figure (messages, history, previous stage) --------------------------


def format_number(value: Decimal | None, value_type: str = KPI.ValueType.NUMBER) -> str:
    """A stored number in the active language (:func:`icc_portal.numbers.localised`), with
    " %" for a percentage KPI."""
    return localised(value, percent=value_type == KPI.ValueType.PERCENT)


def describe_figure(figure, value_type: str) -> str:
    """A figure in words: "12", "Yes – 160 respondents…", "Not available (reason)".

    ``figure`` is anything with the measurement's data fields (a measurement, a
    historical record, a :class:`RowInput`); ``None`` reads as "not yet reported".
    """
    if figure is None or figure.status == Status.NOT_REPORTED:
        return _("not yet reported")
    if figure.status == Status.NOT_AVAILABLE:
        return _("not available (%(reason)s)") % {"reason": figure.reason}
    if figure.status == Status.NOT_APPLICABLE:
        return _("not applicable")
    parts = []
    if figure.boolean_value is not None:
        parts.append(_("yes") if figure.boolean_value else _("no"))
    if figure.value is not None:
        parts.append(format_number(figure.value, value_type))
    if figure.text_value:
        parts.append(f"“{figure.text_value}”")
    return " – ".join(parts)


def snapshot_of(figure) -> dict | None:
    """The data fields of a measurement (or historical record) as a dict; ``None`` for none."""
    if figure is None:
        return None
    return {name: getattr(figure, name) for name in DATA_FIELDS}


def is_blank(figure) -> bool:
    """Whether the figure is "not yet reported" with nothing else said (nothing to store)."""
    return figure.status == Status.NOT_REPORTED and not any(
        getattr(figure, name) not in (None, "") for name in DATA_FIELDS if name != "status"
    )


def matches_snapshot(row, snapshot: dict | None) -> bool:
    """Whether the row says exactly what the snapshot holds (text compared stripped).

    A blank row matches "no figure" (``None``) and a stored "not yet reported" one.
    """
    if snapshot is None:
        return is_blank(row)
    for name in DATA_FIELDS:
        stored, wanted = snapshot[name], getattr(row, name)
        if isinstance(stored, str) or isinstance(wanted, str):
            if (stored or "").strip() != (wanted or "").strip():
                return False
        elif stored != wanted:
            return False
    return True
