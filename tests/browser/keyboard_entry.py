"""Fill part of the SERN final stage for Vänersborg with the keyboard alone, then save.

Only key presses reach the page (Tab, typing, Enter); the script reads the page to check
where the focus is and that every field it lands on has a label. Run it against any
server that has the SERN demo data and the demo accounts (``make run``)::

    python tests/browser/keyboard_entry.py http://127.0.0.1:8000 \\
        [--user coordinator-vanersborg --password icc-demo-2026] [--screenshot out.png]

It needs Playwright and a Chromium (``pip install playwright``; ``CHROMIUM`` or
``/usr/bin/chromium``, else Playwright's own). ``test_keyboard_entry.py`` runs the same
flow under pytest and skips cleanly when either is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: the repository's root, for tests.helpers
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers.browser import launch_chromium  # noqa: E402

GRID_PATH = "/cities/vanersborg/report/final/"

#: What a coordinator types, row by row: (KPI code, keys per field in tab order).
#: Fields in tab order: value, status, reason, note, evidence link, as of.
ROWS = [
    (
        "1.1",
        {
            "value": "3",
            "note": "ICT, tourism and HR",
            "evidence_url": "https://example.org/digital-plan.pdf",
        },
    ),
    ("1.2", {"value": "2"}),
    ("1.3a", {"status": "Not av", "reason": "No draft plan yet: work starts in 2023"}),
]
FIELDS_IN_TAB_ORDER = ["value", "status", "reason", "note", "evidence_url", "as_of"]


def focused(page) -> dict:
    """The focused element: its name, tag and whether a label names it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const labelled = !!(el.labels && el.labels.length) || !!el.getAttribute('aria-label')
                || el.tagName === 'A' || el.tagName === 'BUTTON' || el.tagName === 'SUMMARY';
            return {name: el.getAttribute('name') || '', tag: el.tagName,
                    text: (el.innerText || '').trim().slice(0, 40), labelled};
        }"""
    )


def tab_to(page, name: str, limit: int = 80) -> list[dict]:
    """Press Tab until the field ``name`` has the focus; returns every stop on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        stops.append(stop)
        assert stop["labelled"], f"focus on an element without a label: {stop}"
        if stop["name"] == name:
            return stops
    raise AssertionError(f"{name} not reached with Tab; stops: {stops[-10:]}")


def field_name(page, code: str, field: str) -> str:
    """The input name of a KPI's field, found from the row's legend (``kpi<id>-<field>``)."""
    kpi_id = page.evaluate(
        """(code) => {
            for (const row of document.querySelectorAll('fieldset.entry-row')) {
                const legend = row.querySelector('legend .code');
                if (legend && legend.textContent.trim() === code) return row.id.split('-')[1];
            }
            return null;
        }""",
        code,
    )
    assert kpi_id, f"no row for KPI {code}"
    return f"kpi{kpi_id}-{field}"


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={GRID_PATH}")
    # The username field has the focus on load; type, Tab, type, Enter. The browser
    # applies autofocus at its next rendering step, which can come after the load
    # event: keys typed before it are lost, so wait for the focus first.
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.name === 'username'",
        timeout=5000,
    )
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == GRID_PATH)
    page.wait_for_load_state()


def fill_rows(page) -> list[list[dict]]:
    """Type the ROWS with Tab and keys only; returns the tab stops of each row."""
    stops_per_row = []
    for code, values in ROWS:
        first = field_name(page, code, "value")
        stops = tab_to(page, first)
        row_stops = [stops[-1]]
        for position, field in enumerate(FIELDS_IN_TAB_ORDER):
            if position:
                page.keyboard.press("Tab")
                row_stops.append(focused(page))
                expected = field_name(page, code, field)
                assert row_stops[-1]["name"] == expected, (row_stops[-1], expected)
            if field in values:
                page.keyboard.type(values[field])
        stops_per_row.append(row_stops)
    return stops_per_row


def run(base_url: str, username: str, password: str, screenshot: str | None = None) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return run_in(browser, base_url, username, password, screenshot)
        finally:
            browser.close()


def run_in(browser, base_url: str, username: str, password: str, screenshot=None) -> str:
    """The flow in a browser already started (the pytest fixture's)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, base_url, username, password)
        fill_rows(page)
        # Enter in a text field submits the form: the whole grid is saved at once.
        page.keyboard.press("Shift+Tab")  # back from "as of" to the evidence link field
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        message = page.locator(".messages").inner_text()
        assert "Saved 3 figures." in message, message
        assert page.input_value(f"[name={field_name(page, '1.1', 'value')}]") == "3"
        assert page.input_value(f"[name={field_name(page, '1.3a', 'status')}]") == "not_available"
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
        return message
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="coordinator-vanersborg")
    parser.add_argument("--password", default="icc-demo-2026")
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    print(
        run(
            arguments.base_url.rstrip("/"), arguments.user, arguments.password, arguments.screenshot
        )
    )


if __name__ == "__main__":
    main()
