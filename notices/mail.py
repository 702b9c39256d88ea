"""One notice rendered in the recipient's language, text with an HTML alternative.

The review actions' notices go through the outbox (:mod:`notices.outbox`): written with
the action, sent after it commits, retried until sent. :func:`send` renders and sends at
once (the daily reminders, which keep their own record of what was sent); a failure to
send is logged and never raised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Profile

logger = logging.getLogger("notices")


@dataclass(frozen=True, slots=True)
class Recipient:
    user: object
    email: str
    language: str


def recipients(users) -> list[Recipient]:
    """Those of ``users`` who want notices and have an address, with their language (one query)."""
    users = [user for user in users if user.is_active and user.email]
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(user__in=[user.pk for user in users])
    }
    found = []
    for user in sorted(users, key=lambda user: user.pk):
        profile = profiles.get(user.pk) or Profile(user=user)
        if profile.receives_notices:
            found.append(Recipient(user, user.email, profile.language or settings.LANGUAGE_CODE))
    return found


def absolute(path: str) -> str:
    """A link for an e-mail: the portal's address (``PORTAL_URL``) and the path."""
    return settings.PORTAL_URL.rstrip("/") + path


def render(recipient: Recipient, template: str, context: dict) -> tuple[str, str, str]:
    """``notices/email/<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's
    language: (subject on one line, text, HTML)."""
    context = {**context, "recipient": recipient.user}
    with translation.override(recipient.language):
        subject = " ".join(
            render_to_string(f"notices/email/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"notices/email/{template}.txt", context)
        html = render_to_string(f"notices/email/{template}.html", context)
    return subject, text, html


def send(recipient: Recipient, template: str, context: dict) -> bool:
    """Render the notice (:func:`render`) and send it at once. ``True`` when sent; a failure
    is logged."""
    try:
        subject, text, html = render(recipient, template, context)
        message = EmailMultiAlternatives(subject, text, to=[recipient.email])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        logger.exception(
            "notice not sent: template=%s user=%s", template, recipient.user.get_username()
        )
        return False
    logger.info("notice sent: template=%s user=%s", template, recipient.user.get_username())
    return True
