"""The OpenAPI schema: who may call, how a token is sent, what every read and write answers.

* drf-spectacular marks an operation as callable without credentials (``security: [{}]``)
  only for DRF's own AllowAny/IsAuthenticatedOrReadOnly; our permission reads without
  credentials when ``API_ALLOW_ANONYMOUS`` is on, and the schema must say so.
* The token scheme is our own class (``icc_portal.api.authentication``): declared here as an
  ``apiKey`` in the ``Authorization`` header with the ``Token`` prefix, so a generated
  client sends ``Token <key>`` (any other scheme is a 401).
* Conditional reads (``icc_portal.api.conditional``): every read documents
  ``If-None-Match`` and ``If-Modified-Since``, its 304, and the ``ETag`` and
  ``Last-Modified`` headers of its 200.
"""

from __future__ import annotations

import copy

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import SAFE_METHODS

from .permissions import ApiAccess


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        permissions = [permission.__class__ for permission in self.view.get_permissions()]
        anonymous_reads = settings.API_ALLOW_ANONYMOUS and self.method in SAFE_METHODS
        if ApiAccess in permissions and anonymous_reads and {} not in auths:
            auths.append({})
        return auths


def allow_empty_query_values(result, generator, request, public):
    """Every optional query parameter: an empty value (``?stage=``) means "not given".

    That is how django-filter, the pagination and the browsable API's filter form
    treat it; ``allowEmptyValue`` says so in the schema.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


class TokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <key>`` (the portal's own token class)."""

    target_class = "icc_portal.api.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <key>", the word Token, a space and your key; '
            "any other scheme is answered 401.",
        }


CONDITIONAL_HEADERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "ETags you hold (weak ones match too): 304 while one is current.",
        "schema": {"type": "string"},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "304 when the newest change was recorded in a second before this "
        "date, so none can share its second (ignored with If-None-Match).",
        "schema": {"type": "string"},
    },
]
VALIDATOR_HEADERS = {
    "ETag": {
        "description": "Changes whenever what this response shows changes for you; "
        "different for JSON and CSV.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the data last changed: the end of that change's second once "
        "every change of that second is in this answer, else its start (a date that "
        "revalidates only after a later answer).",
        "schema": {"type": "string"},
    },
}


#: What every throttled answer says of its budget (icc_portal.api.throttles), as
#: draft-ietf-httpapi-ratelimit-headers-11 writes it: structured fields (RFC 9651).
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": "The budget of the scope this request was counted in (read, write, "
        "sync; anonymous readers: anon, per address), as draft-ietf-httpapi-ratelimit-"
        'headers-11 writes it: `"read";q=1200;w=60` is 1200 requests (`q`) per 60 '
        "seconds (`w`).",
        "schema": {"type": "string", "example": '"read";q=1200;w=60'},
    },
    "RateLimit": {
        "description": "Where that budget stands now: `r` requests left, and `t` seconds "
        "until the oldest request counted leaves the window (within `t` seconds no more "
        'than `r` requests are allowed); `"read";r=1199;t=60`.',
        "schema": {"type": "string", "example": '"read";r=1199;t=60'},
    },
}


