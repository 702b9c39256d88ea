"""Who is signed in, their roles and their API token come from the shared cache, kept
under the definitions' version read with every other version in one query per request
(:mod:`changelog.versions`, :mod:`icc_portal.signed_in`, ``cities.access.roles_of``,
:mod:`icc_portal.api.authentication`); sessions from the cache, kept in the database.

Each test reads as a reader, changes who that reader is (a role, the account, the token)
the way the admin does, and reads again on the same cache, never cleared between the two
reads: what is shown must follow at once.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from changelog import kept, log, versions
from cities.models import City, CityCoordinator, SteeringCommitteeMember
from kpis.models import Measurement
from kpis.reporting import review
from tests.helpers.api import client_for
from tests.helpers.readers import body, read

pytestmark = pytest.mark.django_db

PAGE = "/kpis/sern/2.2/"
DRAFT = re.compile(r"4[,. \u202f\u00a0]?242")


@pytest.fixture
def draft(sern, sern_steering):
    """Ravenna's final stage reopened, its KPI 2.2 figure a draft 4242."""
    ravenna = City.objects.get(slug="ravenna")
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    figure.value = 4242
    figure.save()
    return figure


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def header(html: str) -> str:
    return html.split("</header>")[0]


def test_a_steering_seat_taken_away_hides_the_drafts_on_the_next_read(draft, sern_steering):
    client = signed_in(sern_steering)
    assert DRAFT.search(read(client, PAGE, "en"))

    SteeringCommitteeMember.objects.filter(user=sern_steering).delete()

    again = read(client, PAGE, "en")
    assert not DRAFT.search(again)
    assert "sern-steering" in header(again)  # still signed in, as a reader of approved figures


def test_a_city_given_to_a_user_shows_its_drafts_on_the_next_read(draft, sern_partner):
    client = signed_in(sern_partner)
    assert not DRAFT.search(read(client, PAGE, "en"))

    CityCoordinator.objects.create(user=sern_partner, city=City.objects.get(slug="ravenna"))

    assert DRAFT.search(read(client, PAGE, "en"))


def test_two_users_one_after_the_other_keep_their_own_roles(draft, sern_steering, sern_partner):
    steering, partner = signed_in(sern_steering), signed_in(sern_partner)
    for _ in range(2):
        assert DRAFT.search(read(steering, PAGE, "en"))
        assert not DRAFT.search(read(partner, PAGE, "en"))


def test_an_account_made_inactive_is_signed_out_on_its_next_request(sern, sern_partner):
    client = signed_in(sern_partner)
    assert "sern-partner" in header(read(client, PAGE, "en"))

    sern_partner.is_active = False
    sern_partner.save()

    again = header(read(client, PAGE, "en"))
    assert "sern-partner" not in again and "/accounts/login/" in again


def test_a_password_changed_elsewhere_signs_the_other_sessions_out(sern, sern_partner):
    client = signed_in(sern_partner)
    assert "sern-partner" in header(read(client, PAGE, "en"))

    sern_partner.set_password("a-new-one-2026")
    sern_partner.save()

    assert "sern-partner" not in header(read(client, PAGE, "en"))


def test_the_admin_link_goes_with_the_staff_flag(sern, site_admin):
    client = signed_in(site_admin)
    assert 'href="/admin/"' in header(read(client, PAGE, "en"))

    site_admin.is_staff = site_admin.is_superuser = False
    site_admin.save()

    assert 'href="/admin/"' not in header(read(client, PAGE, "en"))


def test_a_session_outlives_an_emptied_cache_and_a_log_out_reaches_the_cache(sern, sern_partner):
    client = signed_in(sern_partner)
    cookie = client.cookies["sessionid"].value
    assert "sern-partner" in header(read(client, PAGE, "en"))

    cache.clear()  # Redis restarted, or down: the database still holds the session
    assert "sern-partner" in header(read(client, PAGE, "en"))

    assert client.post("/accounts/logout/").status_code == 302
    replayed = Client()
    replayed.cookies["sessionid"] = cookie
    assert "sern-partner" not in header(read(replayed, PAGE, "en"))


