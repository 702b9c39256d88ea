"""Redis unreachable: the portal answers from the database, slower but the same.

The cache is configured as ``CACHE_URL=redis://127.0.0.1:1/0`` configures it (port 1:
nothing listens there), and every page type and every API list and detail is fetched
as an anonymous visitor, a coordinator, a steering committee member and an admin:
each must answer 200, with the status (and for JSON the body) it gives with a working
cache. The throttles let requests through, the deep health check says 503, and the
outage is logged once per pause, not once per request.
"""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from icc_portal import cache as forgiving
from icc_portal.settings import CACHES, cache_from_url
from kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
ANONYMOUS, COORDINATOR, STEERING, ADMIN = "anonymous", "coordinator", "steering", "admin"


def dead_cache():
    settings = {**cache_from_url("CACHE_URL", DEAD_REDIS), "KEY_PREFIX": "icc-outage-test"}
    return override_settings(CACHES={**CACHES, "default": settings})


@pytest.fixture(autouse=True)
def _no_outage_remembered():
    forgiving.OUTAGE.down_until.clear()
    yield
    forgiving.OUTAGE.down_until.clear()


def page_paths(sern) -> list[tuple[str, str]]:
    """(persona, path): every page type, as a persona who may see it."""
    kpi = KPI.objects.filter(solution__consortium=sern, code="2.2").get()
    figure = Measurement.objects.filter(city__slug="ravenna").order_by("pk").first()
    public = [
        "/",
        "/cities/ravenna/",
        "/solutions/sern/1/",
        "/kpis/sern/2.2/",
        f"/kpis/{kpi.pk}/",
        "/roadmap/",
        "/consortia/sern/deliverable/",
        "/consortia/sern/matrix/xlsx/?stage=final",
        "/cities/ravenna/maturity/xlsx/",
        "/consortia/sern/maturity/xlsx/",
        "/accounts/login/",
        "/api/docs/",
        "/api/schema/",
    ]
    coordinator = [
        "/",
        "/cities/ravenna/",
        "/report/",
        "/cities/ravenna/report/final/",
        "/cities/ravenna/report/final/missing/",
        "/cities/ravenna/report/final/import/",
        "/cities/ravenna/report/final/template/xlsx/",
        "/cities/ravenna/changes/",
        f"/measurements/{figure.pk}/history/",
        "/accounts/profile/",
        "/accounts/api-token/",
    ]
    steering = [
        "/",
        "/kpis/sern/2.2/",
        "/consortia/sern/report/final/",
        "/consortia/sern/report/final/missing/",
        "/consortia/sern/changes/",
        "/consortia/sern/deliverable/docx/",
    ]
    admin = ["/admin/", "/admin/kpis/measurement/", "/api/docs/"]
    return (
        [(ANONYMOUS, path) for path in public]
        + [(COORDINATOR, path) for path in coordinator]
        + [(STEERING, path) for path in steering]
        + [(ADMIN, path) for path in admin]
    )


def api_paths(sern) -> list[str]:
    figure = Measurement.objects.filter(city__slug="ravenna").order_by("pk").first()
    kpi = KPI.objects.filter(solution__consortium=sern).order_by("pk").first()
    return [
        "/api/v1/",
        "/api/v1/health/",
        "/api/v1/programmes/",
        "/api/v1/programmes/icc/",
        "/api/v1/consortia/",
        "/api/v1/consortia/sern/",
        "/api/v1/cities/",
        "/api/v1/cities/ravenna/",
        "/api/v1/solutions/",
        "/api/v1/activities/",
        "/api/v1/kpis/",
        f"/api/v1/kpis/{kpi.pk}/",
        "/api/v1/measurements/",
        "/api/v1/measurements/?stage=final&ordering=-id",
        f"/api/v1/measurements/{figure.pk}/",
        "/api/v1/measurements.csv?stage=final",
        "/api/v1/progress/?consortium=sern",
        "/api/v1/progress/?consortium=sern&format=csv",
        "/api/v1/changes/",
    ]


def clients(sern_coordinator_ravenna, sern_steering, site_admin) -> dict[str, Client]:
    web = {ANONYMOUS: Client()}
    for persona, user in (
        (COORDINATOR, sern_coordinator_ravenna),
        (STEERING, sern_steering),
        (ADMIN, site_admin),
    ):
        web[persona] = Client()
        web[persona].force_login(user)
    return web


