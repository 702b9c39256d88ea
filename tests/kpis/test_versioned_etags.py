"""The versioned pages' HTTP promises: their ETag, Vary, 304s, messages, and what is kept.

No demo data here (a page with no consortium to show is one of the cases): a published
consortium with one figure, and an unpublished one only an administrator may read.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from changelog import kept as keeping
from tests.cities.factories import ConsortiumFactory, MembershipFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db

ETAG = re.compile(r'^"[0-9a-f]{32}"$')


@pytest.fixture
def published(db):
    consortium = ConsortiumFactory(name="Lantern Network", slug="lanterns")
    city = MembershipFactory(consortium=consortium).city
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=[city])
    kpi = KPIFactory(solution=solution, code="1.1", name="Lanterns lit")
    MeasurementFactory(kpi=kpi, city=city, value=Decimal("12"))
    return consortium


@pytest.fixture
def unpublished(db):
    return ConsortiumFactory(name="Hidden Harbour Network", slug="hidden", is_published=False)


def test_the_overview_with_no_consortium_to_show_has_no_etag(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "ETag" not in response


def test_a_page_etag_is_32_hex_digits_in_quotes_and_named_as_http_spells_it(client, published):
    response = client.get("/?consortium=lanterns")
    assert ETAG.match(response["ETag"])
    assert "ETag" in dict(response.items())  # the header's own spelling, as the API's


def test_a_page_varies_by_cookie_and_language(client, published):
    response = client.get("/?consortium=lanterns")
    vary = [part.strip() for part in response["Vary"].split(",")]
    assert "Cookie" in vary and "Accept-Language" in vary


def test_a_page_with_a_message_waiting_is_rendered_not_answered_304(client, published):
    etag = client.get("/?consortium=lanterns")["ETag"]
    assert client.get("/?consortium=lanterns", headers={"if-none-match": etag}).status_code == 304
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Figures saved")])

    response = client.get("/?consortium=lanterns", headers={"if-none-match": etag})

    assert response.status_code == 200
    assert "Figures saved" in response.content.decode()
    assert "ETag" not in response


def test_an_anonymous_visitor_and_the_first_user_never_share_an_etag(client, published):
    User = get_user_model()
    first = User.objects.filter(pk=1).first() or User.objects.create(pk=1, username="first")
    anonymous = client.get("/?consortium=lanterns")["ETag"]
    signed_in = Client()
    signed_in.force_login(first)
    assert signed_in.get("/?consortium=lanterns")["ETag"] != anonymous
    again = signed_in.get("/?consortium=lanterns", headers={"if-none-match": anonymous})
    assert again.status_code == 200


def test_the_list_of_consortia_kept_for_the_administrator_is_not_shown_to_a_visitor(
    client, published, unpublished, site_admin
):
    admin = Client()
    admin.force_login(site_admin)
    assert "Hidden Harbour Network" in admin.get("/?consortium=lanterns").content.decode()
    assert "Hidden Harbour Network" not in client.get("/?consortium=lanterns").content.decode()
    assert "Hidden Harbour Network" in admin.get("/?consortium=lanterns").content.decode()


def test_a_page_read_again_at_its_version_is_not_built_again(client, published):
    with CaptureQueriesContext(connection) as first:
        client.get("/?consortium=lanterns")
    with CaptureQueriesContext(connection) as again:
        body = client.get("/?consortium=lanterns").content.decode()
    assert "Lanterns lit" in body
    # Kept: the definitions' and the consortium's versions only, nothing of the matrix.
    assert len(again) <= 2 < len(first), [query["sql"] for query in again]


def test_a_kept_page_expires_after_the_configured_timeout_unread(client, published):
    before = time.time()
    client.get("/?consortium=lanterns")
    expiries = [expiry for key, expiry in cache._expire_info.items() if ":page:overview:" in key]
    assert expiries
    for expiry in expiries:
        assert before + keeping.TIMEOUT - 60 <= expiry <= time.time() + keeping.TIMEOUT
