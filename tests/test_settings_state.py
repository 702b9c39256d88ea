"""Where state lives: the database's options and the cache, as the environment sets them.

Settings are read once per process, so each case imports them in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Variables of this environment that would change the answers.
UNSET = (
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "CACHE_BACKEND",
    "CACHE_LOCATION",
    "WEB_CONCURRENCY",
)


def settings_with(**env: str) -> subprocess.CompletedProcess:
    """Import the settings under ``env`` (DEBUG on); prints DATABASES, CACHES and sessions."""
    base = {key: value for key, value in os.environ.items() if key not in UNSET}
    code = (
        "import json\nfrom icc_portal import settings as s\n"
        "print(json.dumps({'DATABASES': s.DATABASES, 'CACHES': s.CACHES, "
        "'SESSION_ENGINE': getattr(s, 'SESSION_ENGINE', None)}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(**env: str) -> dict:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_takes_the_write_lock_up_front_and_waits_for_it():
    options = read_settings(DATABASE_URL="sqlite:////tmp/icc.sqlite3")["DATABASES"]["default"][
        "OPTIONS"
    ]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    pragmas = {part.strip() for part in options["init_command"].split(";")}
    assert {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"} <= pragmas


def test_the_embedded_default_is_sqlite_with_those_options():
    database = read_settings()["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_options_are_left_alone():
    database = read_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/icc")["DATABASES"][
        "default"
    ]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert not database.get("OPTIONS")


def default_cache(**env: str) -> dict:
    return read_settings(**env)["CACHES"]["default"]


REDIS = "icc_portal.cache.ForgivingRedisCache"  # Django's RedisCache, forgiving an outage
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def test_one_process_keeps_its_cache_in_memory_by_default():
    cache = default_cache()
    assert (cache["BACKEND"], cache["KEY_PREFIX"]) == (LOCMEM, "icc-portal")


def test_cache_url_selects_redis_with_the_project_prefix():
    cache = default_cache(CACHE_URL="redis://:s3cret@cache.internal:6379/2")
    assert cache["BACKEND"] == REDIS
    assert cache["LOCATION"] == "redis://:s3cret@cache.internal:6379/2"
    assert cache["KEY_PREFIX"] == "icc-portal"
    assert cache["OPTIONS"]["socket_timeout"] > 0  # a dead Redis fails fast


def test_redis_url_is_an_alias_and_cache_url_wins():
    assert default_cache(REDIS_URL="rediss://cache.internal:6380/0")["BACKEND"] == REDIS
    both = default_cache(CACHE_URL="locmem://", REDIS_URL="redis://cache.internal:6379/0")
    assert both["BACKEND"] == LOCMEM


def test_memory_and_no_cache_can_be_chosen_by_url():
    assert default_cache(CACHE_URL="locmem://")["LOCATION"] == "icc-portal"
    assert default_cache(CACHE_URL="locmem://staging")["LOCATION"] == "staging"
    assert default_cache(CACHE_URL="dummy://")["BACKEND"] == (
        "django.core.cache.backends.dummy.DummyCache"
    )
    assert default_cache(CACHE_URL="dummy://", CACHE_KEY_PREFIX="icc-staging")["KEY_PREFIX"] == (
        "icc-staging"
    )


def test_the_old_backend_and_location_variables_still_work_without_a_url():
    cache = default_cache(
        CACHE_BACKEND="django.core.cache.backends.filebased.FileBasedCache",
        CACHE_LOCATION="/tmp/icc-cache",
    )
    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert cache["LOCATION"] == "/tmp/icc-cache"


def test_an_unknown_cache_scheme_stops_start_up_naming_the_variable():
    result = settings_with(CACHE_URL="memcached://admin:s3cret@cache.internal:11211")
    assert result.returncode != 0
    assert "ImproperlyConfigured: CACHE_URL must start with redis://, rediss://, unix://, " in (
        result.stderr
    )
    assert "locmem:// or dummy:// (not memcached://)" in result.stderr
    assert "s3cret" not in result.stderr
    result = settings_with(REDIS_URL="cache.internal:6379")
    assert "REDIS_URL must start with redis://" in result.stderr
    assert "(it has no scheme)" in result.stderr


CACHED_DB = "django.contrib.sessions.backends.cached_db"
DB = "django.contrib.sessions.backends.db"


@pytest.mark.parametrize(
    ("env", "engine"),
    [
        ({"CACHE_URL": "redis://cache.internal:6379/0"}, CACHED_DB),
        ({"REDIS_URL": "redis://cache.internal:6379/0", "WEB_CONCURRENCY": "9"}, CACHED_DB),
        (
            {"CACHE_BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"},
            CACHED_DB,
        ),
        ({"WEB_CONCURRENCY": "1"}, CACHED_DB),  # one process: its memory is every worker's
        ({"CACHE_URL": "locmem://", "WEB_CONCURRENCY": "1"}, CACHED_DB),
        ({}, DB),  # gunicorn --workers N by hand: the number is not known
        ({"WEB_CONCURRENCY": "5"}, DB),  # make serve's default: 2 x cores + 1
        ({"CACHE_URL": "locmem://", "WEB_CONCURRENCY": "2"}, DB),
        ({"CACHE_URL": "dummy://", "WEB_CONCURRENCY": "1"}, DB),
    ],
)
def test_sessions_are_read_from_the_cache_only_when_every_worker_reads_the_same_one(env, engine):
    """cached_db: a Redis outage or restart signs no one out (tests/changelog/
    test_signed_in_from_the_cache.py empties the cache under a session); but with each
    worker's own memory, a log-out would not reach the others' copies: sessions then stay
    in the database alone (``test_a_log_out_reaches_a_second_workers_memory``)."""
    assert read_settings(**env)["SESSION_ENGINE"] == engine


def test_the_tests_run_as_one_process_reading_sessions_from_its_memory(settings):
    assert settings.SESSION_ENGINE == CACHED_DB
