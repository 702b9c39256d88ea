from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Its own app (label ``exchange``) for its one model, the uploads awaiting "Apply"."""

    name = "kpis.exchange"
    label = "exchange"
    verbose_name = _("Spreadsheet imports")
    default_auto_field = "django.db.models.BigAutoField"
