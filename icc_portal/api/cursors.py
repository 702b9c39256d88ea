"""Opaque cursors of the API: a position, signed so that a client cannot forge one.

A cursor is the client's bookmark in an ordered list (the measurements by id, the
change feed by its position): what it holds is signed with the site's ``SECRET_KEY``
(:class:`django.core.signing.Signer`, no timestamp, so one position always reads as
one cursor and responses that carry it keep their ETags), and it survives a restart.
A cursor that does not verify, or was made for another list, is :class:`BadCursor`.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

#: What every cursor looks like (signed JSON, base64url); the schema says so.
PATTERN = r"^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$"


class BadCursor(ValueError):
    """The cursor was not made by this site for this list (forged, cut short, mixed up)."""


def _signer(kind: str) -> signing.Signer:
    return signing.Signer(salt=f"icc-portal.api.cursor.{kind}")


def make(kind: str, **payload: Any) -> str:
    """A cursor of ``kind`` (e.g. "measurements", "changes") holding ``payload``."""
    return _signer(kind).sign_object(payload)


def read(kind: str, cursor: str) -> dict[str, Any]:
    """What a cursor of ``kind`` holds; :class:`BadCursor` unless this site made it."""
    try:
        payload = _signer(kind).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise BadCursor(cursor) from error
    if not isinstance(payload, dict):
        raise BadCursor(cursor)
    return payload
