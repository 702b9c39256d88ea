"""Login lockout: per user name and address, and per address across user names.

django-axes counts wrong passwords per user name and client address
(``AXES_LOCKOUT_PARAMETERS``): ``LOGIN_FAILURE_LIMIT`` of them lock that pair. A
password sprayer tries one password over many user names from one address, and never
reaches that limit for any of them. :class:`LoginLockoutHandler` also adds up the
address's wrong passwords over all user names, each name counting at most
``LOGIN_FAILURE_LIMIT`` (so one person who keeps trying locks only their own name,
not their office), and locks the whole address at ``LOGIN_ADDRESS_FAILURE_LIMIT``, for
``LOGIN_COOLOFF_MINUTES`` like a pair.

The address is :func:`icc_portal.security.client_ip`: behind reverse proxies, set
``TRUSTED_PROXY_COUNT``, or every client shares the proxy's address and one sprayer
locks everyone out.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LoginLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with a second limit per address (see the module)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair = super().get_failures(request, credentials)
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if limit is None:
            return pair
        address = self.address_failures(request, get_failure_limit(request, credentials))
        if address < limit:
            return pair
        request.axes_address_locked = True  # the lockout page says which limit it was
        # At or over the pair's limit, so that axes locks: it compares with that one.
        return max(pair, address, get_failure_limit(request, credentials))

    @staticmethod
    def address_failures(request, per_name: int) -> int:
        """Wrong passwords from the request's address within the cool-off, over all user
        names, each name counting at most ``per_name``. One query."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        totals = attempts.values("username").annotate(total=Sum("failures_since_start"))
        return sum(min(row["total"], per_name) for row in totals)
