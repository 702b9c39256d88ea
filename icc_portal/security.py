"""Limits on guessing: who the client is, and what a locked-out login sees.

Failed logins (the site's and the admin's) are counted by django-axes per user name
and client address, and per address over all user names (:mod:`icc_portal.login_lockout`),
in the database, so every worker sees the same count; failed API
tokens by :mod:`icc_portal.api.authentication` in the cache. Both ask :func:`client_ip` who the
client is, so neither can be dodged by a forged ``X-Forwarded-For`` header.
"""

from __future__ import annotations

import math

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the one the trusted proxies saw.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address
    it was called from to ``X-Forwarded-For``, the client is that many entries from
    the right; entries further left were written by the client and prove nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed login attempts for this account. For your security, logging "
        "in is paused for %(minutes)d minute; each new attempt meanwhile starts the "
        "pause again. An administrator can unlock the account sooner.",
        "Too many failed login attempts for this account. For your security, logging "
        "in is paused for %(minutes)d minutes; each new attempt meanwhile starts the "
        "pause again. An administrator can unlock the account sooner.",
        minutes,
    ) % {"minutes": minutes}


def address_lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed login attempts from your network address, over several "
        "accounts. For your security, logging in from this address is paused for "
        "%(minutes)d minute. An administrator can lift the pause sooner.",
        "Too many failed login attempts from your network address, over several "
        "accounts. For your security, logging in from this address is paused for "
        "%(minutes)d minutes. An administrator can lift the pause sooner.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The login page again, saying why it refuses, with 429 and ``Retry-After``.

    django-axes calls this (``AXES_LOCKOUT_CALLABLE``) for the attempt that reaches
    the limit and for every attempt during the cool-off, on the site's login page
    and on the admin's alike: both show the site's own page.
    """
    seconds = math.ceil(get_cool_off(request).total_seconds())  # settings: at least 1 minute
    form = AuthenticationForm(
        request, initial={"username": get_client_username(request, credentials) or ""}
    )
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "lockout_message": (
            address_lockout_message
            if getattr(request, "axes_address_locked", False)  # icc_portal.login_lockout
            else lockout_message
        )(max(1, math.ceil(seconds / 60))),
    }
    response = render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(seconds)
    return response
