from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The API's shared machinery; its one model is a token's throttle limits."""

    name = "icc_portal.api"
    label = "api"
    verbose_name = _("API access")
    default_auto_field = "django.db.models.BigAutoField"
