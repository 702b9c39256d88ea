"""The client of `make smoke` (.ci/smoke): every page type of a running server, as people see it.

    python .ci/smoke.py http://127.0.0.1:PORT       (password of the accounts: SMOKE_PASSWORD)

Logs in through the real login form (with its CSRF token) as a coordinator of Ravenna,
a SERN steering committee member and an admin (accounts from .ci/smoke_setup.py), and
fetches each page as them and as an anonymous visitor: every page must answer as
expected (200, or the redirect to the login page), carry the security headers, and
every script, style sheet and image it references must be served by the portal itself
under a content-hashed name. Prints one line per URL; exits 1 on the first run through
that found anything wrong, listing it all.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

# Every response must carry these, with these values (None: any value).
REQUIRED_HEADERS: dict[str, str | None] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Request-ID": None,
    "Content-Security-Policy": None,
    "Permissions-Policy": None,
}
# Checked for a value when present, not required.
OPTIONAL_HEADERS: tuple[str, ...] = ()
# Static files are not framed documents: X-Frame-Options does not apply to them.
STATIC_EXEMPT = {"X-Frame-Options"}
# A collected file's name carries its content hash: chart.umd.4f3c2a1b9e0d.js
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")

ANONYMOUS, COORDINATOR, STEERING, ADMIN = "anonymous", "coordinator", "steering", "admin"
USERNAMES = {COORDINATOR: "smoke-coordinator", STEERING: "smoke-steering", ADMIN: "smoke-admin"}
PERSONAS = (ANONYMOUS, COORDINATOR, STEERING, ADMIN)
LOGIN = "/accounts/login/"


@dataclass(frozen=True)
class Page:
    path: str
    text: str  # what the page must say
    # persona -> expected status; 302 always means "to the login page"
    expect: dict[str, int] = field(default_factory=dict)
    portal: bool = True  # a portal page (header with the user's name), not admin or docs

    def status_for(self, persona: str) -> int:
        return self.expect.get(persona, 200)


PAGES = (
    Page("/", "SERN"),
    Page("/cities/ravenna/", "Ravenna"),
    Page("/solutions/sern/1/", "SERN"),
    Page("/kpis/sern/2.2/", "2.2"),
    Page("/roadmap/", "SERN"),
    Page("/programmes/icc/", "Compared across consortia"),
    Page("/api/v1/programmes/icc/", '"consortia"', portal=False),
    Page("/cities/ravenna/report/final/", "Ravenna", {ANONYMOUS: 302}),
    # Spreadsheets in, deliverables out (kpis/exchange): the upload page, the deliverable
    # page, and a download (a workbook: a zip whose index names xl/workbook.xml).
    Page("/cities/ravenna/report/final/import/", "Show the preview", {ANONYMOUS: 302}),
    Page("/consortia/sern/deliverable/", "Lessons learned"),
    Page("/consortia/sern/matrix/xlsx/?stage=final", "xl/workbook.xml", portal=False),
    # Open data (opendata): the page, the catalogue in Turtle and JSON-LD, a dataset's file.
    Page("/open-data/", "sern-final"),
    Page("/open-data/sern/catalog.ttl", "dcat:Dataset", portal=False),
    Page("/open-data/sern/catalog.jsonld", '"@graph"', portal=False),
    Page("/open-data/sern/final.csv", "solution,kpi_code,", portal=False),
    Page(LOGIN, 'name="csrfmiddlewaretoken"'),
    Page("/accounts/api-token/", "/api/v1/", {ANONYMOUS: 302}),
    Page("/accounts/profile/", 'name="receives_notices"', {ANONYMOUS: 302}),
    Page("/report/", "/report/", {ANONYMOUS: 302}),
    Page("/admin/login/", "csrfmiddlewaretoken", {ADMIN: 302}, portal=False),
    Page(
        "/admin/",
        "Consortium administration",
        {ANONYMOUS: 302, COORDINATOR: 302, STEERING: 302},
        portal=False,
    ),
    Page("/api/docs/", "swagger-ui", portal=False),
    Page("/api/schema/", "openapi", portal=False),
    # The browsable API: Django REST framework's own page and static files.
    Page("/api/v1/measurements/?format=api", "Measurement", portal=False),
    Page("/api/v1/changes/?page_size=5", '"has_more"', portal=False),
    Page("/api/v1/measurements.csv?stage=final", "id,consortium,", portal=False),
    Page("/api/v1/health/", '"status":"ok"', portal=False),
    Page("/api/v1/health/?deep=1", '"database":"ok"', portal=False),
    Page("/no-such-page/", "", {persona: 404 for persona in PERSONAS}, portal=False),
)


class References(HTMLParser):
    """The files a page loads: src of script and img, href of link."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = {"script": "src", "img": "src", "link": "href"}.get(tag)
        if name and attributes.get(name):
            if tag == "link" and attributes.get("rel") in {"alternate", "canonical"}:
                return
            self.urls.append(attributes[name])


