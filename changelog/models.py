"""The change log's rows: see :mod:`changelog.log` for how they are written and ordered."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    """One change, in commit order (``id``): a figure's new state, or "definitions changed".

    A *figure* row (``measurement_id`` set) carries what decides who may see the figure
    after the change: its consortium, solution and city, its review state, whether the
    consortium is published, and whether the figure is gone. A *definition* row
    (``measurement_id`` empty) only says that something else the API shows changed
    (a KPI, a city, a role…); together the rows' highest ``id`` is the data version
    every ETag is computed from (:mod:`changelog.stamp`).

    No foreign keys: a row outlives the figure it speaks of (a deletion is a change).
    """

    class Reason(models.TextChoices):
        """Why a row was written; the feed passes it on (``reason``)."""

        CREATED = "created"
        UPDATED = "updated"  # icc_portal.figure_changes.FigureChange.UPDATED (was "edited")
        SUBMITTED = "submitted"
        APPROVED = "approved"
        RETURNED = "returned"
        REOPENED = "reopened"
        DELETED = "deleted"
        PUBLISHED = "published"  # its consortium was published
        UNPUBLISHED = "unpublished"  # its consortium was withdrawn from publication
        RENAMED = "renamed"  # its KPI code, solution number, city or consortium slug
        DEFINITION = "definition"  # not a figure: something else the API shows

    id = models.BigAutoField(primary_key=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    measurement_id = models.BigIntegerField(_("measurement"), null=True, blank=True)
    consortium_id = models.BigIntegerField(_("consortium"), null=True, blank=True)
    solution_id = models.BigIntegerField(_("solution"), null=True, blank=True)
    city_id = models.BigIntegerField(_("city"), null=True, blank=True)
    review_state = models.CharField(_("review state"), max_length=10, blank=True)
    published = models.BooleanField(_("consortium published"), default=False)
    deleted = models.BooleanField(_("deleted"), default=False)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["measurement_id", "id"], name="change_figure_idx"),
            # A consortium's data version: its newest row, one index lookup (versions.py).
            models.Index(fields=["consortium_id", "id"], name="change_consortium_idx"),
            # The versions of a page's parts (versions.part_version): a solution's newest
            # row, a city's, and a consortium's own figures' (no city).
            models.Index(fields=["solution_id", "id"], name="change_solution_idx"),
            models.Index(fields=["city_id", "id"], name="change_city_idx"),
            models.Index(fields=["consortium_id", "city_id", "id"], name="change_unit_idx"),
        ]

    def __str__(self) -> str:
        subject = f"figure {self.measurement_id}" if self.measurement_id else "definitions"
        return f"#{self.id} {subject} {self.reason}"


class Horizon(models.Model):
    """How far the log has been pruned: a feed cursor before ``pruned_through`` has expired.

    One row (``id`` 1); see ``manage.py prune_changes``.
    """

    pruned_through = models.BigIntegerField(_("pruned through"), default=0)
    pruned_at = models.DateTimeField(_("pruned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change log horizon")
        verbose_name_plural = _("change log horizon")

    def __str__(self) -> str:
        return f"pruned through #{self.pruned_through}"
