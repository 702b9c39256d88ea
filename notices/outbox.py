"""The notices' outbox: written with the action, sent after it commits, retried until sent.

Contract
    queue(recipients, template, context) -> list[Notice]
        Render ``notices/email/<template>…`` in each recipient's language and write one
        :class:`~notices.models.Notice` each, in the caller's transaction (the action's:
        the notice exists exactly when the action does).
    deliver(pks=None, *, now=None) -> Delivery
        Send the notices waiting (those of ``pks``, or every one due): each is claimed
        first (``next_try_at`` moved on, in one UPDATE that only one sender can win), then
        sent; sent ones get ``sent_at``, refused ones their error and a later try
        (:data:`RETRY_AFTER`, doubling up to :data:`MAX_RETRY_AFTER`). Never raises for a
        mail server's failure; safe to run twice, or in two processes at once.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils import timezone

from . import mail
from .models import Notice

logger = logging.getLogger("notices")

#: How long a claimed notice is left to its sender before another may try it.
CLAIM = datetime.timedelta(minutes=10)
#: The wait after a first failure, doubled after each further one, up to the maximum.
RETRY_AFTER = datetime.timedelta(minutes=1)
MAX_RETRY_AFTER = datetime.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: int
    failed: int
    waiting: int  # still unsent after this run (failed now, or not yet due)


def queue(recipients: Iterable[mail.Recipient], template: str, context: dict) -> list[Notice]:
    notices = []
    for recipient in recipients:
        subject, text, html = mail.render(recipient, template, context)
        notices.append(
            Notice(
                recipient=recipient.user,
                email=recipient.email,
                template=template,
                subject=subject[:300],
                text=text,
                html=html,
            )
        )
    return Notice.objects.bulk_create(notices)


def retry_after(tries: int) -> datetime.timedelta:
    return min(RETRY_AFTER * 2 ** max(tries - 1, 0), MAX_RETRY_AFTER)


def waiting(now: datetime.datetime):
    """Notices not sent whose next try is due."""
    due = Q(next_try_at__isnull=True) | Q(next_try_at__lte=now)
    return Notice.objects.filter(due, sent_at__isnull=True)


def deliver(pks: Iterable[int] | None = None, *, now: datetime.datetime | None = None) -> Delivery:
    now = now or timezone.now()
    candidates = waiting(now)
    if pks is not None:
        candidates = candidates.filter(pk__in=list(pks))
    sent = failed = 0
    for pk in list(candidates.order_by("created_at", "pk").values_list("pk", flat=True)):
        claimed = waiting(now).filter(pk=pk).update(next_try_at=now + CLAIM)
        if not claimed:  # sent or claimed by another sender meanwhile
            continue
        notice = Notice.objects.select_related("recipient").get(pk=pk)
        try:
            _send(notice)
        except Exception as error:  # whatever the mail backend raises: kept for a later try
            failed += 1
            tries = notice.tries + 1
            Notice.objects.filter(pk=pk).update(
                tries=tries,
                next_try_at=now + retry_after(tries),
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
            logger.warning(
                "notice not sent: template=%s user=%s tries=%s error=%s",
                notice.template,
                notice.recipient.get_username(),
                tries,
                f"{type(error).__name__}: {error}",
            )
            continue
        sent += 1
        Notice.objects.filter(pk=pk).update(
            sent_at=timezone.now(), tries=notice.tries + 1, next_try_at=None, last_error=""
        )
        logger.info(
            "notice sent: template=%s user=%s", notice.template, notice.recipient.get_username()
        )
    unsent = Notice.objects.filter(sent_at__isnull=True)
    if pks is not None:
        unsent = unsent.filter(pk__in=list(pks))
    return Delivery(sent=sent, failed=failed, waiting=unsent.count())


def _send(notice: Notice) -> None:
    message = EmailMultiAlternatives(notice.subject, notice.text, to=[notice.email])
    if notice.html:
        message.attach_alternative(notice.html, "text/html")
    message.send()
