"""Every page type at a phone's width (390 px, and 360 px in Swedish) and at a desktop's
(1280 px), in English, Italian and Swedish, as a visitor, a city's coordinator and a
steering committee member: the page itself never scrolls sideways, the column people come
for is on screen (a table too wide for the phone scrolls inside its own labelled, focusable
region, its key column staying put), and axe-core finds nothing serious or critical, nor
two landmarks of one name. The steering member's browser names another language than
their profile: the profile's is the one spoken after the login. Screenshots of each go to
screenshots/ (kept by CI)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers.browser import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-phone-2026"
UPLOAD = "/cities/ravenna/report/baseline/import/"
#: (name, path, who, key): path formatted with the site's values (None: the upload's
#: preview); who is None (anonymous), "coordinator" or "steering"; key, the selectors of
#: what must be wholly on screen (not cut by the window nor by a scrolling region).
PAGES = [
    ("overview", "/", None, [".matrix .kpi-head", ".matrix thead th:nth-child(2)"]),
    (
        "overview-letsgov",
        "/?consortium=letsgov",
        None,
        ["main form button", ".consortium-cards li:last-child"],
    ),
    ("city", "/cities/ravenna/", None, [".stage-table tbody th", ".stage-table tbody td"]),
    (
        "solution",
        "/solutions/sern/1/",
        None,
        [".matrix thead th:nth-child(2)", ".activities tbody td:last-child"],
    ),
    ("kpi", "/kpis/sern/2.2/", None, [".kpi-table tbody th", ".kpi-table tbody td:last-child"]),
    ("programme", "/programmes/icc/", None, [".programme-table tbody th"]),
    ("roadmap", "/roadmap/", None, [".phase-list li"]),
    ("open-data", "/open-data/", None, [".open-data-datasets tbody th"]),
    ("login", "/accounts/login/", None, ["#id_password", "main form button"]),
    ("not-found", "/no-such-page/", None, ["main h1"]),
    # Django's password pages, the set-password one as an invitation's link opens it.
    ("password-reset", "/accounts/password_reset/", None, ["#id_email"]),
    ("password-reset-sent", "/accounts/password_reset/done/", None, ["main h1"]),
    ("set-password", "{set_password}", None, ["#id_new_password1", "#id_new_password2"]),
    ("password-set", "/accounts/reset/done/", None, ["main a.button"]),
    (
        "deliverable",
        "/consortia/sern/deliverable/",
        "coordinator",
        [".activities tbody td:last-child", ".maturity-table .kpi-name"],
    ),
    # The final stage, the last before the history column.
    ("my-reporting", "/report/", "coordinator", [".reporting-table td:nth-last-child(2)"]),
    ("grid", "/cities/ravenna/report/final/", "coordinator", [".entry-row legend"]),
    (
        "missing",
        "/cities/ravenna/report/baseline/missing/",
        "coordinator",
        [".missing-list li:last-child"],
    ),
    ("changes", "/cities/ravenna/changes/", "coordinator", [".change-list .change-head"]),
    ("history", "/measurements/{measurement}/history/", "coordinator", [".change-head"]),
    ("upload", UPLOAD, "coordinator", ["input[type=file]"]),
    # The upload's preview: "after the import" of a new row (imp-new, called imp-created
    # where rows are created/updated) and a refused row's reasons.
    (
        "upload-preview",
        None,
        "coordinator",
        [":is(.imp-new, .imp-created) td:last-child", ".imp-refused td[colspan] li"],
    ),
    ("profile", "/accounts/profile/", "coordinator", ["#id_language"]),
    ("api-token", "/accounts/api-token/", "coordinator", ["main form button"]),
    (
        "steering-reporting",
        "/report/",
        "steering",
        [".awaiting li", ".reporting-table tr:last-child td:nth-last-child(2)"],
    ),
    ("consortium-grid", "/consortia/sern/report/final/", "steering", [".entry-row legend"]),
    ("consortium-changes", "/consortia/sern/changes/", "steering", [".change-list .change-head"]),
    (
        "programme-mission",
        "/programmes/eu-cities-mission/",
        "steering",
        [".programme-table tbody th"],
    ),
]
#: The steering member's browser names another language than their profile: at login the
#: profile's wins, on every page after.
OTHER_LANGUAGE = {"en": "sv", "it": "en", "sv": "it"}

#: Wholly inside the window and inside every ancestor that clips sideways: "ok", or why not.
ON_SCREEN = """(selector) => {
    const element = document.querySelector(selector);
    if (!element) return 'missing';
    const box = element.getBoundingClientRect();
    if (box.width === 0) return 'not shown';
    let left = 0, right = window.innerWidth;
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        if (getComputedStyle(parent).overflowX !== 'visible') {
            const clip = parent.getBoundingClientRect();
            left = Math.max(left, clip.left);
            right = Math.min(right, clip.right);
        }
    }
    const px = (x) => Math.round(x);
    return box.left >= left - 1 && box.right <= right + 1 ? 'ok'
        : `cut: ${px(box.left)}-${px(box.right)} px, shown ${px(left)}-${px(right)}`;
}"""

#: Scrolling regions: each one focusable and named, so a keyboard reaches it and a screen
#: reader says what it holds.
UNNAMED_SCROLLERS = """() => [...document.querySelectorAll('main *')].filter(element => {
    const style = getComputedStyle(element);
    const scrolls = element.scrollWidth > element.clientWidth;
    return ['auto', 'scroll'].includes(style.overflowX) && scrolls;
}).filter(element => !(element.tabIndex === 0 && element.getAttribute('role') === 'region'
    && (element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')))
).map(element => element.className)"""


NEXT_CITY_LEFT = (
    "document.querySelector('.matrix thead th:nth-child(3)').getBoundingClientRect().left"
)
REGION_RIGHT = "document.querySelector('.matrix-scroll').getBoundingClientRect().right"


@pytest.fixture
def site(live_server):
    from django.contrib.auth.tokens import default_token_generator
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils.http import urlsafe_base64_encode

    from cities.models import City, Consortium
    from kpis.models import Measurement, StageReview
    from tests.helpers import personas

    call_command("load_demo", "--no-accounts", "data/sern.yaml", stdout=io.StringIO())
    call_command("load_demo", "--no-accounts", "data/letsgov.yaml", stdout=io.StringIO())
    coordinator = personas.sern_coordinator("ravenna", password=PASSWORD)
    steering = personas.sern_steering(password=PASSWORD)
    # A stage awaiting the steering member's review, listed at the top of their page.
    StageReview.objects.update_or_create(
        consortium=Consortium.objects.get(slug="sern"),
        city=City.objects.get(slug="cervia"),
        stage="baseline",
        defaults={"state": StageReview.State.SUBMITTED, "changed_by": coordinator},
    )
    invited = personas.sern_partner()
    token = default_token_generator.make_token(invited)
    uid = urlsafe_base64_encode(str(invited.pk).encode())
    return {
        "coordinator": coordinator.username,
        "steering": steering.username,
        "measurement": Measurement.objects.filter(city__slug="ravenna").first().pk,
        "set_password": reverse("password_reset_confirm", args=[uid, token]),
    }


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def show_preview(page, base: str) -> None:
    """Ravenna's baseline template, downloaded as CSV, two figures typed in and one refused
    (a count with a decimal), uploaded: the preview."""
    text = page.request.get(f"{base}/cities/ravenna/report/baseline/template/csv/").text()
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["value"], rows[1]["value"], rows[2]["value"] = "7", "1,5", "3"
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    page.goto(base + UPLOAD)
    page.set_input_files(
        "input[type=file]",
        files=[
            {"name": "figures.csv", "mimeType": "text/csv", "buffer": stream.getvalue().encode()}
        ],
    )
    page.click(".import-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "it", "sv"])
def test_every_page_type_fits_a_phone_with_its_key_column_on_screen(
    live_server, site, new_page, language
):
    from django.contrib.auth import get_user_model

    from notices.models import Profile

    steering = get_user_model().objects.get(username=site["steering"])
    Profile.objects.update_or_create(user=steering, defaults={"language": language})
    problems, checked = [], 0
    # The narrowest phone (360 px) in Swedish, whose words run longest: the layout alone
    # (axe's findings do not depend on a width).
    widths = (390, 1280, 360) if language == "sv" else (390, 1280)
    for width in widths:
        pages = {}
        for who in (None, "coordinator", "steering"):
            page = new_page(width=width, language=language)
            cookie = OTHER_LANGUAGE[language] if who == "steering" else language
            page.context.add_cookies(
                [{"name": "django_language", "value": cookie, "url": live_server.url}]
            )
            if who:
                log_in(page, live_server.url, site[who])
            pages[who] = page
        for name, path, who, keys in PAGES:
            page = pages[who]
            if path is None:
                show_preview(page, live_server.url)
            else:
                page.goto(live_server.url + path.format(**site))
                page.wait_for_load_state()
            where = f"{name} {language} {width}px"
            assert page.evaluate("document.documentElement.lang") == language, where
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(f"{where}: the page scrolls sideways ({scroll_width} px)")
            for key in keys:
                seen = page.evaluate(ON_SCREEN, key)
                if seen != "ok":
                    problems.append(f"{where}: {key} {seen}")
            if name == "overview" and width < 640:
                # One city at a time: the second city starts where the region ends, not
                # half-way across it.
                seen = page.evaluate(NEXT_CITY_LEFT)
                if seen < page.evaluate(REGION_RIGHT) - 2:
                    problems.append(f"{where}: the second city shows beside the first ({seen})")
            for scroller in page.evaluate(UNNAMED_SCROLLERS):
                problems.append(f"{where}: .{scroller} scrolls but is no named, focusable region")
            if width == 360:
                checked += 1
                continue
            problems += [
                f"{where}: {violation}"
                for violation in axe_violations(page, best_practice=True)
                if violation["impact"] in ("serious", "critical")
                or violation["id"] == "landmark-unique"
            ]
            screenshot(page, f"phone-{name}-{language}-{width}")
            checked += 1
    assert checked == len(widths) * len(PAGES)
    assert not problems, "\n".join(problems)
