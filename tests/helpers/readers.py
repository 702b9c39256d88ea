"""Reading pages and API lists as several readers, one after the other, on one cache.

A kept page or answer is only right if its key holds everything it depends on; a key
that misses one (the reader's visibility class, the language, the stage asked) serves
the first reader's entry to the next. So the tests read every combination in sequence on
one cache, never cleared between two reads, and then compare each body with a fresh
render of the same request (the cache cleared before each).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.cache import cache
from django.test import Client

#: What differs between two renders of the same page by design: the CSRF token, and the
#: minute printed in the print-only footer ("Printed 6 December 2026 20:22 from …").
_VOLATILE = (
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")'),
    re.compile(r'(<p class="print-only print-source">)[^<]*(</p>)'),
)


def body(response) -> str:
    """The page's HTML, its CSRF tokens and print time blanked."""
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    html = response.content.decode()
    for volatile in _VOLATILE:
        html = volatile.sub(r"\1\2", html)
    return html


def read(client: Client, url: str, language: str, **headers) -> str:
    return body(client.get(url, headers={"accept-language": language, **headers}))


def read_in_sequence(
    clients: dict[str, Client], urls: Iterable[str], languages: Iterable[str]
) -> dict[tuple[str, str, str], str]:
    """Every (url, language, reader) read once, in that nested order, on one cache."""
    return {
        (url, language, reader): read(client, url, language)
        for url in urls
        for language in languages
        for reader, client in clients.items()
    }


def fresh(client: Client, url: str, language: str) -> str:
    """The same read with nothing kept: what the page must show."""
    cache.clear()
    return read(client, url, language)


def stale_reads(clients: dict[str, Client], bodies: dict[tuple[str, str, str], str]) -> list:
    """The reads whose body differs from a fresh render of the same request, each with the
    first line that differs (kept, then fresh)."""
    stale = []
    for (url, language, reader), seen in bodies.items():
        expected = fresh(clients[reader], url, language)
        if seen != expected:
            lines = zip(seen.splitlines(), expected.splitlines(), strict=False)
            first = next(((a.strip(), b.strip()) for a, b in lines if a != b), None)
            stale.append(((url, language, reader), first))
    return stale
