"""The "API access" page: a signed-in user shows, creates, regenerates and revokes a token."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/accounts/api-token/"


def test_the_page_has_its_url():
    assert reverse("api:token") == URL


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_posting_anonymously_creates_nothing(client):
    response = client.post(URL, {"action": "create"})
    assert response.status_code == 302
    assert not Token.objects.exists()


def test_create_then_use_the_token(client, sern_partner):
    client.force_login(sern_partner)
    page = client.get(URL)
    assert page.status_code == 200
    assert b"You have no API token yet." in page.content
    response = client.post(URL, {"action": "create"}, follow=True)
    token = Token.objects.get(user=sern_partner)
    assert token.key.encode() in response.content
    assert b"Your API token has been created." in response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/measurements/").status_code == 200


def test_regenerate_replaces_the_old_token(client, sern_partner):
    old = Token.objects.create(user=sern_partner).key
    client.force_login(sern_partner)
    client.post(URL, {"action": "regenerate"})
    new = Token.objects.get(user=sern_partner).key
    assert new != old
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get("/api/v1/measurements/").status_code == 401


def test_revoke_deletes_the_token(client, sern_partner):
    Token.objects.create(user=sern_partner)
    client.force_login(sern_partner)
    response = client.post(URL, {"action": "revoke"}, follow=True)
    assert not Token.objects.filter(user=sern_partner).exists()
    assert b"revoked" in response.content


def test_unknown_action_changes_nothing(client, sern_partner):
    token = Token.objects.create(user=sern_partner)
    client.force_login(sern_partner)
    response = client.post(URL, {"action": "steal"}, follow=True)
    assert Token.objects.get(user=sern_partner).key == token.key
    assert b"Unknown action." in response.content


def test_the_page_shows_only_the_users_own_token(client, sern_partner, sern_steering):
    other = Token.objects.create(user=sern_steering)
    mine = Token.objects.create(user=sern_partner)
    client.force_login(sern_partner)
    content = client.get(URL).content
    assert mine.key.encode() in content
    assert other.key.encode() not in content


def test_posting_needs_the_csrf_token(sern_partner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sern_partner)
    assert client.post(URL, {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=sern_partner).exists()
