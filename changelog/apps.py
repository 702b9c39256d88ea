from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangelogConfig(AppConfig):
    name = "changelog"
    verbose_name = _("Change log")

    def ready(self) -> None:
        from . import signals

        signals.connect()
