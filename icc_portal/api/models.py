"""A token's own throttle limits, set by an admin (the site's defaults otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

RATE = RegexValidator(
    r"^(?:off|[1-9][0-9]{0,8}/(?:second|minute|hour|day))$",
    _('Write a number of requests per second, minute, hour or day ("2400/minute"), or off.'),
    code="invalid_rate",
)
RATE_HELP = _(
    'Requests per second, minute, hour or day ("2400/minute"), or off for no limit; '
    "empty: the site's default (%(setting)s)."
)
#: Where a user's limits are kept between requests (the throttle reads no table).
LIMITS_KEY = "icc-api-token-limits:{pk}"


def _rate_field(scope: str, setting: str):
    return models.CharField(
        scope,
        max_length=24,
        blank=True,
        validators=[RATE],
        # Interpolated when shown, in the reader's language (``%`` on the lazy text would
        # say it once, in English, at import).
        help_text=lazy(lambda: RATE_HELP % {"setting": setting}, str)(),
    )


class TokenLimits(models.Model):
    """Throttle limits of one user's API token, scope by scope (read, write, sync)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_token_limits",
        verbose_name=_("user"),
    )
    read = _rate_field(_("reading"), "API_THROTTLE_READ")
    write = _rate_field(_("writing"), "API_THROTTLE_WRITE")
    sync = _rate_field(_("syncing (the change feed)"), "API_THROTTLE_SYNC")

    class Meta:
        verbose_name = _("API token limits")
        verbose_name_plural = _("API token limits")

    def __str__(self) -> str:
        return str(self.user)

    def rates(self) -> dict[str, str]:
        """The limits set, by scope (a scope left empty is not named)."""
        return {
            scope: rate for scope in ("read", "write", "sync") if (rate := getattr(self, scope))
        }


@receiver(post_save, sender=TokenLimits)
@receiver(post_delete, sender=TokenLimits)
def forget_kept_limits(sender, instance, **kwargs) -> None:
    cache.delete(LIMITS_KEY.format(pk=instance.user_id))
