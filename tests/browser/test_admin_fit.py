"""The admin at 1280 px in English, Italian and Swedish, in a real browser: every page the
index links to (each list and each add page), a solution with its activities, an activity,
a user and the load-file page. None is wider than the window, no list's table runs past
the page's right edge, the activities table wraps within the page, and a date asked without
a time carries no time-zone note (the browser is in another time zone than the server, so
Django's script would add one). Skips without Playwright or Chromium under ``make test``,
fails in CI."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

#: The right edge of ``selector``'s box and of the page's content (inside its padding).
EDGES = """selector => {
    const box = document.querySelector(selector);
    const content = document.querySelector('#content');
    const padding = parseFloat(getComputedStyle(content).paddingRight);
    return box ? [box.getBoundingClientRect().right,
                  content.getBoundingClientRect().right - padding] : null;
}"""


def wider_than_the_window(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def past_the_content(page, selector: str) -> bool:
    edges = page.evaluate(EDGES, selector)
    return edges is not None and edges[0] > edges[1] + 0.5


@pytest.fixture
def officer_page(browser, live_server):
    from django.core.management import call_command

    from tests.cities.factories import UserFactory

    for data_file in ("data/sern.yaml", "data/letsgov.yaml"):
        call_command("load_demo", "--no-accounts", data_file, stdout=io.StringIO())
    UserFactory(username="officer", password="set-up-2026", is_staff=True, is_superuser=True)
    contexts = []

    def make(language: str):
        # Another time zone than the server's Europe/Rome: Django's date script then adds
        # its note to every date and time field it sees.
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale=language,
            timezone_id="America/New_York",
            extra_http_headers={"Accept-Language": language},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.server_errors = []
        page.on(
            "response",
            lambda response: (
                page.server_errors.append(response.url) if response.status >= 500 else None
            ),
        )
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "officer")
        page.fill("#id_password", "set-up-2026")
        with page.expect_navigation():
            page.click("input[type=submit]")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["en", "it", "sv"])
def test_every_admin_page_fits_1280_px(officer_page, live_server, language):
    from solutions.models import Activity, Solution

    page = officer_page(language)
    page.goto(f"{live_server.url}/admin/")
    links = page.eval_on_selector_all(
        "#content a[href^='/admin/']", "links => links.map(link => link.pathname)"
    )
    solution = Solution.objects.filter(activities__isnull=False).order_by("pk").first()
    activity = Activity.objects.filter(solution=solution).order_by("pk").first()
    paths = ["/admin/", *dict.fromkeys(links)]
    paths += [
        f"/admin/solutions/solution/{solution.pk}/change/",
        f"/admin/solutions/activity/{activity.pk}/change/",
        "/admin/auth/user/1/change/",
    ]
    assert "/admin/kpis/kpi/" in paths and "/admin/kpis/kpi/add/" in paths
    assert any("load" in path for path in paths)  # the load-file page, from the index

    too_wide = []
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        if wider_than_the_window(page) or past_the_content(page, "#result_list"):
            too_wide.append(path)
    assert too_wide == []
    assert page.server_errors == []


@pytest.mark.parametrize("language", ["en", "it", "sv"])
def test_a_solutions_activities_wrap_and_its_dates_carry_no_time_zone_note(
    officer_page, live_server, language
):
    from solutions.models import Solution

    page = officer_page(language)
    solution = Solution.objects.filter(activities__isnull=False).order_by("pk").first()
    page.goto(f"{live_server.url}/admin/solutions/solution/{solution.pk}/change/")
    page.wait_for_selector(".vDateField + .datetimeshortcuts", state="attached")

    assert page.locator("#activities-group .vDateField").count() > 0
    assert not past_the_content(page, "#activities-group table")
    assert not wider_than_the_window(page)
    assert page.locator(".timezonewarning").count() > 0  # added by Django's script...
    assert page.locator(".timezonewarning:visible").count() == 0  # ...and not shown
