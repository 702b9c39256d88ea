"""Fixtures of the spreadsheet tests: SERN's coordinator of Vänersborg (a persona of
tests/conftest.py), signed in. The shared code (a page's template, uploading a file,
workbooks, PDFs) is in :mod:`tests.helpers.exchange`."""

from __future__ import annotations

import pytest


@pytest.fixture
def vanersborg_client(client, sern_coordinator_vanersborg):
    client.force_login(sern_coordinator_vanersborg)
    return client
