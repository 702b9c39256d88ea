"""The OpenAPI schema: who may call, how a token is sent, what every read and write answers.

* drf-spectacular marks an operation as callable without credentials (``security: [{}]``)
  only for DRF's own AllowAny/IsAuthenticatedOrReadOnly; our permission reads without
  credentials when ``API_ALLOW_ANONYMOUS`` is on, and the schema must say so.
* The token scheme is our own class (``icc_portal.api_auth``): declared here as an
  ``apiKey`` in the ``Authorization`` header with the ``Token`` prefix, so a generated
  client sends ``Token <key>`` (any other scheme is a 401).
* Conditional reads (``icc_portal.api_validators``): every read documents
  ``If-None-Match`` and ``If-Modified-Since``, its 304, and the ``ETag`` and
  ``Last-Modified`` headers of its 200.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import SAFE_METHODS

from .api_access import ApiAccess


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

    target_class = "icc_portal.api_auth.TokenAuthentication"
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
        "description": "304 when nothing changed since (ignored with If-None-Match).",
        "schema": {"type": "string"},
    },
]
VALIDATOR_HEADERS = {
    "ETag": {
        "description": "Changes whenever what this response shows changes for you; "
        "different for JSON and CSV.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {"description": "When the data last changed.", "schema": {"type": "string"}},
}


def document_conditional_reads(result, generator, request, public):
    """Every read: the conditional headers it takes, its 304, its validators."""
    for path in result.get("paths", {}).values():
        operation = path.get("get")
        if operation is None or operation.get("operationId") == "health":
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