def token_client(user) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch_all(sern, web, api) -> dict[tuple[str, str], tuple[int, bytes | None]]:
    """Every page and API read: its status, and for JSON its body."""
    answers = {}
    for persona, path in page_paths(sern):
        response = web[persona].get(path)
        answers[(persona, path)] = (response.status_code, None)
        body(response)
    for persona, client in api.items():
        for path in api_paths(sern):
            response = client.get(path)
            content = body(response)
            json = response.get("Content-Type", "").startswith("application/json")
            answers[(persona, path)] = (response.status_code, content if json else None)
    return answers


def test_every_page_and_api_read_answers_200_with_redis_unreachable(
    sern, sern_coordinator_ravenna, sern_steering, site_admin, caplog
):
    web = clients(sern_coordinator_ravenna, sern_steering, site_admin)
    api = {
        ANONYMOUS: Client(),
        COORDINATOR: token_client(sern_coordinator_ravenna),
        STEERING: token_client(sern_steering),
        "session": web[STEERING],
    }
    with_cache = fetch_all(sern, web, api)
    assert {key: status for key, (status, _b) in with_cache.items() if status != 200} == {}

    with dead_cache(), caplog.at_level(logging.WARNING, logger="icc_portal.cache"):
        assert type(caches["default"]).__name__ == "ForgivingRedisCache"
        without_cache = fetch_all(sern, web, api)
        health = Client().get("/api/v1/health/?deep=1")

    failed = {key: status for key, (status, _body) in without_cache.items() if status != 200}
    lines = sum(record.name == "icc_portal.cache" for record in caplog.records)
    figures = f"{len(without_cache)} URLs, {len(failed)} not 200, {lines} warnings"
    print(f"\ndead cache, in process: {figures}")
    assert failed == {}
    assert without_cache == with_cache  # the same answers, read from the database
    assert len(without_cache) >= 100
    assert health.status_code == 503
    assert health.json()["checks"] == {"database": "ok", "cache": "error: ConnectionError"}
    outage_lines = [record for record in caplog.records if record.name == "icc_portal.cache"]
    assert 1 <= len(outage_lines) < len(without_cache) // 10


def test_throttles_let_requests_through_while_the_cache_is_down(sern, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "3/min"})
    working = [Client().get("/api/v1/cities/").status_code for _ in range(5)]
    assert working == [200] * 3 + [429] * 2  # the limit holds with a cache
    with dead_cache():
        statuses = [Client().get("/api/v1/cities/").status_code for _ in range(10)]
    assert statuses == [200] * 10


def test_a_write_goes_through_while_the_cache_is_down(sern, sern_coordinator_ravenna):
    kpi = KPI.objects.get(solution__consortium=sern, code="2.1")
    client = token_client(sern_coordinator_ravenna)
    figure = {"kpi": kpi.pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    with dead_cache():
        response = client.post(
            "/api/v1/measurements/",
            {**figure, "value": "3", "note": "Entered while the cache was down"},
            content_type="application/json",
        )
        listed = client.get("/api/v1/measurements/?city=ravenna&stage=baseline")
    assert response.status_code == 201, response.content
    stored = Measurement.objects.get(pk=response.json()["id"])
    assert stored.note == "Entered while the cache was down"
    assert [row["id"] for row in listed.json()["results"]] == [stored.pk]


def test_an_outage_is_logged_once_per_pause_not_per_call(caplog):
    clock = [1000.0]
    with (
        dead_cache(),
        mock.patch.object(forgiving.time, "monotonic", lambda: clock[0]),
        caplog.at_level(logging.WARNING, logger="icc_portal.cache"),
    ):
        for number in range(50):
            assert cache.get(f"key-{number}", "default") == "default"
            cache.set(f"key-{number}", "value")
        assert cache.add("key", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1}) == ["a"]
        with pytest.raises(ValueError):
            cache.incr("counter")
        clock[0] += forgiving.RETRY_SECONDS + 1  # the pause is over: Redis is asked again
        assert cache.get("key") is None
    lines = [record.getMessage() for record in caplog.records if record.name == "icc_portal.cache"]
    assert len(lines) == 2
    assert "Cache unreachable (ConnectionError" in lines[0]
    assert "again" in lines[1]


