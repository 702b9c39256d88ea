"""The profile page: language and notices, linked from the header."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from notices.models import Profile

pytestmark = pytest.mark.django_db


def test_profile_page_needs_a_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_header_links_to_the_profile(client, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    html = client.get("/").content.decode()
    assert 'href="/accounts/profile/"' in html


def test_user_turns_notices_off_and_picks_italian(client, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    html = client.get(reverse("profile")).content.decode()
    assert "coord-ravenna@example.org" in html
    assert re.search(r'<input type="checkbox" name="receives_notices"[^>]* checked', html)
    response = client.post(reverse("profile"), {"language": "it"})  # box left unticked
    assert response.status_code == 302 and response.url.endswith("#outcome")
    assert response.cookies["django_language"].value == "it"
    profile = Profile.objects.get(user=coordinator_ravenna)
    assert (profile.language, profile.receives_notices) == ("it", False)
    html = client.get(response.url).content.decode()
    assert "Il tuo profilo è stato salvato." in html


def test_unknown_language_is_refused_beside_the_field(client, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    response = client.post(reverse("profile"), {"language": "xx", "receives_notices": "on"})
    assert response.status_code == 400
    assert "error-text" in response.content.decode()
    assert not Profile.objects.exists()


def signed_in_page(client, username: str) -> str:
    """Signs in through the login form, as a person does, and reads the page it leads to."""
    response = client.post(
        reverse("login"), {"username": username, "password": "pw-for-tests"}, follow=True
    )
    assert response.status_code == 200 and response.wsgi_request.user.is_authenticated
    return response.content.decode()


@pytest.fixture
def italian_coordinator(coordinator_ravenna):
    coordinator_ravenna.set_password("pw-for-tests")
    coordinator_ravenna.save()
    Profile.objects.create(user=coordinator_ravenna, language="it")
    return coordinator_ravenna


def test_a_fresh_login_speaks_the_profiles_language(client, italian_coordinator):
    """A browser that never chose a language (no cookie, an English Accept-Language)."""
    html = signed_in_page(client, italian_coordinator.username)
    assert '<html lang="it"' in html
    assert client.cookies["django_language"].value == "it"
    assert '<html lang="it"' in client.get("/").content.decode()


def test_a_login_in_a_browser_whose_cookie_names_another_language_speaks_the_profiles(
    client, italian_coordinator
):
    """The cookie was left by another visit in Swedish; the profile says Italian: the
    profile wins, from the page the login leads to on."""
    client.cookies["django_language"] = "sv"
    assert '<html lang="sv"' in client.get(reverse("login")).content.decode()
    assert '<html lang="it"' in signed_in_page(client, italian_coordinator.username)
    assert client.cookies["django_language"].value == "it"
    assert '<html lang="it"' in client.get("/").content.decode()
    assert Profile.objects.get(user=italian_coordinator).language == "it"


def test_another_device_follows_the_header_switch(client, italian_coordinator):
    client.force_login(italian_coordinator)
    switched = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert switched.status_code == 302 and switched.cookies["django_language"].value == "sv"
    assert Profile.objects.get(user=italian_coordinator).language == "sv"
    other_device = type(client)()
    assert '<html lang="sv"' in signed_in_page(other_device, italian_coordinator.username)


def test_the_switch_keeps_nothing_for_a_visitor_or_an_unknown_language(client, italian_coordinator):
    visitor = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert visitor.cookies["django_language"].value == "sv"
    client.force_login(italian_coordinator)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert Profile.objects.get(user=italian_coordinator).language == "it"


def test_a_login_without_a_chosen_language_keeps_the_browsers(client, coordinator_ravenna):
    coordinator_ravenna.set_password("pw-for-tests")
    coordinator_ravenna.save()
    client.cookies["django_language"] = "sv"
    assert '<html lang="sv"' in signed_in_page(client, coordinator_ravenna.username)
    assert not Profile.objects.exists()
