"""The base layout and the empty home page, on an empty database."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_without_data_explains_how_to_load_it(client):
    response = client.get(reverse("home"))
    assert "load_demo" in response.content.decode()


def test_layout_has_login_and_language_switch(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("login") in html
    assert 'name="language"' in html
    assert 'lang="en"' in html


def test_logged_in_user_can_log_out(client, django_user_model):
    user = django_user_model.objects.create_user("ana.rossi", password="s3cret-pass-123")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    # The header names the signed-in user (linking to their profile) beside "Log out".
    assert re.search(
        r'<a class="user-name" href="/accounts/profile/"[^>]*>'
        r'<span class="visually-hidden">Your profile: </span>ana\.rossi</a>',
        html,
    )
    assert re.search(r'<button type="submit"[^>]*>Log out</button>', html)
    response = client.post(reverse("logout"))
    assert (response.status_code, response.url) == (302, "/")
    assert "_auth_user_id" not in client.session
    html = client.get(reverse("home")).content.decode()
    assert "ana.rossi" not in html and "Log out" not in html


def test_language_switch_shows_italian(client):
    client.post(reverse("set_language"), {"language": "it", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert 'lang="it"' in html


def test_signed_in_user_finds_the_api_access_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ana", password="s3cret-pass-123"))
    html = client.get(reverse("home")).content.decode()
    assert 'href="/accounts/api-token/"' in html
    assert client.get("/accounts/api-token/").status_code == 200


def test_anonymous_visitor_sees_no_api_access_link(client):
    assert "/accounts/api-token/" not in client.get(reverse("home")).content.decode()
