"""Property-based: every page, export and progress read of any consortium the model allows
answers, the progress API agrees with the overview cell by cell, and no unapproved figure
reaches an anonymous reader, nor the open data, whose catalogue passes DCAT-AP's shapes.

The consortia come from :func:`tests.helpers.consortia.consortium_specs`. The Hypothesis
profile is chosen by ``HYPOTHESIS_PROFILE`` (tests/conftest.py): ``ci``, a few derandomized
examples without PDFs under ``make test``; ``fuzz``, many random ones with PDFs too, under
``make fuzz-consortia``. A failing example found here becomes an ordinary test in
``tests/exchange/test_any_consortium.py``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import given, note
from rdflib import Graph

from changelog.kept import forget_here
from kpis.invariants import kpi_errors
from kpis.models import KPI
from kpis.vocabulary import STAGES
from tests.cities.factories import SteeringCommitteeMemberFactory, UserFactory
from tests.helpers.consortia import UNAPPROVED, build_consortium, consortium_specs
from tests.helpers.consortium_urls import PAGE_STAGES, consortium_urls
from tests.helpers.opendata import violations
from tests.helpers.tables import overview_cells

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

WITH_PDF = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"  # the long profile: PDFs too


def _text_of(response) -> str:
    """What a response says, a zipped document (XLSX, DOCX) unpacked."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def _api_cells(rows) -> dict[tuple[str, str], tuple[str, Decimal | None]]:
    cells = {}
    for row in rows:
        level = row["level"]
        column = {"city": f"city:{row['city']}", "country": f"country:{row['country']}"}.get(
            level, "consortium"
        )
        value = Decimal(row["value"]) if row["value"] is not None else None
        cells[(row["kpi_code"], column)] = (row["status"], value, row["value_kind"])
    return cells


def _page_number(figure: str) -> Decimal | None:
    """The number a cell shows in English: "1,234.5", "60 %", "Yes (12)"."""
    match = re.search(r"-?[\d,]+(?:\.\d+)?", figure)
    return Decimal(match.group().replace(",", "")) if match else None


def _all_progress(client, slug: str, stage: str) -> list[dict]:
    rows, url = [], f"/api/v1/progress/?consortium={slug}&stage={stage}&page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows


def check_consortium(consortium, *, with_pdf: bool) -> None:
    """Every page and export of one consortium answers its steering member (200) and an
    anonymous reader (200, or 404 when unpublished) without an unapproved figure; the
    overview agrees with the progress API cell by cell at every stage; an anonymous
    reader's progress rows are approved ones. An ``AssertionError`` names the URL."""
    steering = UserFactory(username=f"steering-{consortium.slug}", password=None)
    SteeringCommitteeMemberFactory(user=steering, consortium=consortium)
    member, anonymous = Client(), Client()
    member.force_login(steering)
    urls = [
        (kind, url) for kind, url in consortium_urls(consortium) if with_pdf or "pdf" not in kind
    ]
    for kind, url in urls:
        response = member.get(url)
        assert response.status_code == 200, (kind, url, response.status_code)
        seen = anonymous.get(url)
        # An unpublished consortium is a 404 to anonymous readers, or a page without it
        # (the overview shows the published ones, the progress API an empty list).
        expected = (200,) if consortium.is_published else (200, 404)
        assert seen.status_code in expected, (kind, url, "anonymous", seen.status_code)
        assert UNAPPROVED not in _text_of(seen), (kind, url, "an unapproved figure, anonymously")
    check_open_data(consortium, member, anonymous)
    for stage in PAGE_STAGES:
        page = member.get(f"/?consortium={consortium.slug}&stage={stage}")
        shown = overview_cells(page.content.decode())
        api = _api_cells(_all_progress(member, consortium.slug, stage))
        assert set(shown) == set(api), (stage, set(shown) ^ set(api))
        for key, (status, figure) in shown.items():
            api_status, api_value, value_kind = api[key]
            assert status == api_status, (stage, key, status, api_status)
            if value_kind == "number" and figure:
                assert _page_number(figure) == api_value, (stage, key, figure, api_value)
        if consortium.is_published:
            for row in _all_progress(anonymous, consortium.slug, stage):
                assert row["review_state"] in (None, "approved"), (stage, row)


def check_open_data(consortium, member: Client, anonymous: Client) -> None:
    """The open data (a published generated consortium offers it) holds no unapproved
    figure whoever asks, and its catalogue has no violation of DCAT-AP's shapes."""
    slug = consortium.slug
    urls = ["/open-data/", f"/open-data/{slug}/catalog.ttl"]
    urls += [f"/open-data/{slug}/{stage}.{fmt}" for stage in STAGES for fmt in ("csv", "xlsx")]
    urls += [f"/open-data/{slug}/cities/{city.slug}.csv" for city in consortium.cities.all()]
    for url in urls:
        for reader in (member, anonymous):
            seen = reader.get(url)
            assert seen.status_code in (200, 404), (url, seen.status_code)
            assert UNAPPROVED not in _text_of(seen), (url, "an unapproved figure in open data")
    catalogue = anonymous.get(f"/open-data/{slug}/catalog.ttl")
    assert catalogue.status_code == (200 if consortium.is_published else 404)
    if consortium.is_published:
        found, report = violations(Graph().parse(data=catalogue.content, format="turtle"))
        assert found == 0, report


@given(spec=consortium_specs())
def test_every_page_export_and_api_read_of_any_consortium_answers_and_agrees(spec):
    note(repr(spec))
    with transaction.atomic():
        cache.clear()
        forget_here()
        consortium = build_consortium(spec)
        for kpi in KPI.objects.filter(solution__consortium=consortium):
            assert kpi_errors(kpi) == {}, (kpi.code, kpi_errors(kpi))  # the model allows it
        try:
            check_consortium(consortium, with_pdf=WITH_PDF)
        finally:
            transaction.set_rollback(True)
