"""Clients for the API tests: the SERN personas of ``tests/conftest.py`` (who may do what
is written there) and an anonymous visitor, each through ``APIClient`` with its own DRF
token.
"""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cities.models import City


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def ravenna(sern):
    return City.objects.get(slug="ravenna")


@pytest.fixture
def cervia(sern):
    return City.objects.get(slug="cervia")


@pytest.fixture
def ravenna_client(sern_coordinator_ravenna):
    return client_for(sern_coordinator_ravenna)


@pytest.fixture
def cervia_client(sern_coordinator_cervia):
    return client_for(sern_coordinator_cervia)


@pytest.fixture
def steering_client(sern_steering):
    return client_for(sern_steering)


@pytest.fixture
def partner_client(sern_partner):
    return client_for(sern_partner)


@pytest.fixture
def admin_client_api(site_admin):
    return client_for(site_admin)


def assert_error_shape(response, status: int, *fields: str) -> dict:
    """The one error body: detail, code, and field errors (lists of strings) under errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["errors"], dict)
    for field in fields:
        assert field in body["errors"], body
        assert all(isinstance(message, str) for message in body["errors"][field]), body
    if not fields:
        assert body["errors"] == {} or status == 400, body
    return body
