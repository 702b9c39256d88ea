"""``manage.py send_reminders --days 14``: remind coordinators of the figures still missing.

Meant for a daily cron job or systemd timer; running it twice a day sends nothing new
(one reminder per stage and person a day, recorded in the database).
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notices.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail the coordinators of every city whose stage's roadmap phase ends within "
        "--days days (or has ended) the figures still missing. Once a day per stage and person."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=14, help="Days before a phase's end (default 14)."
        )
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD), e.g. to test."
        )

    def handle(self, *args, days: int, today: str | None, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date such as 2026-11-27.") from None
        sent, skipped = send_reminders(day, days)
        self.stdout.write(f"Sent {sent} reminder(s); {skipped} already sent on {day}.")
