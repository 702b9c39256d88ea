"""``manage.py send_notices``: send the notices still waiting in the outbox.

Meant for cron (every few minutes): the review actions send their notices as they commit,
and any the mail server refused wait here until it answers again. Running it twice, or in
two processes at once, sends each notice once (:func:`notices.outbox.deliver`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notices.outbox import deliver


class Command(BaseCommand):
    help = (
        "Send the e-mail notices still waiting (the mail server refused them, or the "
        "process ended before sending): each once, however often this runs."
    )

    def handle(self, *args, **options):
        delivery = deliver()
        self.stdout.write(
            f"Sent {delivery.sent} notice(s); {delivery.failed} refused by the mail server "
            f"this time; {delivery.waiting} waiting."
        )
        if delivery.failed:
            self.stderr.write(
                "The mail server refused some notices: they are kept and tried again on "
                "the next run (see Notices in the admin for the error)."
            )
