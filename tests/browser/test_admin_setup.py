"""A new consortium's first solution and composite KPI set up in the admin, in a real browser
(see admin_setup.py). Without Playwright or a Chromium it skips under ``make test`` and fails in
CI, like every browser test (tests/browser/conftest.py)."""

import io

import pytest

from tests.browser import admin_setup
from tests.helpers.browser import launch_chromium, no_browser


@pytest.fixture
def browser_ready(monkeypatch):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("Playwright is not installed (pip install playwright)")
    try:
        with sync_playwright() as playwright:
            launch_chromium(playwright).close()
    except Exception as error:  # no browser to drive
        no_browser(f"no Chromium for Playwright: {error}")
    # Playwright's sync API runs an event loop in this thread, where the test then reads the
    # database; only for this test (a leftover would reach later tests' subprocesses).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.django_db(transaction=True)
def test_an_officer_sets_up_a_solution_and_a_composite_kpi_from_an_empty_consortium(
    live_server, browser_ready
):
    from django.core.management import call_command

    from cities.models import Consortium
    from kpis.models import KPI
    from solutions.models import Solution
    from tests.cities.factories import UserFactory

    call_command("load_demo", "--no-accounts", "data/letsgov.yaml", stdout=io.StringIO())
    letsgov = Consortium.objects.get(slug="letsgov")
    assert not letsgov.solutions.exists()
    UserFactory(username="officer", password="set-up-2026", is_staff=True, is_superuser=True)

    walk = admin_setup.run(live_server.url, "officer", "set-up-2026")

    assert walk.server_errors == []
    assert walk.blocked == []
    assert walk.refusals == [
        (
            "lead_cities",
            "Bologna leads the solution but does not implement it: tick it among the "
            "implementing cities too, or do not make it a lead city.",
        ),
        (
            "rollup",
            "“Sum” does not fit a yes/no KPI: choose “All cities say yes”, “Any city says yes”, "
            "“No roll-up”. Otherwise the country and consortium cells stay empty.",
        ),
        (
            "code",
            "A part's code is its composite's code and one letter: “1.1a”, “1.1b”… under 1.1.",
        ),
    ]
    solution = Solution.objects.get(consortium=letsgov, number=1)
    assert set(solution.lead_cities.values_list("slug", flat=True)) == {"bologna"}
    assert set(solution.implementing_cities.values_list("slug", flat=True)) == {
        "bologna",
        "milan",
        "turin",
    }
    composite = KPI.objects.get(solution=solution, code="1.1")
    assert [
        (part.code, part.solution_id, str(part.target_value))
        for part in composite.parts.order_by("code")
    ] == [
        ("1.1a", solution.pk, "2.0000"),
        ("1.1b", solution.pk, "2.0000"),
    ]