def test_a_log_out_reaches_a_second_workers_memory(sern, sern_partner, settings):
    """Two workers, each keeping the cache in its own memory (no CACHE_URL, two worker
    processes): with the session engine the settings choose then, a cookie replayed on
    worker B after its reader logged out through worker A is signed out, though B read
    that session before. (Read from each worker's memory, B's copy signed it in again.)"""
    from tests.test_settings_state import read_settings

    settings.SESSION_ENGINE = read_settings(WEB_CONCURRENCY="2")["SESSION_ENGINE"]
    settings.CACHES = {
        **settings.CACHES,
        "worker-b": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "worker-b",
        },
    }

    def on_worker_b(client: Client) -> str:
        settings.SESSION_CACHE_ALIAS = "worker-b"
        try:
            return header(read(client, PAGE, "en"))
        finally:
            settings.SESSION_CACHE_ALIAS = "default"

    reader = signed_in(sern_partner)  # through worker A
    cookie = reader.cookies["sessionid"].value
    assert "sern-partner" in header(read(reader, PAGE, "en"))
    worker_b = Client()
    worker_b.cookies["sessionid"] = cookie
    assert "sern-partner" in on_worker_b(worker_b)

    assert reader.post("/accounts/logout/").status_code == 302  # through worker A
    replayed = Client()
    replayed.cookies["sessionid"] = cookie
    assert "sern-partner" not in on_worker_b(replayed)
    assert "sern-partner" not in header(read(replayed, PAGE, "en"))


def test_a_token_deleted_is_refused_on_its_next_request(sern, sern_partner):
    api = client_for(sern_partner)
    assert api.get("/api/v1/cities/").status_code == 200

    Token.objects.filter(user=sern_partner).delete()

    assert api.get("/api/v1/cities/").status_code == 401


@pytest.mark.parametrize(
    "url",
    ["/api/v1/health/", "/api/v1/measurements/?page_size=5", "/api/v1/progress/?consortium=sern"],
)
def test_a_token_read_again_costs_the_versions_query_alone(sern, sern_partner, url):
    """The token, its user, their limits and roles come from the cache the second time: the
    one query left is the request's versions (the change log), nothing of the token."""
    api = client_for(sern_partner)
    first = api.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = api.get(url)
    assert again.json() == first.json()
    sql = [query["sql"] for query in queries]
    assert len(sql) == 1, sql
    assert "changelog" in sql[0] and "authtoken" not in sql[0], sql


def test_a_token_of_an_account_made_inactive_is_refused(sern, sern_partner):
    api = client_for(sern_partner)
    assert api.get("/api/v1/cities/").status_code == 200

    sern_partner.is_active = False
    sern_partner.save()

    assert api.get("/api/v1/cities/").status_code == 401


def test_a_tokens_reader_changes_with_its_roles(draft, sern_partner):
    api = client_for(sern_partner)
    url = "/api/v1/measurements/?review_state=draft&city=ravenna"
    assert api.get(url).json()["count"] == 0  # drafts are not a partner's to see

    CityCoordinator.objects.create(user=sern_partner, city=City.objects.get(slug="ravenna"))

    drafts = Measurement.objects.filter(city__slug="ravenna", review_state="draft").count()
    assert drafts > 0 and api.get(url).json()["count"] == drafts


def test_the_session_user_and_the_token_are_kept_under_no_secret(sern, sern_partner):
    """The cache holds digests in its keys: neither a token nor a session key is a key."""
    client, api = signed_in(sern_partner), client_for(sern_partner)
    client.get(PAGE)
    api.get("/api/v1/cities/")
    token = Token.objects.get(user=sern_partner).key
    keys = " ".join(str(key) for key in getattr(cache, "_cache", {}))
    assert token not in keys


