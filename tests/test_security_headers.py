"""Every page says what may run on it (Content-Security-Policy) and what it may ask for.

The policy allows this site's own files only: no inline script anywhere, no inline
style except on DRF's browsable API. So the pages themselves must carry none: chart
data travels in ``json_script`` blocks, the roadmap's timeline is drawn with SVG
attributes, the API docs load their start-up script from ``/api/docs/?script``.
A browser check (headless Chromium, console listened to) found no violation on the
overview, a KPI page with its chart, the entry grid and the API docs; these tests keep
the pages in the shape that made that true.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
PERMISSIONS = {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"}

PUBLIC_PAGES = [
    "/",
    "/cities/ravenna/",
    "/solutions/sern/1/",
    "/kpis/sern/2.2/",
    "/roadmap/",
    "/accounts/login/",
    "/admin/login/",
    "/api/docs/",
]


def policy_of(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def assert_protected(response) -> None:
    assert policy_of(response) == POLICY
    assert set(response["Permissions-Policy"].split(", ")) == PERMISSIONS
    # The headers the site already sent stay.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def assert_nothing_inline(html: str) -> None:
    """No inline script or style that the policy would refuse (the browser would too)."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    assert "javascript:" not in html


@pytest.fixture
def coordinator(sern_coordinator_ravenna):
    """SERN's coordinator of Ravenna, signed in: sees its entry grid."""
    client = Client()
    client.force_login(sern_coordinator_ravenna)
    return client


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_type_sends_the_policy_and_carries_nothing_inline(client, sern, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_protected(response)
    assert_nothing_inline(response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "/cities/ravenna/report/final/",
        "/cities/ravenna/report/midway/missing/",
        "/cities/ravenna/changes/",
        "/accounts/api-token/",
    ],
)
def test_signed_in_pages_send_the_policy_and_carry_nothing_inline(coordinator, url):
    response = coordinator.get(url)
    assert response.status_code == 200
    assert_protected(response)
    assert_nothing_inline(response.content.decode())


def test_the_kpi_chart_reads_its_data_from_a_json_block(client, sern):
    html = client.get("/kpis/sern/2.2/").content.decode()
    assert '<script id="kpi-chart-data" type="application/json">' in html
    assert re.search(r'<script src="/static/js/kpi-chart\.js"', html)


def test_the_roadmap_timeline_is_drawn_without_inline_styles(client, sern):
    html = client.get("/roadmap/", {"consortium": "sern"}).content.decode()
    timeline = html[html.index('<svg class="timeline"') : html.index("</svg>")]
    assert timeline.count('class="timeline-phase ') == 4
    assert re.search(r'<rect class="timeline-phase phase-1" x="0\.00%" width="[0-9.]+%"', timeline)


def test_the_api_docs_load_their_script_from_the_app(client, db):
    html = client.get("/api/docs/").content.decode()
    match = re.search(r'<script src="(/api/docs/\?script=[^"]*)"></script>', html)
    assert match, html
    script = client.get(match.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert '"/api/schema/"' in script.content.decode()


def test_the_admin_sends_the_policy(client, sern, site_admin):
    client.force_login(site_admin)
    for url in ["/admin/", "/admin/kpis/measurement/", "/admin/kpis/kpi/add/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response)


def test_the_browsable_api_alone_allows_inline_styles_never_scripts(client, sern):
    page = client.get("/api/v1/cities/", HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    policy = policy_of(page)
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["script-src"] == {"'self'"}
    assert_protected(client.get("/api/v1/cities/", HTTP_ACCEPT="application/json"))


def test_a_refused_request_gets_the_headers_too(client, db):
    response = client.get("/", HTTP_HOST="not-this-site.example")
    assert response.status_code == 400
    assert policy_of(response) == POLICY  # frame-ancestors 'none' stands in for X-Frame-Options
    assert set(response["Permissions-Policy"].split(", ")) == PERMISSIONS
