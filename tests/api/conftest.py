"""Personas and clients for the API tests.

On top of the SERN demo data (``sern``): a coordinator of Ravenna and one of Cervia,
a steering committee member, a partner, an admin, and an anonymous visitor. Every
persona talks to the API through ``APIClient`` with its own DRF token.
"""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cities.models import City
from tests.cities.factories import (
    CityCoordinatorFactory,
    PartnerFactory,
    SteeringCommitteeMemberFactory,
    UserFactory,
)


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
def coordinator_ravenna(ravenna):
    return CityCoordinatorFactory(user=UserFactory(username="coord-ravenna"), city=ravenna).user


@pytest.fixture
def coordinator_cervia(cervia):
    return CityCoordinatorFactory(user=UserFactory(username="coord-cervia"), city=cervia).user


@pytest.fixture
def steering(sern):
    return SteeringCommitteeMemberFactory(user=UserFactory(username="steer"), consortium=sern).user


@pytest.fixture
def partner(sern):
    return PartnerFactory(user=UserFactory(username="analyst"), consortium=sern).user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def ravenna_client(coordinator_ravenna):
    return client_for(coordinator_ravenna)


@pytest.fixture
def cervia_client(coordinator_cervia):
    return client_for(coordinator_cervia)


@pytest.fixture
def steering_client(steering):
    return client_for(steering)


@pytest.fixture
def partner_client(partner):
    return client_for(partner)


@pytest.fixture
def admin_client_api(admin_user):
    return client_for(admin_user)


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
