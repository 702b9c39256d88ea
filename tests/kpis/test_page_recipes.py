"""The recipes of the pages' keys and ETags (kpis.dashboards.versioned), pinned to values.

Every worker, and the next release during a rolling deploy, must find what another kept
and honour the ETags it gave: a page's ETag, its whole page's key, the key of the
definitions it reads and of a list's count depend on what they name only. Pinned, so a
change of a recipe (every kept page built again, every browser's copy downloaded again)
is made on purpose, here — as ``tests/changelog/test_kept.py`` pins the shared ``key``
and ``etag``. What each key must tell apart is tested through the pages
(test_readers_in_sequence.py, test_whole_page_kept.py).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import translation

from changelog import kept as keeping
from changelog.stamp import Stamp
from kpis.dashboards import versioned

pytestmark = pytest.mark.django_db

VERSION = Stamp(41, datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC))


@pytest.fixture
def request_at_41(settings, rf, monkeypatch):
    """A request of reader 7 for the deliverable, at version 41 of everything."""
    settings.SECRET_KEY = "a-fixed-secret-for-this-test-only-0123456789-abcdefghijklmnop"
    monkeypatch.setattr(versioned.versions, "newest_version", lambda: VERSION)
    monkeypatch.setattr(versioned.versions, "definitions_version", lambda: VERSION)
    request = rf.get("/consortia/sern/deliverable/")
    request.user = User(pk=7, username="reader-7")
    with translation.override("en"):
        yield request


def test_a_pages_etag_is_read_only_once_the_page_read_its_version(request_at_41):
    assert versioned.page_etag(request_at_41, "2026-03-02") is None
    request_at_41.data_version = VERSION
    assert versioned.page_etag(request_at_41) == PINNED["page etag"]
    assert versioned.page_etag(request_at_41, "2026-03-02") == PINNED["page etag, a day"]


def test_a_whole_pages_key_holds_the_newest_change_reader_language_address_and_facts(
    request_at_41,
):
    key = versioned.whole_page_key(request_at_41, "2026-03-02")
    assert key == "whole-page:41:" + PINNED["whole page, a day"]


def test_the_definitions_a_page_reads_are_kept_under_the_readers_consortia(request_at_41):
    """A reader of no consortium and a site admin ("all"): the key holds which."""
    built = versioned.kept_definitions("consortia", request_at_41, build=lambda: "as read")
    assert built == "as read"
    assert cache.get("defs:consortia:41:" + PINNED["definitions, no consortium"]) == "as read"
    admin = User(pk=8, username="admin-8", is_superuser=True, is_staff=True)
    request_at_41.user = admin
    assert versioned.readers_of(admin) == "all"
    key = versioned.definitions_key("consortia", request_at_41, versioned.readers_of(admin))
    assert key == "defs:consortia:41:" + PINNED["definitions, all"]


def test_a_lists_count_is_kept_under_its_name_question_and_version(django_assert_num_queries):
    from kpis.models import KPI

    with django_assert_num_queries(1):
        counted = keeping.count("kpis", KPI.objects.all(), question=("sern",), position=41)
    with django_assert_num_queries(0):
        assert keeping.count("kpis", KPI.objects.all(), question=("sern",), position=41) == 0
    assert counted == 0
    assert cache.get("icc-api-count:kpis:41:" + PINNED["count"]) == 0


PINNED = {
    "page etag": "f5546775249effc184143fa394dd40f6",
    "page etag, a day": "35e4c79353f8e478664a3cf8ab73e4f8",
    "whole page, a day": "b34bec729d2a6a6ea94f5ccbca982621",
    "definitions, no consortium": "1ad067f2b4a5889c01cf599f1051664a",
    "definitions, all": "32b9c30d8501563ed48148525439e17d",
    "count": "a614ad0e9b0a108b6abfcb3bde562435",
}
