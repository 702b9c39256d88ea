"""The request's data versions, read at most once for the whole request.

Whatever a request asks of :mod:`changelog.versions` — a page's consortium, the
definitions a cached part or the reader's roles are kept under, the signed-in user kept
in the cache — is answered from one query (:func:`changelog.versions.read_versions`),
made when first asked, and made again only after the request writes the log itself.
"""

from __future__ import annotations

from . import versions


class RequestVersionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.versions, token = versions.begin_request()
        try:
            return self.get_response(request)
        finally:
            versions.end_request(token)
