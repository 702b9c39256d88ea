"""Drop change-log rows older than ``CHANGES_RETENTION_DAYS``; feed cursors before them expire.

Run it daily (cron, a systemd timer). Each figure's newest row is kept (the feed reads
from it which figures a reader at a cursor could see); rows of deleted figures,
superseded rows and definition rows older than the retention go. The horizon a cursor
must have reached is what the dropped rows leave unsaid: for a superseded row, the row
that superseded it (a reader before that one would no longer find what they could see
at their cursor), for a deleted figure's row, that row itself (a reader before it would
miss the deletion). A cursor from before the horizon is answered 400 ("start again
from a snapshot"). A first sync never needs the old rows: it starts from a snapshot.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from changelog.models import Change, Horizon


class Command(BaseCommand):
    help = "Drop change-log rows older than CHANGES_RETENTION_DAYS (see README, API)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of CHANGES_RETENTION_DAYS.",
        )

    def handle(self, *args, days: int | None = None, **options):
        keep = days if days is not None else settings.CHANGES_RETENTION_DAYS
        cutoff = timezone.now() - datetime.timedelta(days=keep)
        newest = Change.objects.aggregate(newest=Max("id"))["newest"] or 0
        later = Change.objects.filter(
            measurement_id=OuterRef("measurement_id"), id__gt=OuterRef("id")
        )
        old = Change.objects.filter(recorded_at__lt=cutoff, id__lt=newest).filter(
            Q(measurement_id__isnull=True) | Q(deleted=True) | Exists(later)
        )
        successor = Subquery(
            Change.objects.filter(measurement_id=OuterRef("measurement_id"), id__gt=OuterRef("id"))
            .order_by("id")
            .values("id")[:1]
        )
        with transaction.atomic():
            through = max(
                old.filter(measurement_id__isnull=False, deleted=False)
                .annotate(successor=successor)
                .aggregate(through=Max("successor"))["through"]
                or 0,
                old.filter(deleted=True).aggregate(through=Max("id"))["through"] or 0,
            )
            deleted, _ = old.delete()
            if through:
                horizon, _ = Horizon.objects.get_or_create(pk=1)
                horizon.pruned_through = max(horizon.pruned_through, through)
                horizon.pruned_at = timezone.now()
                horizon.save()
        self.stdout.write(f"Dropped {deleted} change-log rows older than {keep} days.")
