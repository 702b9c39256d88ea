"""More than one worker process: API throttles and cached counts live in a shared cache.

Real gunicorn with two sync workers on a throw-away SQLite file, the anonymous limit set
to 10 a minute. Each request goes over a fresh connection, one after the other, so the
kernel hands it to either worker; the access log names the worker that answered.

* With ``CACHE_URL`` pointing at Redis the two workers share one limit: exactly 10
  answers, the rest 429, however the requests were spread.
* Without it each worker keeps its own count in its own memory, and the two together let
  through one limit per worker: the reason a shared cache is required.

The Redis half needs a Redis server (``TEST_REDIS_URL``, default
``redis://127.0.0.1:6379/5``) and is skipped when none answers. Keys carry a prefix of
their own and are removed afterwards.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter

import pytest

from tests.helpers.live_server import gunicorn, migrate, server_env
from tests.helpers.redis_server import REDIS_URL, redis_or_skip

LIMIT = 10
REQUESTS = 40
MAX_REQUESTS = 200
#: An anonymous API list: throttled, and counted through the API's count cache.
URL = "/api/v1/measurements/?page_size=1"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared-cache")
    path = folder / "portal.sqlite3"
    migrate(server_env(path))
    return path


def fire(server) -> tuple[Counter, dict[int, Counter]]:
    """``REQUESTS`` requests one after the other (more, until both workers answered one).

    Returns the statuses, and the statuses per worker process from the access log.
    """
    sent = 0
    while True:
        server.request("GET", URL)
        sent += 1
        if sent >= REQUESTS:
            by_worker = answered_by_worker(server, sent)
            if len(by_worker) >= 2 or sent >= MAX_REQUESTS:
                break
    statuses = sum(by_worker.values(), Counter())
    return statuses, by_worker


def answered_by_worker(server, sent: int) -> dict[int, Counter]:
    """The access log's lines for ``URL`` by worker, once all ``sent`` are written."""
    deadline = time.monotonic() + 10
    while True:
        by_worker: dict[int, Counter] = {}
        for pid, status, _method, path in server.served():
            if path == URL.split("?")[0]:
                by_worker.setdefault(pid, Counter())[status] += 1
        if sum(sum(c.values()) for c in by_worker.values()) >= sent or time.monotonic() > deadline:
            return by_worker
        time.sleep(0.05)


def test_two_workers_share_one_anonymous_limit_through_redis(database, tmp_path):
    client = redis_or_skip()
    prefix = f"icc-test-{uuid.uuid4().hex[:12]}"
    env = server_env(
        database, CACHE_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix, API_THROTTLE_ANON=f"{LIMIT}/minute"
    )
    try:
        with gunicorn(env, tmp_path, workers=2) as server:
            statuses, by_worker = fire(server)
        keys = {key.decode() for key in client.scan_iter(f"{prefix}:*")}
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    figures = {pid: dict(counts) for pid, counts in by_worker.items()}
    print(f"\nwith Redis, two workers: {dict(statuses)}, by worker: {figures}")
    assert len(by_worker) == 2, f"one worker answered everything: {figures}"
    assert statuses == {200: LIMIT, 429: sum(statuses.values()) - LIMIT}, figures
    # The throttle's history and the list's count are both in Redis, under the prefix.
    assert f"{prefix}:1:throttle_anon_127.0.0.1" in keys, keys
    assert any(key.startswith(f"{prefix}:1:icc-api-count:measurements:") for key in keys), keys


def test_without_a_shared_cache_each_worker_counts_alone(database, tmp_path):
    env = server_env(database, API_THROTTLE_ANON=f"{LIMIT}/minute")
    with gunicorn(env, tmp_path, workers=2) as server:
        statuses, by_worker = fire(server)
    figures = {pid: dict(counts) for pid, counts in by_worker.items()}
    print(f"\nwithout a shared cache, two workers: {dict(statuses)}, by worker: {figures}")
    assert len(by_worker) == 2, f"one worker answered everything: {figures}"
    for counts in by_worker.values():  # each worker: its own limit of 10
        assert counts[200] == min(LIMIT, sum(counts.values())), figures
    assert statuses[200] > LIMIT, figures
