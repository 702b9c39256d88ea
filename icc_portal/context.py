"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings


def portal(request) -> dict:
    """``PORTAL_URL``: the portal's own address (a printed page names its source with it;
    the request's Host header is not trusted for that)."""
    return {"PORTAL_URL": settings.PORTAL_URL.rstrip("/")}
