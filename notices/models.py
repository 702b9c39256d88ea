"""A user's preferences for notices, and the reminders already sent (one a day each)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.models import City, Consortium
from kpis.vocabulary import ReportingStage


class Profile(models.Model):
    """What a user chose on their profile page. A user without one gets the defaults:
    the site's language and notices on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the portal and of the e-mails you receive."),
    )
    receives_notices = models.BooleanField(
        _("e-mail notices"),
        default=True,
        help_text=_(
            "E-mails when a stage is submitted, returned, approved or reopened, and reminders "
            "of missing figures."
        ),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


def profile_of(user) -> Profile:
    """The user's profile, or an unsaved one with the defaults (one query)."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


class ReminderSent(models.Model):
    """One reminder to one person about one unit's stage on one day: sent at most once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="+", verbose_name=_("consortium")
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=ReportingStage.choices)
    day = models.DateField(_("day"))
    missing = models.PositiveIntegerField(_("figures missing"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "consortium", "city", "stage", "day"],
                condition=Q(city__isnull=False),
                name="reminder_once_a_day_per_city",
            ),
            models.UniqueConstraint(
                fields=["user", "consortium", "stage", "day"],
                condition=Q(city__isnull=True),
                name="reminder_once_a_day_per_consortium",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.city or self.consortium} – {self.stage} – {self.day}"


class Notice(models.Model):
    """One e-mail to one person, written in the transaction of the action that caused it
    (an outbox): rendered in the recipient's language when written, sent after the action
    commits, and kept until sent. A notice the mail server refused waits for the next try
    (``manage.py send_notices``, from cron), however long the server is down.

    ``next_try_at`` both spaces the tries out and claims a notice while one process sends
    it, so two senders never send it twice (:func:`notices.outbox.deliver`).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    template = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "next_try_at"], name="notice_waiting")]

    def __str__(self) -> str:
        return f"{self.email} – {self.subject}"
