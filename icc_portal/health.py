"""The deep health check: does the database answer, does the cache keep what it is given?

Each check either returns or raises. ``run_checks`` reports every check as ``"ok"`` or
``"error: <kind of error>"``, never the error's text: the health check is public, and a
driver's message can name internal hosts. The full error goes to the log, with the
request's id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

OK = "ok"


class CacheLostValue(Exception):
    """The cache accepted a value and did not give it back (e.g. memcached unreachable)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # A key of its own per check: workers probing at once do not read each other's value.
    key = f"icc-health:{uuid.uuid4().hex}"
    probe = getattr(cache, "probe", None)
    if probe is not None:  # Redis (icc_portal.cache): asked itself, its error raised
        if probe(key, OK) != OK:
            raise CacheLostValue("the value just set was not read back")
        return
    cache.set(key, OK, timeout=30)
    try:
        if cache.get(key) != OK:
            raise CacheLostValue("the value just set was not read back")
    finally:
        cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "cache": check_cache}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 — any failure is the answer we report
            logger.exception("health check %s failed", name)
            results[name] = f"error: {type(error).__name__}"
        else:
            results[name] = OK
    return results
