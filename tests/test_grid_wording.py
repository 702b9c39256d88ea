"""What the entry grid and the stage picker say of targets and missing figures (the
factory world, no demo data)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_entry_grid_words_a_yes_no_target_as_every_page_does(
    client, entry_world, coordinator_ravenna
):
    client.force_login(coordinator_ravenna)
    html = client.get(reverse("entry-grid", args=["ravenna", "final"])).content.decode()
    row = html[html.index("Survey done") :]
    assert re.search(r"<dt>Target</dt><dd>Yes</dd>", row[:600])


def test_latest_with_figures_is_not_offered_without_figures(client, entry_world):
    html = client.get(reverse("home"), {"consortium": "test-network"}).content.decode()
    assert "latest with figures" not in html


def test_grid_says_nothing_is_missing_instead_of_zero_kpis_missing(client, entry_world, site_admin):
    from tests.kpis.factories import MeasurementFactory

    for kpi in (entry_world.kpis.consortium,):
        MeasurementFactory(kpi=kpi, city=None, stage="final", value=2)
    client.force_login(site_admin)
    html = client.get(reverse("consortium-entry-grid", args=["test-network", "final"])).content
    assert b"0 KPIs still missing" not in html
    assert b"Every KPI has a figure or a status for this stage." in html
