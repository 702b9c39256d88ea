"""/api/v1/health/: alive, and with ?deep=1 whether the database and the cache answer.

Each dependency is taken down by patching it for the one request (the connection's
cursor, the cache's methods); the services themselves are never stopped.
"""

from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError, connections

from tests.helpers.api import assert_error_shape

HEALTH = "/api/v1/health/"
# What a driver's message can carry, and a public health check must not repeat.
INTERNAL = "db-primary.internal:5432"

pytestmark = pytest.mark.django_db


def database_down():
    return mock.patch.object(
        connections["default"],
        "cursor",
        side_effect=OperationalError(f'connection to server at "{INTERNAL}" failed'),
    )


def cache_down():
    return mock.patch.object(
        caches["default"], "set", side_effect=ConnectionError(f"Error 111 connecting to {INTERNAL}")
    )


def test_plain_health_check_answers_ok(anonymous):
    response = anonymous.get(HEALTH)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_deep_health_check_lists_each_check(anonymous):
    response = anonymous.get(f"{HEALTH}?deep=1")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_database_down_is_a_503_naming_the_database(anonymous):
    with database_down():
        response = anonymous.get(f"{HEALTH}?deep=1")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"] == {"database": "error: OperationalError", "cache": "ok"}
    assert body["code"] == "unavailable"
    assert "database" in body["detail"] and "cache" not in body["detail"]
    assert INTERNAL not in response.content.decode()


def test_cache_down_is_a_503_naming_the_cache(anonymous):
    with cache_down():
        response = anonymous.get(f"{HEALTH}?deep=true")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "cache": "error: ConnectionError"}
    assert "cache" in body["detail"]
    assert INTERNAL not in response.content.decode()


def test_a_cache_that_loses_values_is_down(anonymous):
    with mock.patch.object(caches["default"], "get", return_value=None):
        response = anonymous.get(f"{HEALTH}?deep=1")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error: CacheLostValue"


def test_both_down_names_both(anonymous):
    with database_down(), cache_down():
        response = anonymous.get(f"{HEALTH}?deep=1")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "error: OperationalError",
        "cache": "error: ConnectionError",
    }


def test_plain_check_still_answers_with_the_cache_down(anonymous):
    """Not throttled: throttle counts live in the cache, and probes come at a fixed rate."""
    with mock.patch.object(caches["default"], "get", side_effect=ConnectionError("down")):
        assert anonymous.get(HEALTH).json() == {"status": "ok"}


def test_the_failure_is_logged_in_full_with_the_request_id(anonymous, caplog):
    with database_down(), caplog.at_level("ERROR", logger="icc_portal.health"):
        response = anonymous.get(f"{HEALTH}?deep=1", HTTP_X_REQUEST_ID="probe-42")
    assert response["X-Request-ID"] == "probe-42"
    [record] = [record for record in caplog.records if record.name == "icc_portal.health"]
    assert "health check database failed" in record.getMessage()
    assert INTERNAL in str(record.exc_info[1])


@pytest.mark.parametrize("query", ["", "?deep=", "?deep=0", "?deep=false"])
def test_shallow_unless_deep_is_asked_for(anonymous, query):
    with database_down():
        response = anonymous.get(f"{HEALTH}{query}")
    assert response.json() == {"status": "ok"}


def test_deep_must_be_a_yes_or_no(anonymous):
    body = assert_error_shape(anonymous.get(f"{HEALTH}?deep=maybe"), 400, "deep")
    assert body["code"] == "invalid"


def test_deep_given_twice_is_refused(anonymous):
    body = assert_error_shape(anonymous.get(f"{HEALTH}?deep=1&deep=0"), 400, "deep")
    assert body["errors"]["deep"] == ["Give this parameter only once."]


def test_the_failure_is_said_in_the_readers_language(anonymous):
    with cache_down():
        response = anonymous.get(f"{HEALTH}?deep=1", HTTP_ACCEPT_LANGUAGE="it")
    assert (
        response.json()["detail"] == "Non tutti i servizi necessari al portale rispondono: cache."
    )
