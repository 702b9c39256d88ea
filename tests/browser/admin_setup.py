"""Set up a new consortium's first solution and a composite KPI with two parts in the admin.

A programme officer's path through the admin in a real browser, from a consortium with
member cities and nothing else (Let's GOv as loaded from ``data/letsgov.yaml``): from the
consortium's page to a new solution, where a lead city that does not implement it is
refused beside the lead cities; then from the solution's page to a new composite KPI with
two parts added on the same page, where a yes/no part with a *sum* roll-up and a part with
its composite's code are refused beside their fields; each put right and saved. No page may
answer with a server error, and the strict Content-Security-Policy may block nothing.

Run it against any server with Let's GOv loaded and an admin account::

    python tests/browser/admin_setup.py http://127.0.0.1:8000 --user admin \\
        --password icc-demo-2026 [--screenshots DIR] [--language it]

``test_admin_setup.py`` runs the same path under pytest and skips without Playwright or
a Chromium (``CHROMIUM`` or ``/usr/bin/chromium``, else Playwright's own).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository's root, for tests.helpers
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers.browser import launch_chromium  # noqa: E402


@dataclass
class Walk:
    """What the officer saw: each refusal as (field, message), and what went wrong."""

    refusals: list[tuple[str, str]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def errors_beside(page, field_name: str) -> list[str]:
    """The error messages in the form row (or inline cell) of ``field_name``."""
    return [
        text.strip()
        for text in page.locator(
            f".form-row.field-{field_name} .errorlist li, td.field-{field_name} .errorlist li"
        ).all_inner_texts()
    ]


def choose_cities(page, field_name: str, names: list[str]) -> None:
    """Move cities into the chosen box of a two-box city picker."""
    for name in names:
        page.select_option(f"#id_{field_name}_from", label=name)
        page.click(f"#id_{field_name}_add")


def save(page, walk: Walk, button: str = "_save") -> None:
    page.click(f"input[name={button}]")
    page.wait_for_load_state()


def refused(page, walk: Walk, field_name: str) -> str:
    messages = errors_beside(page, field_name)
    assert messages, f"no message beside {field_name} on {page.url}"
    walk.refusals.append((field_name, messages[0]))
    return messages[0]


def add_solution(page, walk: Walk, base_url: str, consortium_name: str, shoot) -> None:
    page.goto(f"{base_url}/admin/cities/consortium/")
    page.locator("#result_list th a", has_text=consortium_name).first.click()
    page.click("a.addlink[href*='solution/add/?consortium=']")
    page.fill("#id_number", "1")
    page.fill("#id_title_en", "Energy communities")
    choose_cities(page, "lead_cities", ["Bologna"])
    choose_cities(page, "implementing_cities", ["Milan", "Turin"])
    save(page, walk, "_continue")
    refused(page, walk, "lead_cities")
    shoot(page, "solution-refused")
    choose_cities(page, "implementing_cities", ["Bologna"])
    save(page, walk, "_continue")
    walk.messages += page.locator(".messagelist li").all_inner_texts()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()


def fill_part(page, index: int, code: str, name: str, unit: str) -> None:
    page.click("#parts-group .add-row a")
    row = f"#parts-{index}"
    page.fill(f"{row} input[name=parts-{index}-code]", code)
    page.fill(f"{row} input[name=parts-{index}-name_en]", name)
    page.fill(f"{row} input[name=parts-{index}-unit_en]", unit)
    page.fill(f"{row} input[name=parts-{index}-target_value]", "2")
    page.select_option(f"{row} select[name=parts-{index}-rollup]", "sum")


def add_composite_kpi(page, walk: Walk, shoot) -> None:
    page.click("a.addlink[href*='kind=composite']")  # asks only what a composite has
    page.fill("#id_code", "1.1")
    page.fill("#id_name_en", "Energy communities set up and their members")
    fill_part(page, 0, "1.1a", "Energy communities set up", "communities")
    page.select_option("select[name=parts-0-value_type]", "boolean")  # with a sum: refused
    fill_part(page, 1, "1.1", "Households taking part", "households")
    save(page, walk)
    refused(page, walk, "rollup")
    refused(page, walk, "code")
    shoot(page, "kpi-refused")

    page.select_option("select[name=parts-0-value_type]", "count")
    page.fill("input[name=parts-1-code]", "1.1b")
    save(page, walk)
    walk.messages += page.locator(".messagelist li").all_inner_texts()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()


def run(
    base_url: str,
    username: str,
    password: str,
    *,
    consortium_name: str = "Let's GOv",
    language: str = "en",
    screenshots: str | None = None,
) -> Walk:
    from playwright.sync_api import sync_playwright

    walk = Walk()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(
            viewport={"width": 1400, "height": 1000},
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        page.on(
            "response",
            lambda response: (
                walk.server_errors.append(f"{response.status} {response.url}")
                if response.status >= 500
                else None
            ),
        )
        page.on(
            "console",
            lambda message: (
                walk.blocked.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        try:
            page.goto(f"{base_url}/admin/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("input[type=submit]")
            page.wait_for_load_state()

            def shoot(page, name: str) -> None:
                if screenshots:
                    page.screenshot(path=f"{screenshots}/{name}-{language}.png", full_page=True)

            add_solution(page, walk, base_url, consortium_name, shoot)
            shoot(page, "solution-saved")
            add_composite_kpi(page, walk, shoot)
            shoot(page, "kpi-saved")
        finally:
            browser.close()
    return walk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="icc-demo-2026")
    parser.add_argument("--language", default="en")
    parser.add_argument("--screenshots")
    arguments = parser.parse_args()
    walk = run(
        arguments.base_url.rstrip("/"),
        arguments.user,
        arguments.password,
        language=arguments.language,
        screenshots=arguments.screenshots,
    )
    for field_name, message in walk.refusals:
        print(f"refused beside {field_name}: {message}")
    print("\n".join(walk.messages))


if __name__ == "__main__":
    main()
