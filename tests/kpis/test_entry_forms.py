"""Reading numbers as people type them (no database)."""

from decimal import Decimal

import pytest

from icc_portal.numbers import parse_localised

ITALIAN = {"decimal_separator": ",", "thousand_separator": "."}
SWEDISH = {"decimal_separator": ",", "thousand_separator": "\u00a0"}
ENGLISH = {"decimal_separator": ".", "thousand_separator": ","}


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("1.234,5", ITALIAN, "1234.5"),
        ("1234,5", ITALIAN, "1234.5"),
        ("1.234.567", ITALIAN, "1234567"),
        ("1.5", ITALIAN, "1.5"),  # a single point before one digit: the decimal mark
        ("0,25", ITALIAN, "0.25"),
        (",5", ITALIAN, "0.5"),
        ("-3", ITALIAN, "-3"),
        ("\u22123", ITALIAN, "-3"),  # typographic minus
        (" 42 ", ITALIAN, "42"),
        ("1 234,5", SWEDISH, "1234.5"),
        ("1\u00a0234,5", SWEDISH, "1234.5"),
        ("1\u202f234,5", SWEDISH, "1234.5"),
        ("1.234,5", SWEDISH, "1234.5"),
        ("1,234.5", ENGLISH, "1234.5"),
        ("1234.5", ENGLISH, "1234.5"),
        ("2,500", ENGLISH, "2500"),
        ("1,5", ENGLISH, "1.5"),
        ("+7", ENGLISH, "7"),
    ],
)
def test_numbers_in_each_language(typed, language, expected):
    assert parse_localised(typed, **language) == Decimal(expected)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "12abc",
        "1,2,3",
        "1.2.3",
        "1.234,5,6",
        "1e5",
        "NaN",
        "Infinity",
        "--3",
        "3-",
        "€5",
    ],
)
def test_anything_else_is_not_a_number(typed):
    with pytest.raises(ValueError):
        parse_localised(typed, **ITALIAN)


def test_italian_ambiguity_is_read_as_grouping_in_threes():
    assert parse_localised("2.500", **ITALIAN) == 2500
    assert parse_localised("2,500", **ENGLISH) == 2500
