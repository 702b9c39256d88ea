"""A Redis server for the tests that need a real one (``TEST_REDIS_URL``, default
``redis://127.0.0.1:6379/5``); they skip when none answers."""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_or_skip():
    """A client of the test Redis, or a skip naming the URL that did not answer."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(
            f"no Redis answers at {REDIS_URL} ({error.__class__.__name__}): set TEST_REDIS_URL"
        )
    return client
