"""The set-password e-mail sent to a new user (by the user admin's "invite" action or a
data file): a link to Django's password-reset page, made with its token machinery, in
the user's language. A password is never sent, nor stored in a data file."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .mail import Recipient, absolute, send
from .models import profile_of


def set_password_link(user) -> str:
    """The one-use link where ``user`` chooses a password (valid ``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute(reverse("password_reset_confirm", args=[uid, token]))


def send_invitation(user) -> bool:
    """Send ``user`` the set-password e-mail in their language; False without an address
    or when sending failed (logged)."""
    if not user.email or not user.is_active:
        return False
    recipient = Recipient(user, user.email, profile_of(user).language)
    context = {"link": set_password_link(user), "login_url": absolute(reverse("login"))}
    return send(recipient, "invitation", context)
