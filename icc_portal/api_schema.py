"""The OpenAPI schema generator, told about ``ApiAccess`` so the schema says who may call.

drf-spectacular marks an operation as callable without credentials (``security: [{}]``)
only for DRF's own AllowAny/IsAuthenticatedOrReadOnly; our permission reads without
credentials when ``API_ALLOW_ANONYMOUS`` is on, and the schema must say so.
"""

from __future__ import annotations

from django.conf import settings
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
