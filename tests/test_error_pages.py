"""The pages people see when something fails: 400, 403, 404, 500 and a refused form (CSRF).

Each is in the site's layout (the 500 page in a standalone copy of its look), says what
happened and what to do, offers a way back, fits a phone, and speaks the visitor's
language. DEBUG is off, as in production. The URLs that fail on purpose are this
module's own (``urlpatterns`` below), not the project's.
"""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import translation

from icc_portal import errors
from icc_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401


def broken_page(request):
    raise RuntimeError("a bug in a page")


def forbidden_page(request):
    raise PermissionDenied("members only")


def unreadable_page(request):
    raise SuspiciousOperation("a request the portal cannot read")


urlpatterns = [
    path("test-broken-page/", broken_page),
    path("test-forbidden-page/", forbidden_page),
    path("test-unreadable-page/", unreadable_page),
    path("", include("icc_portal.urls")),
]

pytestmark = pytest.mark.urls(__name__)

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def quiet_client(client):
    """A client that gets the 500 page for a bug, as a browser would."""
    client.raise_request_exception = False
    return client


def assert_page(response, status: int, *texts: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="site-header"' in html
    assert "/static/css/portal.css" in html
    for text in texts:
        assert text in html, text
    return html


# ----------------------------------------------------------------- 404


@pytest.mark.django_db
def test_a_missing_page_is_the_styled_404(client):
    html = assert_page(
        client.get("/no/such/page/"),
        404,
        "We could not find this page",
        "There is no page at <code>/no/such/page/</code> that you can open.",
        "Check the address, or find what you are looking for from the overview.",
        'href="/">Go to the overview</a>',
    )
    assert 'href="/accounts/login/?next=/no/such/page/">Log in and try again</a>' in html
    assert "Error 404" in html
    assert "Back to the previous page" not in html  # no page to go back to


@pytest.mark.django_db
def test_the_404_links_back_to_the_page_the_visitor_came_from(client):
    response = client.get(
        "/no/such/page/", HTTP_REFERER="http://testserver/cities/ravenna/?stage=final"
    )
    assert 'href="/cities/ravenna/?stage=final">Back to the previous page</a>' in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_the_404_does_not_link_back_to_another_site(client):
    response = client.get("/no/such/page/", HTTP_REFERER="https://elsewhere.example/x/")
    html = response.content.decode()
    assert "elsewhere.example" not in html
    assert "Back to the previous page" not in html


@pytest.mark.django_db
def test_a_404_raised_by_a_view_is_the_styled_page(client):
    html = assert_page(client.get("/cities/atlantis/"), 404, "We could not find this page")
    assert "No City matches" not in html  # the developer's message stays out


@pytest.mark.django_db
def test_a_signed_in_visitor_is_not_asked_to_log_in_on_a_404(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ana"))
    html = assert_page(client.get("/no/such/page/"), 404, "We could not find this page")
    assert "Log in and try again" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "overview"),
    [
        ("it", "Non troviamo questa pagina", "Vai alla panoramica"),
        ("sv", "Vi hittar inte den här sidan", "Till översikten"),
    ],
)
def test_the_404_speaks_the_visitors_language(client, language, heading, overview):
    html = assert_page(
        client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language), 404, heading, overview
    )
    assert f'lang="{language}"' in html


# ----------------------------------------------------------------- 403


def test_a_coordinator_opening_another_citys_grid_gets_the_styled_403(client, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    html = assert_page(
        client.get("/cities/cervia/report/final/"),
        403,
        "You may not open this page",
        "You are logged in as coord-ravenna",
        "ask your consortium’s administrator",
        'href="/">Go to the overview</a>',
    )
    assert "Log in and try again" not in html


@pytest.mark.django_db
def test_an_anonymous_visitor_refused_a_page_is_offered_the_login(client):
    assert_page(
        client.get("/test-forbidden-page/"),
        403,
        "You may not open this page",
        "Log in with your account to open it.",
        'href="/accounts/login/?next=/test-forbidden-page/">Log in and try again</a>',
    )


@pytest.mark.django_db
def test_the_403_speaks_swedish(client):
    assert_page(
        client.get("/test-forbidden-page/", HTTP_ACCEPT_LANGUAGE="sv"),
        403,
        "Du kan inte öppna den här sidan",
    )


# ----------------------------------------------------------------- 400 and CSRF


@pytest.mark.django_db
def test_a_request_the_portal_cannot_read_is_the_styled_400(client):
    assert_page(
        client.get("/test-unreadable-page/"),
        400,
        "The portal could not read this request",
        "Go back, reload the page and try again.",
    )


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_styled_page(django_user_model):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "ana", "password": "x"})
    html = assert_page(
        response,
        403,
        "Your form could not be sent",
        "Nothing was saved. Go back, reload the page, and send the form again.",
    )
    assert "CSRF cookie not set" not in html  # Django's reason is for developers


@pytest.mark.django_db
def test_the_csrf_page_speaks_italian():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="it")
    response = client.post("/accounts/login/", {"username": "ana"})
    assert_page(response, 403, "Il modulo non è stato inviato")


@pytest.mark.django_db
def test_the_csrf_page_leads_back_to_the_form():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/?next=/report/",
        {"username": "ana"},
        HTTP_REFERER="http://testserver/accounts/login/?next=/report/",
    )
    assert 'href="/accounts/login/?next=/report/">Back to the previous page</a>' in (
        response.content.decode()
    )


# ----------------------------------------------------------------- 500


@pytest.mark.django_db
def test_a_bug_in_a_page_is_the_styled_500(quiet_client):
    response = quiet_client.get("/test-broken-page/")
    html = assert_page(
        response,
        500,
        "Something went wrong on our side",
        "It is not your fault, and the error has been recorded.",
        'href="/">Go to the overview</a>',
        'lang="en"',
    )
    assert "RuntimeError" not in html
    # Every request has an id (icc_portal.request_log): the page names it for the report.
    assert f"Mention this reference: <code>{response['X-Request-ID']}</code>." in html


@pytest.mark.django_db
def test_the_500_page_shows_the_request_id(quiet_client):
    response = quiet_client.get("/test-broken-page/", HTTP_X_REQUEST_ID="req-42ab")
    assert_page(response, 500, "Mention this reference: <code>req-42ab</code>.")


@pytest.mark.django_db
def test_the_500_page_speaks_italian(quiet_client):
    response = quiet_client.get("/test-broken-page/", HTTP_ACCEPT_LANGUAGE="it")
    assert_page(response, 500, "Qualcosa non ha funzionato da parte nostra", 'lang="it"')


def test_the_500_page_needs_no_database_session_or_user():
    """No ``django_db`` mark: a query would fail the test. The request has no user."""
    request = RequestFactory().get("/cities/ravenna/")
    with translation.override("en"):  # no LocaleMiddleware here to choose it
        response = errors.server_error(request)
    assert_page(response, 500, "Something went wrong on our side")


def test_when_the_500_template_fails_a_plain_page_is_sent(monkeypatch):
    def broken_template(name):
        raise OSError("templates are gone")

    monkeypatch.setattr(errors.loader, "get_template", broken_template)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert VIEWPORT in response.content.decode()
