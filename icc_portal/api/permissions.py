"""The API's default permission.

DRF imports ``DEFAULT_PERMISSION_CLASSES`` while ``rest_framework.views`` is still
loading, so this module must not import the views (:mod:`icc_portal.api.errors` does).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission


class ApiAccess(BasePermission):
    """Reading needs no account unless ``API_ALLOW_ANONYMOUS`` is off; writing always does.

    Which rows a user sees is the querysets' business (``visible_to``); who may write
    which figure is the entry service's. An anonymous request refused here gets 401.
    """

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return request.method in SAFE_METHODS and settings.API_ALLOW_ANONYMOUS
