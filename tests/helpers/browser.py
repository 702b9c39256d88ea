"""The browser tests' shared code: where Chromium is, skipping (or failing in CI) without
one, axe-core's accessibility check, screenshots."""

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


def launch_chromium(playwright):
    """Chromium with the tests' arguments: the one ``chromium_path`` finds, else Playwright's
    own (the standalone scripts under tests/browser/ run with either)."""
    options = {"args": CHROMIUM_ARGS}
    if chromium_path():
        options["executable_path"] = chromium_path()
    return playwright.chromium.launch(**options)


def no_browser(reason: str):
    """Skip, except in CI, where a browser test that cannot run is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason)


def axe_violations(page, *, best_practice: bool = False) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now: the violations found; with
    ``best_practice``, axe's best-practice rules too (``landmark-unique`` among them)."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
    # does not govern (an injected <script> would be refused, as it should be).
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        """async (bestPractice) => {
            const values = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            if (bestPractice) values.push('best-practice');
            const r = await axe.run(document, {runOnly: {type: 'tag', values}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""",
        best_practice,
    )
    return result


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