def test_a_cache_that_answers_again_is_used_again(caplog):
    """Needs a Redis server (TEST_REDIS_URL, default redis://127.0.0.1:6379/12)."""
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL_OUTAGE", "redis://127.0.0.1:6379/12")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answers at {url} ({type(error).__name__})")
    settings = {**cache_from_url("CACHE_URL", url), "KEY_PREFIX": "icc-outage-test"}
    with (
        override_settings(CACHES={**CACHES, "default": settings}),
        caplog.at_level(logging.WARNING, logger="icc_portal.cache"),
    ):
        forgiving.OUTAGE.failed(url, ConnectionError("pretend"))
        assert cache.get("icc-outage-probe") is None  # resting: Redis not asked
        forgiving.OUTAGE.down_until[url] = 0.0  # the pause is over
        cache.set("icc-outage-probe", "kept", 30)
        assert cache.get("icc-outage-probe") == "kept"
        cache.delete("icc-outage-probe")
        assert caches["default"].probe("icc-outage-health", "ok") == "ok"
    lines = [record.getMessage() for record in caplog.records if record.name == "icc_portal.cache"]
    assert lines[-1] == "Cache answers again; using it."


# --- Served as `make serve` serves it: gunicorn, DEBUG off, CACHE_URL from the environment ---

SERVED_PAGES = [
    "/",
    "/cities/ravenna/",
    "/solutions/sern/1/",
    "/kpis/sern/2.2/",
    "/roadmap/",
    "/consortia/sern/deliverable/",
    "/accounts/login/",
    "/api/docs/",
    "/api/schema/",
    "/api/v1/",
    "/api/v1/programmes/",
    "/api/v1/consortia/",
    "/api/v1/cities/",
    "/api/v1/solutions/",
    "/api/v1/activities/",
    "/api/v1/kpis/",
    "/api/v1/measurements/",
    "/api/v1/measurements.csv",
    "/api/v1/progress/?consortium=sern",
    "/api/v1/changes/",
    "/api/v1/health/",
]


def test_gunicorn_with_cache_url_at_a_dead_port_serves_every_page(tmp_path):
    from tests.helpers.live_server import gunicorn, migrate, run_python, server_env

    env = server_env(tmp_path / "portal.sqlite3", CACHE_URL=DEAD_REDIS)
    migrate(env)
    token = run_python(
        "from django.core.management import call_command\n"
        "call_command('load_demo', '--no-accounts', verbosity=0)\n"
        "from django.contrib.auth.models import User\n"
        "from rest_framework.authtoken.models import Token\n"
        "from cities.models import Consortium\n"
        "from tests.cities.factories import SteeringCommitteeMemberFactory\n"
        "user = User.objects.create_user('outage-steering')\n"
        "sern = Consortium.objects.get(slug='sern')\n"
        "SteeringCommitteeMemberFactory(user=user, consortium=sern)\n"
        "print(Token.objects.create(user=user).key)\n",
        env,
    ).split()[-1]
    signed_in = {"Authorization": f"Token {token}"}
    with gunicorn(env, tmp_path, workers=2) as server:
        statuses = {path: server.request("GET", path).status for path in SERVED_PAGES}
        statuses.update(
            {
                f"{path} (token)": server.request("GET", path, headers=signed_in).status
                for path in SERVED_PAGES
                if path.startswith("/api/v1/")
            }
        )
        log = server.errors()  # before the deep check, which logs its failure in full
        deep = server.request("GET", "/api/v1/health/?deep=1")
    answered = sorted(set(statuses.values()))
    warnings = log.count("Cache unreachable")
    print(f"\ndead cache, gunicorn: {len(statuses)} URLs, statuses {answered}, {warnings} warnings")
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    assert deep.status == 503 and deep.json()["checks"]["cache"] == "error: ConnectionError"
    assert "Traceback" not in log
    # One per worker and 10 s pause, not one per request (each request asks the cache more
    # than once): a slow machine may take a few pauses, never one per request.
    assert 1 <= warnings <= len(statuses) // 4, log
