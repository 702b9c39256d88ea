"""Numbers as people write them."""

from __future__ import annotations

from decimal import Decimal


def plain_number(value: Decimal | int | float | str | None) -> str:
    """A stored number without the zeros its column pads it with.

    "5.0000" → "5", "2.5000" → "2.5", "64840.00" → "64840"; never "5E+1".
    """
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")
