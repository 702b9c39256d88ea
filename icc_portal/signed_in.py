"""The signed-in user read from the shared cache, never stale.

Every signed-in request needs its user (the session holds only the id). It is kept in
the shared cache under the definitions' version (:mod:`changelog.versions`), read once
per request with every other version: any save of a user but a login's ``last_login``
writes a definition row (:func:`changelog.signals.user_saved`), so a password changed,
an account deactivated or a superuser flag taken moves the key, and the next request
reads the row again. Only the first request after such a change queries the user.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from changelog import kept, versions


class KeptUserBackend(ModelBackend):
    """Django's model backend, its ``get_user`` answered from the cache within a request."""

    def get_user(self, user_id):
        known = versions.request_versions()
        if known is None:
            return super().get_user(user_id)
        key = kept.key("user", known.definitions.position, str(user_id))
        return kept.kept(key, lambda: super(KeptUserBackend, self).get_user(user_id))
