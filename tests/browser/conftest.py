"""A real browser (Chromium through Playwright) against a live server.

Under ``make test`` on a machine without Playwright or Chromium these tests skip and say
why (a Chromium that is installed but does not launch fails them); in CI (``CI=true``)
a missing browser fails them instead: nothing a person sees would be checked otherwise.
Screenshots go to ``screenshots/`` (git-ignored; CI keeps it).
"""

from __future__ import annotations

import os

import pytest

from tests.helpers.browser import CHROMIUM_ARGS, chromium_path, no_browser


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
