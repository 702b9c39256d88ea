"""Every limit of the entry rules (kpis/reporting/rules.py) from both sides.

Exactly at the limit is accepted, one step past it refused, with the field, code and
message the grid and the API show written out here (never built by the rules themselves).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from kpis.reporting.rules import (
    describe_figure,
    format_number,
    is_blank,
    matches_snapshot,
    primary_answer_field,
    snapshot_of,
    validate_row,
)

D = Decimal


@dataclass
class Row:
    status: str = "reported"
    value: Decimal | None = None
    boolean_value: bool | None = None
    text_value: str = ""
    reason: str = ""
    note: str = ""
    evidence_url: str = ""
    as_of: datetime.date | None = None


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def problems(value_type="number", **fields):
    return validate_row(Row(**fields), value_type=value_type)


def codes(value_type="number", **fields):
    return [(field, code) for field, _message, code in problems(value_type, **fields)]


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "100", "0.0001", "99.9999", "100.0000"])
def test_a_percentage_from_0_to_100_is_accepted(value):
    assert problems("percent", value=D(value)) == []


@pytest.mark.parametrize("value", ["-0.0001", "100.0001", "100.01", "101", "-1"])
def test_a_percentage_outside_0_to_100_is_refused(value):
    assert problems("percent", value=D(value)) == [
        ("value", "A percentage lies between 0 and 100.", "percent_range")
    ]


def test_a_count_is_whole_and_not_negative():
    assert problems("count", value=D("0")) == []
    assert problems("count", value=D("7.0")) == []
    assert problems("count", value=D("-1")) == [
        ("value", "A count cannot be negative.", "negative")
    ]
    assert problems("count", value=D("7.5")) == [
        ("value", "A count is a whole number.", "not_whole")
    ]
    assert problems("count", value=D("-0.5")) == [
        ("value", "A count cannot be negative.", "negative")
    ]


def test_a_plain_number_may_be_negative():
    assert problems("number", value=D("-12.5")) == []


@pytest.mark.parametrize("value_type", ["boolean", "text"])
def test_the_figure_beside_a_yes_no_or_text_answer_is_not_negative(value_type):
    answer = {"boolean_value": True} if value_type == "boolean" else {"text_value": "Yes"}
    assert problems(value_type, value=D("0"), **answer) == []
    assert problems(value_type, value=D("-1"), **answer) == [
        ("value", "The figure beside the answer cannot be negative.", "negative")
    ]
    assert problems(value_type, value=D("-0.0001"), **answer) == [
        ("value", "The figure beside the answer cannot be negative.", "negative")
    ]


@pytest.mark.parametrize("value", ["1000000000000", "-1000000000000"])
def test_the_largest_magnitude_is_accepted(value):
    assert problems("number", value=D(value)) == []


@pytest.mark.parametrize("value", ["1000000000000.0001", "-1000000000001", "1E+13"])
def test_one_step_past_the_largest_magnitude_is_refused(value):
    assert problems("number", value=D(value)) == [
        (
            "value",
            "This is larger than any plausible figure (at most 1,000,000,000,000).",
            "too_large",
        )
    ]


def test_four_decimal_places_are_accepted_five_refused():
    assert problems("number", value=D("1.2345")) == []
    # Trailing zeros past the fourth place say nothing more: accepted.
    assert problems("number", value=D("1.234500")) == []
    assert problems("number", value=D("1.23456")) == [
        ("value", "Use at most 4 decimal places.", "decimal_places")
    ]
    assert problems("number", value=D("-0.00001")) == [
        ("value", "Use at most 4 decimal places.", "decimal_places")
    ]


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), 12.5])
def test_what_is_not_a_finite_decimal_is_refused(value):
    assert problems("number", value=value) == [("value", "Enter a number.", "invalid")]


# --- status and answers ----------------------------------------------------------------


def test_an_unknown_status_is_the_only_problem_said():
    assert problems("number", status="done", value=D("-5"), text_value="x" * 5000) == [
        ("status", "Choose a status from the list.", "invalid_status")
    ]


@pytest.mark.parametrize(
    ("value_type", "field"),
    [
        ("number", "value"),
        ("count", "value"),
        ("percent", "value"),
        ("boolean", "boolean_value"),
        ("text", "text_value"),
    ],
)
def test_reported_needs_an_answer_in_the_kpis_own_field(value_type, field):
    assert primary_answer_field(value_type) == field
    assert problems(value_type) == [
        (field, "Enter a value, or choose another status.", "answer_required")
    ]


def test_any_one_answer_is_enough_for_reported():
    assert problems("number", text_value="see annex") == []
    assert problems("boolean", boolean_value=False) == []
    assert problems("text", value=D("0")) == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            "not_available",
            "Leave this empty when the figure is not available, or choose “Reported”.",
        ),
        ("not_applicable", "Leave this empty when the KPI does not apply, or choose “Reported”."),
        ("not_reported", "A value needs the status “Reported”."),
    ],
)
def test_an_answer_needs_the_status_reported(status, message):
    found = problems("boolean", status=status, reason="r", value=D("2"), boolean_value=True)
    assert found == [
        ("value", message, "answer_not_reported"),
        ("boolean_value", message, "answer_not_reported"),
    ]


def test_not_available_needs_a_reason():
    assert problems("number", status="not_available", reason="survey late") == []
    assert problems("number", status="not_available") == [
        ("reason", "Say why the figure is not available.", "reason_required")
    ]
    assert problems("number", status="not_applicable") == []
    assert problems("number", status="not_reported") == []


def test_a_yes_no_answer_only_on_a_yes_no_kpi():
    assert problems("boolean", boolean_value=True) == []
    assert problems("number", value=D("1"), boolean_value=False) == [
        ("boolean_value", "Only yes/no KPIs take a yes/no answer.", "no_boolean")
    ]


# --- lengths -------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["text_value", "reason", "note"])
def test_text_of_4000_characters_is_accepted_4001_refused(field):
    answer = {"text_value": "Yes", field: "x" * 4000}
    assert problems("text", **answer) == []
    answer[field] = "x" * 4001
    assert problems("text", **answer) == [(field, "Keep this under 4,000 characters.", "too_long")]


def test_a_link_of_500_characters_is_accepted_501_refused():
    base = "https://example.org/"
    assert problems("number", value=D(1), evidence_url=base + "a" * (500 - len(base))) == []
    assert problems("number", value=D(1), evidence_url=base + "a" * (501 - len(base))) == [
        ("evidence_url", "Keep the link under 500 characters.", "too_long")
    ]


@pytest.mark.parametrize("url", ["ftp://example.org/a", "example.org", "javascript:alert(1)"])
def test_a_link_must_be_http_or_https(url):
    assert problems("number", value=D(1), evidence_url=url) == [
        (
            "evidence_url",
            "Enter a web link that starts with http:// or https://.",
            "evidence_scheme",
        )
    ]
    assert problems("number", value=D(1), evidence_url="http://example.org/a") == []


# --- dates ---------------------------------------------------------------------------


def test_the_earliest_date_is_1_january_1990():
    assert problems("number", value=D(1), as_of=datetime.date(1990, 1, 1)) == []
    assert problems("number", value=D(1), as_of=datetime.date(1989, 12, 31)) == [
        ("as_of", "Enter a date after 1990.", "date_too_early")
    ]


def test_today_is_accepted_tomorrow_refused():
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert problems("number", value=D(1), as_of=today) == []
    assert problems("number", value=D(1), as_of=tomorrow) == [
        ("as_of", "The as-of date cannot be in the future.", "future_date")
    ]


def test_the_date_limit_follows_the_day_passed_in():
    row = Row(value=D(1), as_of=datetime.date(2024, 6, 2))
    assert validate_row(row, value_type="number", today=datetime.date(2024, 6, 2)) == []
    assert validate_row(row, value_type="number", today=datetime.date(2024, 6, 1)) == [
        ("as_of", "The as-of date cannot be in the future.", "future_date")
    ]


# --- reading figures back ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "value_type", "text"),
    [
        (D("12.50"), "percent", "12.5 %"),
        (D("100"), "percent", "100 %"),
        (D("0"), "percent", "0 %"),
        (D("1234.5000"), "number", "1,234.5"),
        (D("0.000"), "number", "0"),
        (D("1E+3"), "count", "1,000"),
        (D("-7.25"), "number", "-7.25"),
        (None, "percent", ""),
    ],
)
def test_format_number(value, value_type, text):
    assert format_number(value, value_type) == text


def test_format_number_in_italian_and_swedish():
    with translation.override("it"):
        assert format_number(D("1234.5"), "percent") == "1.234,5 %"
    with translation.override("sv"):
        assert format_number(D("1234.5")) == "1\xa0234,5"


def test_describe_figure():
    assert describe_figure(None, "number") == "not yet reported"
    assert describe_figure(Row(status="not_reported"), "number") == "not yet reported"
    assert describe_figure(Row(status="not_available", reason="late"), "number") == (
        "not available (late)"
    )
    assert describe_figure(Row(status="not_applicable"), "number") == "not applicable"
    assert describe_figure(Row(value=D("40")), "percent") == "40 %"
    figure = Row(boolean_value=True, value=D("160"), text_value="respondents")
    assert describe_figure(figure, "boolean") == "yes – 160 – “respondents”"
    assert describe_figure(Row(boolean_value=False), "boolean") == "no"


def test_is_blank_only_when_nothing_is_said():
    assert is_blank(Row(status="not_reported")) is True
    assert is_blank(Row(status="not_reported", note="ask Anna")) is False
    assert is_blank(Row(status="not_reported", value=D(0))) is False
    assert is_blank(Row(status="not_reported", boolean_value=False)) is False
    assert is_blank(Row(status="not_applicable")) is False


def test_matches_snapshot_compares_text_stripped():
    stored = Row(value=D("3"), text_value="Bike lanes", note="from the survey")
    snapshot = snapshot_of(stored)
    assert snapshot == {
        "status": "reported",
        "value": D("3"),
        "boolean_value": None,
        "text_value": "Bike lanes",
        "reason": "",
        "note": "from the survey",
        "evidence_url": "",
        "as_of": None,
    }
    assert matches_snapshot(
        Row(value=D("3"), text_value=" Bike lanes\n", note="from the survey  "), snapshot
    )
    assert not matches_snapshot(
        Row(value=D("3"), text_value="Bike lane", note="from the survey"), snapshot
    )
    assert not matches_snapshot(
        Row(value=D("4"), text_value="Bike lanes", note="from the survey"), snapshot
    )
    assert not matches_snapshot(
        Row(
            value=D("3"),
            text_value="Bike lanes",
            note="from the survey",
            as_of=datetime.date(2024, 1, 1),
        ),
        snapshot,
    )
    assert snapshot_of(None) is None
    assert matches_snapshot(Row(status="not_reported"), None)
    assert not matches_snapshot(Row(status="not_reported", note="x"), None)
    assert matches_snapshot(
        Row(status="not_reported", note="  "), snapshot_of(Row(status="not_reported"))
    )


# --- reading numbers: the corners ----------------------------------------------------------

ITALIAN = {"decimal_separator": ",", "thousand_separator": "."}
NO_GROUPING_SAID = {"decimal_separator": ","}
ENGLISH = {"decimal_separator": ".", "thousand_separator": ","}


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("1.234", NO_GROUPING_SAID, "1234"),  # a comma language groups with points
        ("1,234", {"decimal_separator": "."}, "1234"),
        ("1.2345", ITALIAN, "1.2345"),  # one point before four digits: the decimal mark
        ("1.23", ITALIAN, "1.23"),
        ("1'234,5", ITALIAN, "1234.5"),  # Swiss grouping
        ("\u20133", ITALIAN, "-3"),  # an en dash for minus
        ("0012", ITALIAN, "12"),
        ("1.234.567,89", ITALIAN, "1234567.89"),
        ("1,234,567.5", ENGLISH, "1234567.5"),
    ],
)
def test_numbers_read_at_the_corners(typed, language, expected):
    from icc_portal.numbers import parse_localised

    assert parse_localised(typed, **language) == D(expected)


@pytest.mark.parametrize(
    "typed",
    [None, "-", "+", ".5", "1.", "12,34.5", "1.23.4", "1,5a", "1..2", "1.234,", "12.34,5"],
)
def test_not_numbers_at_the_corners(typed):
    from icc_portal.numbers import parse_localised

    with pytest.raises(ValueError):
        parse_localised(typed, **ITALIAN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" 12 ", "12"), ("+1", "1"), ("-0.5", "-0.5"), (".5", "0.5"), ("007", "7")],
)
def test_plain_numbers(text, expected):
    from icc_portal.numbers import parse_plain

    assert parse_plain(text) == D(expected)


@pytest.mark.parametrize("text", ["1.", "1,5", "1e3", "１２", "1_000", "NaN", "", "--1"])
def test_not_plain_numbers(text):
    from icc_portal.numbers import parse_plain

    with pytest.raises(ValueError):
        parse_plain(text)


def test_minus_zero_reads_as_zero():
    assert format_number(D("-0")) == "0"
    assert format_number(D("-0.00"), "percent") == "0 %"


def test_a_missing_text_matches_an_empty_one():
    stored = snapshot_of(Row(value=D("3")))
    row = Row(value=D("3"))
    row.note = None
    assert matches_snapshot(row, stored)
    row.note = " x"
    assert not matches_snapshot(row, stored)


@pytest.mark.parametrize("typed", ["12abc", "1,2,3", "1.23.4", "-", "1,5a", "1."])
def test_the_refusal_carries_what_was_typed(typed):
    from icc_portal.numbers import parse_localised, parse_plain

    with pytest.raises(ValueError) as raised:
        parse_localised(typed, **ITALIAN)
    assert raised.value.args == (typed,)
    with pytest.raises(ValueError) as raised:
        parse_plain(typed)
    assert raised.value.args == (typed,)
