"""Fields of the API's serializers: decimals out as plain strings, documented as such."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
