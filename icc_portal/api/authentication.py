"""API token authentication that slows down a client who keeps sending wrong tokens.

A token is 40 random hex digits, so guessing one is hopeless; a client that sends
wrong ones over and over is broken or probing, and each try costs a database query.
After ``API_THROTTLE_FAILED_TOKEN`` (e.g. ``20/hour``) wrong tokens from one address
(:func:`icc_portal.security.client_ip`), every further *wrong* token from that address
is answered 429 with ``Retry-After`` for that period. A right token always works: many
partners can share one address (an office NAT, a proxy), and one of them sending a
stale token must not shut the others out. (That a right token works tells a prober
nothing it could use: it cannot have guessed one.) Requests without a token (anonymous
readers, the web session) go on as before. The counts live in Django's cache, so all
workers share them once a shared cache (Redis) is configured; with the local-memory
cache each worker counts alone, and while Redis is down nothing is counted.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from changelog import kept, versions
from icc_portal.security import client_ip

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"20/hour"`` as (20, 3600), as DRF reads its throttle rates; None when off."""
    if rate is None:
        return None
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


class FailedTokenThrottled(exceptions.Throttled):
    default_detail = _("Too many requests with a wrong API token from your address.")


class WrongScheme(exceptions.AuthenticationFailed):
    default_detail = _("Send your API token as: Authorization: Token <key>.")
    default_code = "wrong_scheme"


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, counting wrong tokens per client address.

    An ``Authorization`` header of any other scheme (``Bearer …``, ``Basic …``) is a 401,
    never read as "no credentials": a client that sends its token the wrong way would
    otherwise be served as an anonymous reader, and see less than it should without
    being told.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode():
            raise WrongScheme()
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            rate = parse_rate(settings.API_THROTTLE_FAILED_TOKEN)
            wait = self.count_failure(client_ip(request), *rate) if rate else None
            if wait is not None:
                raise FailedTokenThrottled(wait=wait) from None
            raise

    def authenticate_credentials(self, key):
        """DRF's, reading the user's own throttle limits in the same query
        (:mod:`icc_portal.api.throttles`); within a request, a right token from the shared
        cache, kept under the definitions' version (a token made or deleted, its user or
        its limits changed, writes a definition row: :mod:`changelog.signals`), under a
        digest of the key, never the key itself."""
        token = self.read_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)

    def read_token(self, key: str):
        known = versions.request_versions()
        if known is None:
            return self.token_of(key)
        digest = hashlib.sha256(key.encode()).hexdigest()
        return kept.kept(
            kept.key("api-token", known.definitions.position, digest),
            lambda: self.token_of(key),
        )

    def token_of(self, key: str):
        """The token with this key, its user and the user's limits (one query); None when
        there is none."""
        return (
            self.get_model()
            .objects.select_related("user", "user__api_token_limits")
            .filter(key=key)
            .first()
        )

    @staticmethod
    def count_failure(address: str, limit: int, period: int) -> int | None:
        """One more wrong token from ``address``: the seconds it must wait before sending
        another, once ``limit`` wrong ones came within ``period``; else None."""
        blocked_key = f"icc-api-token-blocked:{address}"
        blocked_until = cache.get(blocked_key)
        if blocked_until is not None:
            return max(1, math.ceil(blocked_until - time.time()))
        failures_key = f"icc-api-token-failures:{address}"
        cache.add(failures_key, 0, period)
        try:
            failures = cache.incr(failures_key)
        except ValueError:  # expired between add and incr (or the cache is down)
            cache.set(failures_key, 1, period)
            failures = 1
        if failures >= limit and cache.add(blocked_key, time.time() + period, period):
            logger.warning(
                "API tokens: %d wrong tokens from %s; its wrong tokens get 429 for %d s.",
                failures,
                address,
                period,
            )
        return None
