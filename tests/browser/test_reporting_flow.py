"""The coordinator's whole flow in a real browser, in English, Italian and Swedish: fill,
error, save, submit with missing figures, the steering committee returns it with a
comment, fix, approve. axe-core checks every page state on the way at a desktop's width
(1280 px) and a phone's (390 px), where the page must not scroll sideways either;
screenshots go to screenshots/.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tests.helpers.browser import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-flow-2026"
GRID = "/cities/cervia/report/baseline/"
PHONE = 390


@pytest.fixture
def people(live_server):
    from django.core.management import call_command

    from tests.helpers import personas

    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    coordinator = personas.sern_coordinator("cervia", password=PASSWORD)
    steering = personas.sern_steering(password=PASSWORD)
    mail.outbox.clear()
    return coordinator, steering


def log_in(page, base: str, username: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/?next={GRID}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    follow(page, "main form button[type=submit]")


def checked(page, name: str, problems: list[str]) -> None:
    """axe on the page as it is now, at the desktop's width and then at a phone's (the
    same state: the window narrowed, nothing reloaded), and a screenshot of each."""
    problems += [f"{name}: {violation}" for violation in axe_violations(page)]
    screenshot(page, name)
    desktop = page.viewport_size
    page.set_viewport_size({"width": PHONE, "height": desktop["height"]})
    try:
        problems += [f"{name} {PHONE}px: {violation}" for violation in axe_violations(page)]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE:
            problems.append(f"{name} {PHONE}px: the page scrolls sideways ({scroll_width} px)")
        screenshot(page, f"{name}-{PHONE}")
    finally:
        page.set_viewport_size(desktop)


def follow(page, selector: str) -> None:
    """Click what leads to another page and wait for that page (a bare wait after the click
    can return while the page before is still the one loaded)."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()


def focused_id(page, expected: str) -> str:
    """The id of the element with focus, given autofocus its turn: the browser applies
    autofocus at its next rendering step, which can come after the load event."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === id",
            arg=expected,
            timeout=3000,
        )
    except PlaywrightTimeout:
        pass
    return page.evaluate("document.activeElement && document.activeElement.id || ''")


def focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name || ''")


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def say(language: str, text: str, plural: str = "", number: int = 0, **values) -> str:
    with translation.override(language):
        words = ngettext(text, plural, number) if plural else gettext(text)
    return words % values if values else words


@pytest.mark.parametrize("language", ["en", "it", "sv"])
def test_coordinator_reports_and_the_steering_committee_reviews(
    live_server, people, new_page, language
):
    base, problems = live_server.url, []
    coordinator_page = new_page(language=language)
    log_in(coordinator_page, base, "sern-coord-cervia", language)
    page = coordinator_page
    assert page.url.endswith(GRID)
    assert page.evaluate("document.documentElement.lang") == language

    # Fill: a letter in a number field is refused beside the field, nothing is saved.
    values = page.locator("fieldset.entry-row .field-value input:visible")
    values.nth(0).fill("3x")
    values.nth(1).fill("2")
    follow(page, ".entry-actions button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert focused_id(page, "error-summary") == "error-summary"
    assert values.nth(0).get_attribute("aria-invalid") == "true"
    checked(page, f"flow-{language}-1-error", problems)

    # Save: the message is where the page opens.
    values.nth(0).fill("3")
    follow(page, ".entry-actions button[type=submit]")
    assert page.url.endswith("#outcome")
    saved = say(language, "Saved %(count)s figure.", "Saved %(count)s figures.", 2, count=2)
    assert saved in page.locator("#outcome").inner_text()
    assert in_view(page, "#outcome")
    checked(page, f"flow-{language}-2-saved", problems)
    values.nth(1).fill("-2")
    follow(page, ".entry-actions button[type=submit]")
    assert focused_id(page, "error-summary") == "error-summary"
    values.nth(1).fill("2")

    # Submit with missing figures: refused until the number is confirmed, box focused.
    city_form = "form.review-form:has(input[name=unit][value=city])"
    missing = int(page.locator(f"{city_form} input[name=confirm_missing]").get_attribute("value"))
    assert missing == 11  # 13 KPIs, 2 entered
    follow(page, f"{city_form} button[value=submit]")
    assert focused_name(page) == "confirm_missing"
    assert (
        say(
            language,
            "Submit with %(count)s figure missing",
            "Submit with %(count)s figures missing",
            missing,
            count=missing,
        )
        in page.locator(city_form).inner_text()
    )
    checked(page, f"flow-{language}-3-confirm", problems)
    page.check(f"{city_form} input[name=confirm_missing]")
    follow(page, f"{city_form} button[value=submit]")
    assert in_view(page, "#outcome")
    assert [message.to for message in mail.outbox] == [["sern-steering@example.org"]]

    # The steering committee: what awaits review, a return without a comment, then with one.
    page = new_page(language=language)
    log_in(page, base, "sern-steering", language)
    page.goto(f"{base}/report/")
    awaiting = say(
        language,
        "%(counter)s stage awaits your review",
        "%(counter)s stages await your review",
        1,
        counter=1,
    )
    assert awaiting in page.inner_text("main")
    checked(page, f"flow-{language}-4-my-reporting", problems)
    follow(page, f"a[href='{GRID}#outcome']")
    follow(page, f"{city_form} button[value=return]")
    assert focused_name(page) == "comment"
    assert say(language, "Say what needs to change.") in page.locator(city_form).inner_text()
    checked(page, f"flow-{language}-5-return-error", problems)
    page.fill(f"{city_form} textarea[name=comment]", "1.1: which departments?")
    follow(page, f"{city_form} button[value=return]")
    assert mail.outbox[-1].to == ["sern-coord-cervia@example.org"]
    assert "1.1: which departments?" in mail.outbox[-1].body

    # The coordinator reads the comment, fixes a figure and submits again.
    page = coordinator_page
    page.goto(f"{base}{GRID}")
    assert "1.1: which departments?" in page.inner_text("#review")
    page.locator("fieldset.entry-row .field-value input:visible").nth(0).fill("4")
    follow(page, ".entry-actions button[type=submit]")
    page.check(f"{city_form} input[name=confirm_missing]")
    follow(page, f"{city_form} button[value=submit]")
    checked(page, f"flow-{language}-6-resubmitted", problems)

    # The steering committee approves: the same count is asked again.
    page = new_page(language=language)
    log_in(page, base, "sern-steering", language)
    page.goto(f"{base}{GRID}")
    follow(page, f"{city_form} button[value=approve]")
    assert focused_name(page) == "confirm_missing"
    page.check(f"{city_form} input[name=confirm_missing]")
    follow(page, f"{city_form} button[value=approve]")
    with translation.override(language):
        from kpis.models import StageReview

        approved = str(StageReview.State.APPROVED.label)
    assert approved in page.inner_text("#outcome")
    checked(page, f"flow-{language}-7-approved", problems)

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 4, subjects  # submitted, returned, submitted, approved
    assert re.search(r"Cervia", subjects[-1])
    assert not problems, "\n".join(problems)
