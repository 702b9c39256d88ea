"""Fixtures of the spreadsheet tests: SERN's coordinator of Vänersborg (a persona of
tests/conftest.py), signed in, and the final stage's template as they download it. The
shared code (a page's template, uploading a file, workbooks, PDFs) is in
:mod:`tests.helpers.exchange`."""

from __future__ import annotations

import pytest


@pytest.fixture
def vanersborg_client(client, sern_coordinator_vanersborg):
    client.force_login(sern_coordinator_vanersborg)
    return client


@pytest.fixture
def template(vanersborg_client):
    """Vänersborg's final-stage template as its coordinator downloads it (an openpyxl
    workbook, 14 KPIs), to be changed and uploaded."""
    from tests.helpers.exchange import TEMPLATE, workbook_of

    return workbook_of(vanersborg_client.get(TEMPLATE))
