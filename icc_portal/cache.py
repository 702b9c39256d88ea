"""The shared cache (Redis), whose outage makes the portal slower, never down.

Everything the portal keeps in the cache can be done without it: pages and API answers
are rebuilt from the database, counts are counted again, and the throttles let requests
through (no count is kept, so none is over its limit). :class:`ForgivingRedisCache` is
Django's own Redis cache that, when Redis does not answer, answers as an empty cache
would (nothing kept, nothing stored) instead of raising, once per method and not at
every call site.

While Redis is down, every call would wait for the connection to fail; after a failure
the backend therefore stops asking Redis for ``RETRY_SECONDS`` and answers "nothing
kept" at once. One warning is logged per failure that starts such a pause, so an
outage writes a line every ``RETRY_SECONDS`` per worker, not one per request, and
another when Redis answers again. The deep health check (:mod:`icc_portal.health`)
asks Redis itself through :meth:`ForgivingRedisCache.probe` and answers 503.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: Seconds a worker answers "nothing kept" without asking Redis, after a failure.
RETRY_SECONDS = 10.0


class _Outage:
    """When the cache at one location failed last, shared by the threads of a process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until: dict[str, float] = {}

    def resting(self, location: str) -> bool:
        return time.monotonic() < self.down_until.get(location, 0.0)

    def failed(self, location: str, error: Exception) -> None:
        with self.lock:
            if self.resting(location):
                return  # another thread has just said so
            first = location not in self.down_until
            self.down_until[location] = time.monotonic() + RETRY_SECONDS
        logger.warning(
            "Cache unreachable (%s: %s)%s; serving without it, next try in %d s.",
            type(error).__name__,
            error,
            "" if first else " again",
            RETRY_SECONDS,
        )

    def answered(self, location: str) -> None:
        if location in self.down_until:
            with self.lock:
                if self.down_until.pop(location, None) is not None:
                    logger.warning("Cache answers again; using it.")


OUTAGE = _Outage()


def _default_of_get(args: tuple, kwargs: dict) -> Any:
    return kwargs.get("default", args[1] if len(args) > 1 else None)


def _key_missing(args: tuple, kwargs: dict) -> Any:
    raise ValueError(f"Key {args[0] if args else kwargs.get('key')!r} not found (cache down).")


#: What each method answers while Redis is down: what an empty cache that keeps nothing
#: would answer (``set_many`` returns the keys it could not set).
FALLBACKS: dict[str, Callable[[tuple, dict], Any]] = {
    "get": _default_of_get,
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "add": lambda args, kwargs: False,
    "set": lambda args, kwargs: None,
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "set_many": lambda args, kwargs: list(args[0] if args else kwargs.get("data", {})),
    "delete_many": lambda args, kwargs: None,
    "incr": _key_missing,  # decr is incr(-delta)
    "clear": lambda args, kwargs: False,
}


def _forgiving(name: str) -> Callable:
    fallback = FALLBACKS[name]
    method = getattr(RedisCache, name)

    def forgiving(self, *args, **kwargs):
        location = self._location
        if OUTAGE.resting(location):
            return fallback(args, kwargs)
        try:
            answer = method(self, *args, **kwargs)
        except RedisError as error:
            OUTAGE.failed(location, error)
            return fallback(args, kwargs)
        OUTAGE.answered(location)
        return answer

    forgiving.__name__ = forgiving.__qualname__ = name
    forgiving.__doc__ = method.__doc__
    return forgiving


class ForgivingRedisCache(RedisCache):
    """Django's ``RedisCache``; while Redis does not answer, an empty cache that keeps
    nothing (see the module's docstring). Errors other than Redis's (a value that cannot
    be pickled) still raise: they are bugs, not outages."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def probe(self, key: str, value: Any) -> Any:
        """Set, read back and delete ``key`` in Redis itself, whatever the pause says;
        a Redis error raises (the health check reports it)."""
        try:
            RedisCache.set(self, key, value, timeout=30)
            try:
                answer = RedisCache.get(self, key)
            finally:
                RedisCache.delete(self, key)
        except RedisError as error:
            OUTAGE.failed(self._location, error)
            raise
        OUTAGE.answered(self._location)
        return answer


for _name in FALLBACKS:
    setattr(ForgivingRedisCache, _name, _forgiving(_name))
