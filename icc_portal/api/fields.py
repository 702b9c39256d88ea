"""Fields of the API's serializers: decimals out as plain strings, documented as such."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from icc_portal.numbers import plain, whole_number

#: How every decimal of the API is declared: a string holding a plain decimal number
#: (:func:`icc_portal.numbers.plain`), so a generated client never reads it through a
#: binary float.
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(?:\.[0-9]+)?$"}


@extend_schema_field(DECIMAL_STRING)
class PlainDecimalField(serializers.DecimalField):
    """Decimals out as plain strings ("2", "0.5"), never floats, never "2.0000"."""

    def to_representation(self, value):
        return plain(Decimal(value)) if value is not None else None


@extend_schema_field(DECIMAL_STRING)
class DecimalStringField(serializers.CharField):
    """A computed decimal (a roll-up, a ratio) documented as ``format: decimal``."""


class PlainIntegerField(serializers.IntegerField):
    """A whole number, as the schema's ``integer`` says: a JSON number without a fraction,
    or text of ASCII digits. DRF's own field also takes ``0.0``, ``"1.0"``, ``"１"`` and
    ``"1_0"``; a client that sends them gets a 400."""

    def to_internal_value(self, data):
        if isinstance(data, float) or (isinstance(data, str) and not whole_number(data)):
            self.fail("invalid")
        return super().to_internal_value(data)
