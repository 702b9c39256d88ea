"""Uploads awaiting "Apply": the file's bytes, kept in the database for an hour.

The preview page's "Apply" sends back a signed token, not the file: the content stays
on the server, in the database every worker shares (not in one process's memory or on
one machine's disk), and is deleted once applied or after :data:`PENDING_HOURS`.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import City, Consortium

PENDING_HOURS = 1
SALT = "kpis.exchange.pending-import"


class PendingImport(models.Model):
    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=10)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("content"))
    preview_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("upload awaiting apply")
        verbose_name_plural = _("uploads awaiting apply")

    def __str__(self) -> str:
        return self.filename

    @property
    def signed_token(self) -> str:
        return signing.TimestampSigner(salt=SALT).sign(self.token)

    @classmethod
    def keep(cls, *, user, city, consortium, stage, filename, content, digest) -> PendingImport:
        """Store an upload for "Apply", and forget uploads older than the time allowed."""
        cutoff = timezone.now() - datetime.timedelta(hours=PENDING_HOURS)
        cls.objects.filter(created_at__lt=cutoff).delete()
        return cls.objects.create(
            token=secrets.token_urlsafe(32),
            user=user,
            city=city,
            consortium=consortium,
            stage=stage,
            filename=filename[:200],
            content=content,
            preview_digest=digest,
        )

    @classmethod
    def find(cls, signed: str, *, user, city, consortium, stage) -> PendingImport | None:
        """The user's upload for this page under ``signed``, if it is still kept."""
        try:
            token = signing.TimestampSigner(salt=SALT).unsign(
                signed, max_age=datetime.timedelta(hours=PENDING_HOURS)
            )
        except signing.BadSignature:
            return None
        return cls.objects.filter(
            token=token, user=user, city=city, consortium=consortium, stage=stage
        ).first()


class PreparedDocument(models.Model):
    """A consortium's document made in the background (:mod:`kpis.exchange.background`).

    One per consortium, document, format, language, reader's view (a digest of
    :func:`cities.access.visibility_class`) and data version: a change to the figures
    moves the version, so a kept document never outlives what it shows. ``content`` is
    empty until the task (``task_id``, django-tasks' database backend) has made it.
    """

    class Kind(models.TextChoices):
        DELIVERABLE = "deliverable", _("Deliverable")
        MATURITY = "maturity", _("Assessment of solution maturity")

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="+", verbose_name=_("consortium")
    )
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=16)
    view = models.CharField(_("reader's view"), max_length=64)
    version = models.CharField(_("data version"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("prepared document")
        verbose_name_plural = _("prepared documents")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "kind", "fmt", "language", "view", "version"],
                name="prepared_document_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consortium_id} {self.kind} {self.fmt} {self.language}"