class CsrfToken(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.value = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "csrfmiddlewaretoken":
            self.value = attributes.get("value") or ""


class Smoke:
    def __init__(self, base: str, password: str) -> None:
        self.base = base.rstrip("/")
        self.password = password
        self.problems: list[str] = []
        self.static_seen: dict[str, int] = {}
        self.count = 0
        self.optional_seen = dict.fromkeys(OPTIONAL_HEADERS, 0)

    # ----------------------------------------------------------------- reporting

    def report(self, persona: str, path: str, response: requests.Response, problems: list[str]):
        self.count += 1
        where = response.headers.get("Location", "")
        line = f"{response.status_code} {persona:<11} {path}"
        if where:
            line += f" -> {where}"
        print(line + ("" if not problems else "   FAILED: " + "; ".join(problems)), flush=True)
        self.problems += [f"{persona} {path}: {problem}" for problem in problems]

    def header_problems(self, response: requests.Response, *, static: bool = False) -> list[str]:
        problems = []
        for name, value in REQUIRED_HEADERS.items():
            if static and name in STATIC_EXEMPT:
                continue
            if name not in response.headers:
                problems.append(f"no {name} header")
            elif value is not None and response.headers[name] != value:
                problems.append(f"{name}: {response.headers[name]!r}, expected {value!r}")
        policy = response.headers.get("Content-Security-Policy", "")
        for directive in policy.split(";"):
            if directive.split()[:1] == ["script-src"] and "'unsafe-inline'" in directive:
                problems.append("the Content-Security-Policy lets inline scripts run")
        for name in OPTIONAL_HEADERS:
            if name in response.headers:
                self.optional_seen[name] += 1
                if not response.headers[name].strip():
                    problems.append(f"empty {name} header")
        return problems

    # ----------------------------------------------------------------- steps

    def wait_until_up(self, seconds: float = 180) -> None:
        """Until the health check answers; not past the server's end (SMOKE_SERVER_PID)."""
        deadline = time.monotonic() + seconds
        server_pid = int(os.environ.get("SMOKE_SERVER_PID") or 0)
        while time.monotonic() < deadline:
            if server_pid:
                try:
                    os.kill(server_pid, 0)
                except ProcessLookupError:
                    raise SystemExit("smoke: the server stopped before it answered") from None
            try:
                if requests.get(f"{self.base}/api/v1/health/", timeout=5).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or a cold worker slower than 5 s on a loaded machine
            time.sleep(0.3)
        raise SystemExit(f"smoke: the server at {self.base} did not answer in {seconds:.0f} s")

    def log_in(self, persona: str) -> requests.Session:
        session = requests.Session()
        if persona == ANONYMOUS:
            return session
        form = session.get(self.base + LOGIN, timeout=30)
        token = CsrfToken()
        token.feed(form.text)
        response = session.post(
            self.base + LOGIN,
            data={
                "username": USERNAMES[persona],
                "password": self.password,
                "csrfmiddlewaretoken": token.value,
            },
            headers={"Referer": self.base + LOGIN},
            allow_redirects=False,
            timeout=30,
        )
        problems = []
        if response.status_code != 302:
            problems.append("the login form did not accept the account")
        if "sessionid" not in session.cookies:
            problems.append("no session cookie after logging in")
        self.report(persona, f"POST {LOGIN} (log in)", response, problems)
        return session

    def fetch_page(self, session: requests.Session, persona: str, page: Page) -> None:
        response = session.get(self.base + page.path, allow_redirects=False, timeout=60)
        expected = page.status_for(persona)
        problems = self.header_problems(response)
        if response.status_code != expected:
            problems.append(f"expected {expected}")
        elif expected == 302 and not response.headers.get("Location", "").startswith(
            LOGIN if not page.path.startswith("/admin/") else "/admin/"
        ):
            problems.append("does not redirect to the login page")
        elif expected == 200:
            if page.text not in response.text:
                problems.append(f"does not say {page.text!r}")
            if page.portal and persona != ANONYMOUS and USERNAMES[persona] not in response.text:
                problems.append("does not show who is signed in")
        self.report(persona, page.path, response, problems)
        if response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
            references = References()
            references.feed(response.text)
            for url in references.urls:
                self.fetch_reference(session, persona, page.path, url)

    def fetch_reference(self, session: requests.Session, persona: str, page: str, url: str):
        absolute = urljoin(self.base + page, url)
        if urlsplit(absolute).netloc != urlsplit(self.base).netloc:
            self.problems.append(f"{persona} {page}: loads {url} from another site")
            print(f"--- {persona:<11} {url}   FAILED: not served by the portal", flush=True)
            return
        path = urlsplit(absolute).path
        if path in self.static_seen:
            return
        response = session.get(absolute, timeout=60)
        self.static_seen[path] = response.status_code
        problems = self.header_problems(response, static=True)
        if response.status_code != 200:
            problems.append("expected 200")
        if not response.content:
            problems.append("empty")
        if path.startswith("/static/"):
            if not HASHED_NAME.search(path):
                problems.append("not a content-hashed name (manifest storage off?)")
            if "immutable" not in response.headers.get("Cache-Control", ""):
                problems.append("not cached as immutable")
        self.report(persona, path, response, problems)

    def run(self) -> int:
        started = time.monotonic()
        self.wait_until_up()
        print(f"smoke: the server answered after {time.monotonic() - started:.1f} s", flush=True)
        started = time.monotonic()
        for persona in PERSONAS:
            session = self.log_in(persona)
            for page in PAGES:
                self.fetch_page(session, persona, page)
        seconds = time.monotonic() - started
        print(
            f"smoke: {self.count} URLs fetched ({len(self.static_seen)} static files) "
            f"in {seconds:.1f} s; {len(self.problems)} problem(s)"
        )
        if self.optional_seen:
            print(
                "smoke: optional headers present on "
                + ", ".join(
                    f"{name} {seen} of {self.count}" for name, seen in self.optional_seen.items()
                )
            )
        for problem in self.problems:
            print(f"  {problem}")
        return 1 if self.problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(Smoke(sys.argv[1], os.environ["SMOKE_PASSWORD"]).run())
