"""Throttles a partner can plan with: one budget per scope and token, told on every answer.

Scopes
    ``read``: reads (``GET``, ``HEAD``, ``OPTIONS``) of every resource but the change feed;
    ``sync``: reads of the change feed (``/api/v1/changes/``, a view's ``throttle_scope``);
    ``write``: ``POST``, ``PUT``, ``PATCH``, ``DELETE``. A user (their token) has a budget
    per scope, so a sync job and its writer on one token no longer share one limit.
    Anonymous readers share one budget per address (``anon``).
Limits
    The site's: ``API_THROTTLE_READ`` / ``WRITE`` / ``SYNC`` / ``ANON`` (settings); one
    user's own, set in the admin (*API token limits*,
    :class:`~icc_portal.api.models.TokenLimits`), read with the token in the
    authentication's one query (a 304 stays at two queries); for a session, kept in the
    cache.
Headers (draft-ietf-httpapi-ratelimit-headers-11, May 2026)
    Every answer of a throttled view carries the draft's two structured fields (RFC 9651
    lists of one item), naming the policy by the scope the request was counted in:
    ``RateLimit-Policy: "read";q=1200;w=60`` (the quota ``q`` in requests per window of
    ``w`` seconds) and ``RateLimit: "read";r=1199;t=60`` (``r`` requests left now, ``t``
    seconds until the oldest request counted leaves the window: within ``t`` seconds no
    more than ``r`` are allowed, then one more). A 429 also carries ``Retry-After``,
    equal to ``t``. Counts are a sliding window in the cache, shared by every worker
    when the cache is Redis. The draft-06 fields (``RateLimit-Limit``, ``-Remaining``,
    ``-Reset`` and a ``RateLimit-Policy`` of ``600;w=60``) were dropped in draft-07 and
    are not sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from .models import LIMITS_KEY, TokenLimits

#: How long a user's limits are kept (a change in the admin forgets them at once).
LIMITS_TIMEOUT = 300


@dataclass(frozen=True, slots=True)
class RateLimitState:
    scope: str
    limit: int
    remaining: int
    reset: int
    window: int

    def headers(self) -> dict[str, str]:
        """The draft's fields; the policy's name is the scope, a structured-field String."""
        policy = f'"{self.scope}"'
        return {
            "RateLimit-Policy": f"{policy};q={self.limit};w={self.window}",
            "RateLimit": f"{policy};r={self.remaining};t={self.reset}",
        }


def token_rates(user) -> dict[str, str]:
    """The user's own limits by scope (none set: ``{}``): read with the token
    (:class:`~icc_portal.api.authentication.TokenAuthentication`), else from the cache."""
    if "api_token_limits" in user._state.fields_cache:
        limits = user._state.fields_cache["api_token_limits"]
        return limits.rates() if limits is not None else {}
    key = LIMITS_KEY.format(pk=user.pk)
    rates = cache.get(key)
    if rates is None:
        limits = TokenLimits.objects.filter(user_id=user.pk).first()
        rates = limits.rates() if limits is not None else {}
        cache.set(key, rates, LIMITS_TIMEOUT)
    return rates


class ScopedRateThrottle(SimpleRateThrottle):
    """The API's throttle: the scope of the request, the rate of its user, the headers."""

    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self) -> None:  # the rate is the request's: see allow_request
        pass

    @staticmethod
    def scope_of(request, view) -> str:
        if not (request.user and request.user.is_authenticated):
            return "anon"
        if request.method not in SAFE_METHODS:
            return "write"
        return getattr(view, "throttle_scope", None) or "read"

    def rate_for(self, request) -> str | None:
        rate = None
        if self.scope != "anon":
            rate = token_rates(request.user).get(self.scope)
        rate = rate or self.THROTTLE_RATES.get(self.scope)
        return None if rate in (None, "off") else rate

    def get_cache_key(self, request, view) -> str:
        authenticated = self.scope != "anon"
        ident = request.user.pk if authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        self.scope = self.scope_of(request, view)
        self.rate = self.rate_for(request)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        allowed = len(self.history) < self.num_requests
        if allowed:
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)
        oldest = self.history[-1] if self.history else self.now
        request._request.rate_limit = RateLimitState(
            scope=self.scope,
            limit=self.num_requests,
            remaining=max(self.num_requests - len(self.history), 0),
            reset=max(math.ceil(oldest + self.duration - self.now), 0),
            window=self.duration,
        )
        return allowed


class RateLimitHeaders:
    """Middleware: the ``RateLimit`` and ``RateLimit-Policy`` fields of the scope a
    request was counted in."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response
