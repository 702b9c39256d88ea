"""Whole pages kept: the frame (``base.html``: menus, the reader's name, the language form,
the print footer) with the kept body, under the newest change of all, the reader, the
language and the address, served before the view runs (``versioned.served_whole_page``).

Read as several readers one after the other on one cache, never cleared between reads;
each read is compared with what that reader must be shown. The request's own pieces (the
CSRF token of its forms, the print time) are filled in for each request.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import messages
from django.test import Client

from kpis.dashboards import versioned
from tests.helpers.readers import read

pytestmark = pytest.mark.django_db

PAGES = [
    "/?consortium=sern",
    "/cities/ravenna/",
    "/solutions/sern/2/?stage=final",
    "/kpis/sern/2.2/",
    "/programmes/icc/",
]


def signed_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def header(response_or_html) -> str:
    html = getattr(response_or_html, "content", response_or_html)
    html = html.decode() if isinstance(html, bytes) else html
    return html.split("</header>")[0]


def token_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


@pytest.mark.parametrize("url", PAGES)
def test_each_reader_in_turn_sees_their_own_name_and_menus(
    url, sern, sern_steering, sern_coordinator_ravenna, sern_partner
):
    readers = {
        "sern-steering": signed_in(sern_steering),
        "sern-coord-ravenna": signed_in(sern_coordinator_ravenna),
        "sern-partner": signed_in(sern_partner),
        "": Client(),
    }
    for _ in range(2):  # the second round is read from what the first kept
        for name, client in readers.items():
            top = header(read(client, url, "en"))
            others = [other for other in readers if other and other != name]
            assert all(other not in top for other in others), (name, top)
            if name:
                assert name in top
            else:
                assert "/accounts/login/" in top
            reporting = "My reporting" in top
            assert reporting == (name in ("sern-coord-ravenna", "sern-steering")), (name, top)


@pytest.mark.parametrize("url", PAGES)
def test_english_then_italian_then_swedish_frames(url, sern, sern_partner):
    client = signed_in(sern_partner)
    for _ in range(2):
        assert 'lang="en"' in read(client, url, "en")
        italian = read(client, url, "it")
        assert 'lang="it"' in italian and ">Esci<" in header(italian)
        swedish = read(client, url, "sv")
        assert 'lang="sv"' in swedish and ">Logga ut<" in header(swedish)


def test_the_language_form_of_a_kept_page_works_for_the_next_browser(sern):
    first = Client(enforce_csrf_checks=True)
    assert first.get("/kpis/sern/2.2/").status_code == 200
    second = Client(enforce_csrf_checks=True)
    page = second.get("/kpis/sern/2.2/")
    token = token_of(page)
    assert token != token_of(first.get("/kpis/sern/2.2/"))
    answer = second.post(
        "/i18n/setlang/",
        {"language": "it", "next": "/kpis/sern/2.2/", "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302
    assert second.cookies["django_language"].value == "it"


def test_the_log_out_form_of_a_kept_page_signs_its_reader_out(sern, sern_partner):
    other = signed_in(sern_partner, enforce_csrf_checks=True)
    other.get("/cities/ravenna/")  # kept for this reader
    client = signed_in(sern_partner, enforce_csrf_checks=True)
    token = token_of(client.get("/cities/ravenna/"))
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "sern-partner" not in header(client.get("/cities/ravenna/"))


def test_the_print_footer_says_when_each_read_was_printed(sern, monkeypatch):
    footer = re.compile(r'<p class="print-only print-source">([^<]*)</p>')

    class Clock(datetime.datetime):
        now_is = datetime.datetime(2026, 12, 7, 9, 15, tzinfo=datetime.UTC)

        @classmethod
        def now(cls, tz=None):
            return cls.now_is.astimezone(tz)

    monkeypatch.setattr(versioned, "datetime", Clock)
    client = Client()
    client.get("/kpis/sern/2.2/")  # rendered and kept
    first = footer.search(client.get("/kpis/sern/2.2/").content.decode())[1]
    Clock.now_is += datetime.timedelta(hours=2)
    later = footer.search(client.get("/kpis/sern/2.2/").content.decode())[1]
    # Europe/Rome's time, in the language's own format (DATETIME_FORMAT)
    address = "http://127.0.0.1:8000/kpis/sern/2.2/"
    assert first == f"Printed on 7 December 2026, 10:15 from {address} (ICC Portal)."
    assert later == f"Printed on 7 December 2026, 12:15 from {address} (ICC Portal)."


def test_a_message_waiting_is_shown_once_and_not_kept(sern, sern_partner, rf):
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    client = signed_in(sern_partner)
    client.get("/kpis/sern/2.2/")  # kept without a message
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(messages.SUCCESS, "Figures saved.")])

    assert "Figures saved." in client.get("/kpis/sern/2.2/").content.decode()
    assert "Figures saved." not in client.get("/kpis/sern/2.2/").content.decode()
    client.cookies["messages"] = storage._encode([Message(messages.SUCCESS, "Figures saved.")])
    assert "Figures saved." in client.get("/kpis/sern/2.2/").content.decode()  # not kept


def test_a_renamed_reader_sees_their_new_name(sern, sern_partner):
    client = signed_in(sern_partner)
    assert "sern-partner" in header(client.get("/cities/ravenna/"))
    sern_partner.username = "sern-partner-renamed"
    sern_partner.save()
    assert "sern-partner-renamed" in header(client.get("/cities/ravenna/"))


@pytest.mark.parametrize("url", PAGES)
def test_two_readers_of_one_class_see_their_own_names(url, sern, sern_partner):
    """Two partners see the same figures and menus (one kept body): not the same name."""
    from tests.helpers import personas

    second = personas.partner("sern-partner-two", sern, password=None)
    first_client, second_client = signed_in(sern_partner), signed_in(second)
    for _ in range(2):
        assert "sern-partner-two" not in header(read(first_client, url, "en"))
        assert "sern-partner-two" in header(read(second_client, url, "en"))


@pytest.mark.parametrize("url", ["/?consortium=sern", "/cities/ravenna/"])
def test_a_page_built_after_the_request_wrote_the_log_is_not_kept(url, sern, rf):
    """No GET page writes the log today; one that did would hold rows of its own
    transaction, which no other reader may be served. The page is built and shown, but
    neither it whole nor its parts are kept; the same request without the write keeps it."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from django.db import transaction
    from django.urls import resolve

    from changelog import log, versions

    def served(write: bool):
        request = rf.get(url)
        request.user = AnonymousUser()
        current, token = versions.begin_request()
        try:
            with transaction.atomic():
                if write:
                    log.record_definition()
                match = resolve(request.path)
                response = match.func(request, *match.args, **match.kwargs).render()
            assert current.wrote is write
            return response, cache.get(versioned.whole_page_key(request))
        finally:
            versions.end_request(token)

    cache.clear()
    response, whole = served(write=True)
    assert "SERN" in response.content.decode() and whole is None
    assert not [key for key in getattr(cache, "_cache", {}) if ":page:" in key]  # no part

    response, whole = served(write=False)
    html, _etag = whole
    assert versioned.CSRF_HOLE in html and versioned.CSRF_HOLE not in response.content.decode()
    assert [key for key in getattr(cache, "_cache", {}) if ":page:" in key]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_served_whole_keeps_its_etag_vary_and_304(
    url, sern, sern_partner, django_assert_max_num_queries
):
    client = signed_in(sern_partner)
    built = client.get(url)
    assert built.status_code == 200 and built["ETag"]
    # From the kept whole page, before the view runs: one query (the newest change; the
    # session and its reader come from the cache), nothing of the page's own.
    with django_assert_max_num_queries(1):
        served = client.get(url)
    assert served.status_code == 200
    assert served["ETag"] == built["ETag"]
    assert {"Cookie", "Accept-Language"} <= {part.strip() for part in served["Vary"].split(",")}
    assert client.get(url, HTTP_IF_NONE_MATCH=built["ETag"]).status_code == 304


