from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and profiles")

    def ready(self) -> None:
        # The review actions send a signal; the notices listen (kpis never imports notices).
        # A login writes the profile's language to the browser's cookie.
        from . import (
            language,  # noqa: F401
            receivers,  # noqa: F401
        )
