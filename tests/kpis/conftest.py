"""Fixtures of the KPI tests: Ravenna's final stage of the Test Network (``entry_world``)
with two of its six figures entered as drafts (the review tests)."""

from __future__ import annotations

import pytest


@pytest.fixture
def draft(entry_world, coordinator_ravenna):
    """Two draft figures of Ravenna at the final stage (four of its six KPIs missing)."""
    from kpis.models import Measurement
    from kpis.reporting.entry import RowInput, record_measurements

    kpis = entry_world.kpis
    record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[
            RowInput(kpi=kpis.count, status="reported", expected_version=0, value=3),
            RowInput(kpi=kpis.percent, status="reported", expected_version=0, value=40),
        ],
    )
    return Measurement.objects.filter(city=entry_world.ravenna, stage="final")
