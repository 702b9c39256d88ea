"""Reading request bodies: JSON whose nesting is checked before it is parsed.

Python's ``json`` parser recurses once per level of nesting; a body of a thousand
``[`` reaches the interpreter's recursion limit and the request ends in a 500. No
request of the API nests more than a few levels (a figure is a flat object), so a
body nested deeper than :data:`MAX_JSON_DEPTH` is refused with a 400 before the
parser sees it.

The body's size is bounded too: more than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes
is a 413 (see :func:`icc_portal.api.errors.exception_handler`).

The body is read strictly: a key written twice in one object is a 400 ``duplicate_key``
(Python's parser would keep the last silently), and a number longer than
:data:`MAX_NUMBER_DIGITS` digits a 400 ``number_too_long`` in plain words (Python's parser
would refuse one over 4,300 digits naming ``sys.set_int_max_str_digits()``).
"""

from __future__ import annotations

import json
import re
from functools import partial

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils.json import strict_constant

#: The deepest nesting of arrays and objects a request body may have.
MAX_JSON_DEPTH = 32
#: The most digits a number in a request body may have (a figure has at most 13 before
#: its decimal mark and 4 after; ids far fewer).
MAX_NUMBER_DIGITS = 100

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
        try:
            return json.loads(
                body.decode(encoding),
                object_pairs_hook=_object_without_duplicate_keys,
                parse_int=partial(_number, int),
                parse_float=partial(_number, float),
                parse_constant=strict_constant if self.strict else None,
            )
        except _DuplicateKey as duplicate:
            raise exceptions.ParseError(
                _(
                    "The key “%(key)s” is written twice in one object of the JSON body: "
                    "send each key once."
                )
                % {"key": duplicate.key},
                code="duplicate_key",
            ) from None
        except _NumberTooLong as number:
            raise exceptions.ParseError(
                _(
                    "A number in the JSON body has %(digits)s digits; the API reads numbers "
                    "of up to %(limit)s digits."
                )
                % {
                    "digits": number_format(number.digits, force_grouping=True),
                    "limit": MAX_NUMBER_DIGITS,
                },
                code="number_too_long",
            ) from None
        except ValueError as error:  # DRF's own wording for malformed JSON
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _NumberTooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _object_without_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _number(kind, text: str):
    digits = sum(char.isdigit() for char in text)
    if digits > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(digits)
    return kind(text)
