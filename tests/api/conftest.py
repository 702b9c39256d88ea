"""Clients for the API tests: the SERN personas of ``tests/conftest.py`` (who may do what
is written there) and an anonymous visitor, each through ``APIClient`` with its own DRF
token.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cities.models import City
from tests.helpers.api import client_for


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


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
