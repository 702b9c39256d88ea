from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and profiles")

    def ready(self) -> None:
        # The review actions send a signal; the notices listen (kpis never imports notices).
        from . import receivers  # noqa: F401
