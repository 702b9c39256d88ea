"""What the review tests say of a stage of the Test Network (``entry_world``)."""

from __future__ import annotations

#: Ravenna reports six KPIs; the ``draft`` fixture (tests/kpis/conftest.py) enters two.
MISSING = 4


def unit(entry_world, city="ravenna"):
    """The final stage of one of the Test Network's cities, or of the consortium itself
    (``city=None``), as the review functions take it."""
    return {
        "consortium": entry_world.consortium,
        "city": getattr(entry_world, city) if city else None,
        "stage": "final",
    }
