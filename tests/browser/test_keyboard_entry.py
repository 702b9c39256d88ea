"""Keyboard-only entry in a real browser (see keyboard_entry.py). Without Playwright or a
Chromium it skips with the reason under ``make test``, and fails in CI (see conftest.py)."""

import io

import pytest

from tests.browser import keyboard_entry

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_coordinator_fills_and_saves_rows_with_the_keyboard_alone(live_server, browser):
    from django.core.management import call_command

    from kpis.models import Measurement
    from tests.helpers import personas

    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    user = personas.sern_coordinator("vanersborg", password="keyboard-only-2026")

    message = keyboard_entry.run_in(browser, live_server.url, user.username, "keyboard-only-2026")

    assert "Saved 3 figures." in message
    figures = Measurement.objects.filter(city__slug="vanersborg", stage="final")
    assert {figure.kpi.code: figure.status for figure in figures} == {
        "1.1": "reported",
        "1.2": "reported",
        "1.3a": "not_available",
    }
    assert figures.get(kpi__code="1.1").note == "ICT, tourism and HR"