def test_what_a_request_builds_after_writing_the_log_is_not_kept(sern):
    current, token = versions.begin_request()
    try:
        position = versions.definitions_version().position
        assert kept.kept("before-writing", lambda: "built") == "built"
        assert cache.get("before-writing") == "built"
        with transaction.atomic():
            log.record_definition()
            assert versions.definitions_version().position > position  # read again
            assert kept.kept("after-writing", lambda: "uncommitted") == "uncommitted"
        assert cache.get("after-writing") is None
        assert current.wrote
    finally:
        versions.end_request(token)


def test_what_a_request_builds_together_after_writing_the_log_is_not_kept(sern):
    """``kept_many`` (the overview's parts) holds to the same rule as ``kept``."""

    def build(label):
        return lambda items: {item: f"{label} {item}" for item in items}

    before = {1: "many-before:1", 2: "many-before:2"}
    after = {1: "many-after:1", 2: "many-after:2"}
    current, token = versions.begin_request()
    try:
        assert kept.kept_many(before, build("built")) == {1: "built 1", 2: "built 2"}
        assert cache.get_many(list(before.values())) == {
            "many-before:1": "built 1",
            "many-before:2": "built 2",
        }
        with transaction.atomic():
            log.record_definition()
            assert kept.kept_many(after, build("uncommitted")) == {
                1: "uncommitted 1",
                2: "uncommitted 2",
            }
            # what was kept before the write is still read
            assert kept.kept_many({1: "many-before:1"}, build("again")) == {1: "built 1"}
        assert cache.get_many(list(after.values())) == {}
        assert current.wrote
    finally:
        versions.end_request(token)


def test_a_request_reads_every_version_in_one_query(sern, django_assert_num_queries):
    programme = sern.programme.slug
    current, token = versions.begin_request()
    try:
        with django_assert_num_queries(1):
            definitions = versions.definitions_version()
            sern_version = versions.consortium_version_by_slug("sern")
            assert versions.consortium_version(sern.pk) == sern_version
            assert versions.programme_version_by_slug(programme) == sern_version
            assert versions.consortia_version([sern.pk]) == sern_version
            assert versions.newest_version().position >= sern_version.position
        assert sern_version.position >= definitions.position
    finally:
        versions.end_request(token)


def test_the_request_versions_are_those_read_one_by_one(sern, draft):
    """The one query answers what the queries of one version each answer."""
    one_by_one = (
        versions.definitions_version(),
        versions.consortium_version(sern.pk),
        versions.consortium_version_by_slug("sern"),
        versions.consortium_version_by_slug("nowhere"),
        versions.programme_version_by_slug(sern.programme.slug),
    )
    _current, token = versions.begin_request()
    try:
        together = (
            versions.definitions_version(),
            versions.consortium_version(sern.pk),
            versions.consortium_version_by_slug("sern"),
            versions.consortium_version_by_slug("nowhere"),
            versions.programme_version_by_slug(sern.programme.slug),
        )
    finally:
        versions.end_request(token)
    assert together == one_by_one


def test_a_session_kept_in_the_cache_names_the_user(sern, sern_partner):
    client = signed_in(sern_partner)
    body(client.get(PAGE))
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore(client.cookies["sessionid"].value)
    assert session[SESSION_KEY] == str(sern_partner.pk)


def test_a_session_signed_in_before_the_upgrade_stays_signed_in(sern, sern_partner):
    """The migration points sessions that name Django's ModelBackend at the kept one."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    migration = import_module("cities.migrations.0007_sessions_signed_in_by_kept_user_backend")
    session = SessionStore()
    session[SESSION_KEY] = str(sern_partner.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = sern_partner.get_session_auth_hash()
    session.create()
    before = Client()
    before.cookies["sessionid"] = session.session_key
    assert "sern-partner" not in header(read(before, PAGE, "en"))  # a backend not listed

    migration.repoint(apps, SimpleNamespace(connection=connection))
    cache.clear()

    assert "sern-partner" in header(read(before, PAGE, "en"))
