"""Django's password pages (forgotten password, and the set-password page each invitation
links to) are the portal's pages, in the reader's language, not the admin's."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-password-2026"


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_forgotten_password_is_set_again_on_the_portals_pages(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(username="anna", email="anna@example.org")
    login = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in login

    form = client.get("/accounts/password_reset/")
    assert "Django" not in text(form)
    assert 'aria-label="Main"' in form.content.decode()  # the portal's header
    done = client.post("/accounts/password_reset/", {"email": "anna@example.org"}, follow=True)
    assert "We’ve emailed you instructions for setting your password" in text(done)
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)

    page = client.get(link, follow=True, headers={"accept-language": "it"})
    assert "Il tuo nome utente è anna." in text(page)
    assert "Django" not in text(page)
    done = client.post(
        page.wsgi_request.path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password has been set. You may go ahead and log in now." in text(done)
    assert client.login(username="anna", password=NEW_PASSWORD)

    used = client.get(link, follow=True)
    assert "This link has already been used or is too old." in text(used)
    assert 'href="/accounts/password_reset/"' in used.content.decode()
