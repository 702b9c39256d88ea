"""Fixtures of the spreadsheet tests: a coordinator of Vänersborg in the SERN demo world
(enters Vänersborg's figures, and as coordinator of a lead city of solution 3 the
consortium's own UPREST figures), signed in. The shared code (a page's template, uploading
a file, workbooks, PDFs) is in :mod:`tests.helpers.exchange`."""

from __future__ import annotations

import pytest

from cities.models import City


@pytest.fixture
def sern_coordinator_vanersborg(sern):
    from tests.cities.factories import CityCoordinatorFactory, UserFactory

    user = UserFactory(username="sern-coord-vanersborg")
    CityCoordinatorFactory(user=user, city=City.objects.get(slug="vanersborg"))
    return user


@pytest.fixture
def vanersborg_client(client, sern_coordinator_vanersborg):
    client.force_login(sern_coordinator_vanersborg)
    return client