def document_rate_limits(result, generator, request, public):
    """Every operation but the health check: its answers' ``RateLimit`` and
    ``RateLimit-Policy`` headers (absent when the scope is not limited), a revalidation's
    304 too (it counts as a read)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or operation.get("operationId") == "health":
                continue
            for code, response in operation.get("responses", {}).items():
                if str(code).startswith(("2", "4")) or str(code) == "304":
                    response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
    return result


#: Reads that carry no validators: the health check, and the import templates (a file
#: made now, naming the moment it was made).
UNVALIDATED_READS = frozenset({"health", "imports_template_xlsx", "imports_template_csv"})


def document_conditional_reads(result, generator, request, public):
    """Every read: the conditional headers it takes, its 304, its validators."""
    for path in result.get("paths", {}).values():
        operation = path.get("get")
        if operation is None or operation.get("operationId") in UNVALIDATED_READS:
            continue
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        operation.setdefault("parameters", []).extend(
            header for header in CONDITIONAL_HEADERS if header["name"] not in names
        )
        responses = operation.setdefault("responses", {})
        responses.setdefault(
            "304", {"description": "Not modified: the ETag you sent is current. No body."}
        )
        ok = responses.get("200")
        if ok is not None:
            ok.setdefault("headers", {}).update(VALIDATOR_HEADERS)
    return result


def _first(operation_id: str, parameter: str, pointer: str) -> dict:
    return {"operationId": operation_id, "parameters": {parameter: f"$response.body#{pointer}"}}


#: How one answer leads to the next call (OpenAPI links): a generated client or a
#: stateful fuzzer (``make fuzz``) follows them, e.g. enter a figure, read it, change it
#: with the ETag it came with.
LINKS = {
    ("/api/v1/measurements/", "post", "201"): {
        "ReadTheFigure": _first("measurements_retrieve", "id", "/id"),
        "ChangeTheFigure": {
            "operationId": "measurements_partial_update",
            "parameters": {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
        },
        "ReplaceTheFigure": {
            "operationId": "measurements_update",
            "parameters": {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
        },
    },
    ("/api/v1/measurements/{id}/", "get", "200"): {
        "ChangeTheFigure": {
            "operationId": "measurements_partial_update",
            "parameters": {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
        },
    },
    ("/api/v1/measurements/{id}/", "patch", "200"): {
        "ReadTheFigure": _first("measurements_retrieve", "id", "/id"),
    },
    ("/api/v1/measurements/{id}/", "put", "200"): {
        "ReadTheFigure": _first("measurements_retrieve", "id", "/id"),
    },
    ("/api/v1/measurements/bulk/", "post", "200"): {
        "ReadTheFirstFigure": _first("measurements_retrieve", "id", "/results/0/measurement/id"),
    },
    ("/api/v1/measurements/", "get", "200"): {
        "ReadTheFirstFigure": _first("measurements_retrieve", "id", "/results/0/id"),
    },
    ("/api/v1/changes/", "get", "200"): {
        "ReadOn": _first("changes_list", "since", "/next"),
        "ReadTheFirstFigure": _first("measurements_retrieve", "id", "/results/0/id"),
    },
    ("/api/v1/consortia/", "get", "200"): {
        "ReadTheFirstConsortium": _first("consortia_retrieve", "slug", "/results/0/slug"),
        "ItsProgress": _first("progress_list", "consortium", "/results/0/slug"),
    },
    ("/api/v1/kpis/", "get", "200"): {
        "ReadTheFirstKpi": _first("kpis_retrieve", "id", "/results/0/id"),
    },
    ("/api/v1/cities/", "get", "200"): {
        "ReadTheFirstCity": _first("cities_retrieve", "slug", "/results/0/slug"),
    },
}


def add_links(result, generator, request, public):
    """The links of ``LINKS`` on their responses."""
    for (path, method, status), links in LINKS.items():
        response = result.get("paths", {}).get(path, {}).get(method, {}).get("responses", {})
        if status in response:
            response[status].setdefault("links", {}).update(links)
    return result


def add_csv_operations(result, generator, request, public):
    """Each read that also answers CSV gets a twin operation that answers CSV only.

    ``GET /api/v1/measurements/`` answers JSON or, asked for it, CSV: one operation, two
    media types. A client generator reads one media type per status (the first it
    supports), so a generated client could only parse the JSON. The twin, at the same
    resource with a ``.csv`` suffix (``/api/v1/measurements.csv``, DRF's format suffix),
    declares ``text/csv`` alone: its generated function returns the CSV text. Lists
    only (a figure's own CSV stays ``Accept: text/csv``): the twin path takes GET alone.

    DRF's ``?format=`` is left out of every operation: the media type is chosen by
    ``Accept`` or by the twin, and a client never meets a CSV body where the schema
    promised JSON. (The server still takes ``?format=csv``, as the README says.)
    """
    paths = result.get("paths", {})
    for path, operations in list(paths.items()):
        for operation in operations.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    parameter
                    for parameter in operation["parameters"]
                    if not (parameter["name"] == "format" and parameter["in"] == "query")
                ]
        read = operations.get("get")
        ok = (read or {}).get("responses", {}).get("200", {})
        if "text/csv" not in ok.get("content", {}) or "{" in path or path.endswith(".csv"):
            continue
        twin = copy.deepcopy(read)
        twin["operationId"] = f"{read['operationId']}_csv"
        twin["summary"] = f"{read.get('summary', '')} (CSV)".strip()
        twin["parameters"] = [
            parameter
            for parameter in twin.get("parameters", [])
            if parameter["name"] not in ("format", "page", "page_size", "cursor")
        ]
        twin["responses"]["200"]["content"] = {"text/csv": ok["content"]["text/csv"]}
        twin["responses"]["200"].pop("links", None)
        paths[path.rstrip("/") + ".csv"] = {"get": twin}
    return result
