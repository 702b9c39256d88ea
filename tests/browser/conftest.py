"""A real browser (Chromium through Playwright) against a live server.

Under ``make test`` on a machine without Playwright or Chromium these tests skip and say
why (a Chromium that is installed but does not launch fails them); in CI (``CI=true``)
a missing browser fails them instead: nothing a person sees would be checked otherwise.
Screenshots go to ``screenshots/`` (git-ignored; CI keeps it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if candidate and os.path.exists(candidate) else None


def no_browser(reason: str):
    """Skip, except in CI, where a browser test that cannot run is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop in this
    thread, so Django's async guard must be off meanwhile (the test's own database calls
    are still synchronous); it is back on for the modules after (``check --deploy`` in a
    subprocess refuses the variable)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _browser()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("Playwright is not installed (pip install playwright)")
    path = chromium_path()
    if path is None:
        no_browser("no Chromium: install Debian's chromium or set CHROMIUM")
    with sync_playwright() as playwright:
        # A Chromium that is there but does not start is a failure, never a skip: only a
        # missing Playwright or browser is a reason not to run these tests.
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """``new_page(width=1280, language="en")``: a page in a fresh context (own cookies)."""
    contexts = []

    def make(width: int = 1280, language: str = "en"):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale=language, accept_downloads=False
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now: the violations found."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
    # does not govern (an injected <script> would be refused, as it should be).
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