def test_a_page_that_is_no_200_is_never_kept_whole(sern, sern_partner):
    client = signed_in(sern_partner)
    assert client.get("/kpis/sern/9.9/").status_code == 404
    assert client.get("/kpis/sern/9.9/").status_code == 404
    assert client.get("/cities/atlantis/").status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_a_browser_revalidating_with_a_worker_that_keeps_nothing_yet_gets_its_304(
    url, sern, sern_partner
):
    # Another worker without a shared cache, or Redis emptied: the page is built again,
    # and the ETag the browser holds, still current, answers 304 all the same.
    from django.core.cache import cache

    client = signed_in(sern_partner)
    held = client.get(url)["ETag"]
    cache.clear()
    again = client.get(url, HTTP_IF_NONE_MATCH=held)
    assert again.status_code == 304
    assert again["ETag"] == held


def test_a_whole_page_is_kept_for_the_versioned_timeout_not_the_caches_default(
    sern, cache_clock, django_assert_max_num_queries
):
    """Unread for most of ``VERSIONED_CACHE_TIMEOUT`` (an hour by default), the page is
    still served whole; the cache's own default (five minutes) would have let it go."""
    from changelog import kept as keeping

    client = Client()
    built = client.get("/kpis/sern/2.2/")
    cache_clock[0] = keeping.TIMEOUT - 60
    with django_assert_max_num_queries(1):
        served = client.get("/kpis/sern/2.2/")
    assert (served.status_code, served["ETag"]) == (200, built["ETag"])


def test_the_deliverable_read_the_next_day_is_dated_that_day(sern, sern_steering, monkeypatch):
    """The deliverable page is dated ("Figures as they stand on …"): its whole page and its
    ETag hold the day (``page_facts``). At the same data the next day, neither yesterday's
    page nor a 304 to yesterday's copy is served, on the same cache."""
    from django.utils import timezone

    url = "/consortia/sern/deliverable/"
    today = [datetime.datetime(2026, 3, 2, 11, 0, tzinfo=datetime.UTC)]
    monkeypatch.setattr(timezone, "now", lambda: today[0])
    client = signed_in(sern_steering)
    first = client.get(url)
    assert "Figures as they stand on 2 March 2026." in first.content.decode()
    assert "Figures as they stand on 2 March 2026." in client.get(url).content.decode()

    today[0] += datetime.timedelta(days=1)
    revalidated = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 200
    assert revalidated["ETag"] != first["ETag"]
    assert "Figures as they stand on 3 March 2026." in revalidated.content.decode()
    again = client.get(url)  # now kept whole for the new day
    assert "Figures as they stand on 3 March 2026." in again.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_the_deliverable_read_again_the_same_day_is_served_whole(
    sern, sern_steering, django_assert_max_num_queries
):
    """A page with facts of its own (the deliverable's day) is kept and found under the
    same key: read again, it costs the request's versions alone."""
    client = signed_in(sern_steering)
    built = client.get("/consortia/sern/deliverable/")
    with django_assert_max_num_queries(1):
        served = client.get("/consortia/sern/deliverable/")
    assert (served.status_code, served["ETag"]) == (200, built["ETag"])
    assert "Figures as they stand on" in served.content.decode()
