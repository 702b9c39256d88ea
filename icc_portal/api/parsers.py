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

import io
import json
import re
from functools import partial

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http.multipartparser import FIELD, FILE, RAW, ChunkIter, LazyStream, Parser, exhaust
from django.utils.formats import number_format
from django.utils.http import parse_header_parameters
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
        body = _bounded_body(stream)
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


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing a body with a part it cannot read.

    Django's parser skips a part without a ``Content-Disposition`` naming its field, and
    one left unclosed, without a word: a body of such parts reads as no field at all, and
    an action that takes only optional fields would go ahead as if nothing had been sent.
    The API's own multipart bodies are small (uploads have their own parser, see
    ``kpis/api/imports.py``), so the body is read whole, bounded as JSON is, and its parts
    are walked with Django's own reader before Django parses them: a 400
    ``malformed_multipart`` if one is not a named field or file, or if the body does not
    end with its closing boundary.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        body = _bounded_body(stream)
        boundary = parse_header_parameters(media_type or "")[1].get("boundary", "")
        parsed = super().parse(io.BytesIO(body), media_type, parser_context)
        if body and not _parts_all_named(body, boundary.encode("ascii", "replace")):
            raise exceptions.ParseError(
                _(
                    "The multipart body has a part the API cannot read: each part needs a "
                    "Content-Disposition header naming its field, and the body ends with "
                    "its closing boundary."
                ),
                code="malformed_multipart",
            )
        return parsed


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing a piece without ``=``.

    A browser writes every field as ``name=value``; Python reads a bare ``text`` as a field
    named ``text`` with an empty value, so a body that is not a form at all would pass as
    one with an unknown field. A 400 ``malformed_form`` instead.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        body = _bounded_body(stream)
        if any(piece and b"=" not in piece for piece in body.split(b"&")):
            raise exceptions.ParseError(
                _("The form body has a piece without “=”: send each field as name=value."),
                code="malformed_form",
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)


def _bounded_body(stream) -> bytes:
    """The whole body, or Django's ``RequestDataTooBig`` (a 413) past the upload limit."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
    return body


def _parts_all_named(body: bytes, boundary: bytes) -> bool:
    """Whether every part between the preamble and the closing boundary is a named field or
    file, and the closing boundary is there (Django's reader gives the preamble first and
    what follows the last boundary, starting ``--`` when it closes the body, last)."""
    items = []
    for item_type, meta, part in Parser(
        LazyStream(ChunkIter(io.BytesIO(body), 64 * 1024)), boundary
    ):
        items.append((item_type, meta, part.read(2)))
        exhaust(part)
    if len(items) < 2:
        return False
    for item_type, meta, _start in items[1:-1]:
        if item_type not in (FIELD, FILE):
            return False
        disposition = meta.get("content-disposition", ("", {}))[1]
        if not disposition.get("name", b"").strip():
            return False
    item_type, _meta, start = items[-1]
    return item_type == RAW and start == b"--"
