"""Fixtures of the notice tests: Ravenna's final stage with one figure of six entered."""

from __future__ import annotations

import pytest

from kpis.reporting.entry import RowInput, record_measurements


@pytest.fixture
def draft(entry_world, coordinator_ravenna):
    """One draft figure in Ravenna's final stage (five of its six KPIs still missing)."""
    record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[RowInput(kpi=entry_world.kpis.count, status="reported", expected_version=0, value=3)],
    )
