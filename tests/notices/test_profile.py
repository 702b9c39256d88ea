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
