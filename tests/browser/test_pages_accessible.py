"""Every page type in a real browser: axe-core finds no WCAG 2.1 A/AA violation, at a desktop
width (1280 px) and a phone width (390 px), in English, Italian and Swedish; a screenshot of
each is written to screenshots/ (kept by CI)."""

from __future__ import annotations

import io

import pytest

from tests.helpers.browser import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pages-2026"
#: (name, path, who): who is None (anonymous), "coordinator" or "steering".
PAGES = [
    ("overview", "/", None),
    ("overview-letsgov", "/?consortium=letsgov", None),
    ("city", "/cities/ravenna/", None),
    ("solution", "/solutions/sern/1/", None),
    ("kpi", "/kpis/sern/2.2/", None),
    ("roadmap", "/roadmap/", None),
    ("programme", "/programmes/icc/", None),
    ("programme-mission", "/programmes/eu-cities-mission/", "steering"),
    ("open-data", "/open-data/", None),
    ("login", "/accounts/login/", None),
    ("not-found", "/no-such-page/", None),
    # Django's password pages, the set-password one as an invitation's link opens it.
    ("password-reset", "/accounts/password_reset/", None),
    ("password-reset-sent", "/accounts/password_reset/done/", None),
    ("set-password", "{set_password}", None),
    ("password-set", "/accounts/reset/done/", None),
    ("my-reporting", "/report/", "coordinator"),
    ("grid", "/cities/ravenna/report/final/", "coordinator"),
    ("missing", "/cities/ravenna/report/final/missing/", "coordinator"),
    ("changes", "/cities/ravenna/changes/", "coordinator"),
    ("history", "/measurements/{measurement}/history/", "coordinator"),
    ("profile", "/accounts/profile/", "coordinator"),
    ("api-token", "/accounts/api-token/", "coordinator"),
    ("steering-reporting", "/report/", "steering"),
    ("consortium-grid", "/consortia/sern/report/final/", "steering"),
    ("consortium-changes", "/consortia/sern/changes/", "steering"),
]


@pytest.fixture
def site(live_server):
    from django.contrib.auth.tokens import default_token_generator
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils.http import urlsafe_base64_encode

    from kpis.models import Measurement
    from tests.helpers import personas

    call_command("load_demo", "--no-accounts", "data/sern.yaml", stdout=io.StringIO())
    call_command("load_demo", "--no-accounts", "data/letsgov.yaml", stdout=io.StringIO())
    coordinator = personas.sern_coordinator("ravenna", password=PASSWORD)
    steering = personas.sern_steering(password=PASSWORD)
    measurement = Measurement.objects.filter(city__slug="ravenna").first()
    invited = personas.sern_partner()
    uid = urlsafe_base64_encode(str(invited.pk).encode())
    return {
        "coordinator": coordinator.username,
        "steering": steering.username,
        "measurement": measurement.pk,
        "set_password": reverse(
            "password_reset_confirm", args=[uid, default_token_generator.make_token(invited)]
        ),
    }


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "it", "sv"])
def test_every_page_type_passes_axe_at_desktop_and_phone_width(
    live_server, site, new_page, language
):
    problems, checked = [], 0
    for width in (1280, 390):
        pages = {}
        for who in (None, "coordinator", "steering"):
            page = new_page(width=width, language=language)
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            if who:
                log_in(page, live_server.url, site[who])
            pages[who] = page
        for name, path, who in PAGES:
            page = pages[who]
            page.goto(live_server.url + path.format(**site))
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.lang") == language, name
            problems += [f"{name} {width}px: {v}" for v in axe_violations(page)]
            screenshot(page, f"{name}-{language}-{width}")
            checked += 1
            if name == "overview" and width == 1280:
                # The overview fits the desktop width: nothing cut off on the right.
                assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert checked == 2 * len(PAGES)
    assert not problems, "\n".join(problems)
