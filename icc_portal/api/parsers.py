"""Reading request bodies: JSON whose nesting is checked before it is parsed.

Python's ``json`` parser recurses once per level of nesting; a body of a thousand
``[`` reaches the interpreter's recursion limit and the request ends in a 500. No
request of the API nests more than a few levels (a figure is a flat object), so a
body nested deeper than :data:`MAX_JSON_DEPTH` is refused with a 400 before the
parser sees it.

The body's size is bounded too: more than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes
is a 413 (see :func:`icc_portal.api.errors.exception_handler`).
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

#: The deepest nesting of arrays and objects a request body may have.
MAX_JSON_DEPTH = 32

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in the JSON text nest deeper than ``limit``.

    Escapes, then strings (their brackets nest nothing), then everything but brackets
    are dropped by regular expressions, each one linear pass; the brackets left are
    counted until the first level too deep. Malformed text is left to the parser.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    depth = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with the body's size and nesting checked before it parses.

    More than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes is Django's ``RequestDataTooBig``
    (a 413; recent DRF versions check this before the parser runs, older ones not);
    nesting deeper than :data:`MAX_JSON_DEPTH` a 400 ``too_deep``; anything else wrong
    DRF's own ``parse_error``. None of them reaches the view.
    """

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            "".encode(encoding)  # a text encoding, not a codec such as bz2_codec
        except (LookupError, UnicodeError):
            raise exceptions.ParseError(
                _("The request names a character set the API does not read: %(charset)s.")
                % {"charset": encoding},
                code="unsupported_charset",
            ) from None
        if nesting_exceeds(body.decode(encoding, errors="replace"), self.max_depth):
            raise exceptions.ParseError(
                _("The JSON body is nested more than %(depth)s levels deep.")
                % {"depth": self.max_depth},
                code="too_deep",
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)
