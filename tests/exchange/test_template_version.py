"""The template's hidden ``TEMPLATE_VERSION`` is read back on upload: a template of another
version is refused, saying to download a fresh one, in the reader's language, over the
web and the API, and nothing is stored."""

from __future__ import annotations

import io
from html import unescape

import pytest
from openpyxl import load_workbook

from kpis.exchange.template import META_SHEET, TEMPLATE_VERSION
from kpis.models import Measurement
from tests.helpers.api import client_for

pytestmark = pytest.mark.django_db

TEMPLATE = "/cities/vanersborg/report/final/template/xlsx/"
IMPORT = "/cities/vanersborg/report/final/import/"


def template_of_version(client, version: str | None) -> bytes:
    """This page's template, a figure filled in, its hidden version set to ``version``."""
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    workbook[workbook.sheetnames[0]]["G5"] = 3
    meta = workbook[META_SHEET]
    for row in meta.iter_rows(min_col=4, max_col=5):
        if row[0].value == "version":
            row[1].value = version
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, content: bytes, language: str = "en"):
    stream = io.BytesIO(content)
    stream.name = "figures.xlsx"
    return client.post(IMPORT, {"file": stream}, headers={"accept-language": language})


def test_the_current_version_is_what_the_template_writes(vanersborg_client):
    response = upload(vanersborg_client, template_of_version(vanersborg_client, TEMPLATE_VERSION))
    assert response.status_code == 200
    assert 'name="token"' in response.content.decode()  # the preview offers Apply


@pytest.mark.parametrize("version", ["0", "2", "", None])
def test_a_template_of_another_version_is_refused_saying_to_download_a_fresh_one(
    vanersborg_client, version
):
    before = Measurement.objects.count()
    response = upload(vanersborg_client, template_of_version(vanersborg_client, version))
    text = unescape(response.content.decode())
    assert response.status_code == 400
    assert "This template is of another version" in text
    assert "download a fresh template from this page" in text
    # The version the file says, or "?" when it says none.
    assert f"of another version ({version or '?'}) than the one this page reads" in text
    assert f"than the one this page reads ({TEMPLATE_VERSION})" in text
    assert 'name="token"' not in text
    assert Measurement.objects.count() == before


def test_a_note_beside_the_templates_facts_is_no_fault(vanersborg_client):
    """The facts are read from their two columns alone: a note typed beside them (or below
    the rows the template writes) leaves the template as good as it was."""
    content = template_of_version(vanersborg_client, TEMPLATE_VERSION)
    workbook = load_workbook(io.BytesIO(content))
    meta = workbook[META_SHEET]
    for row in range(1, 12):
        meta.cell(row=row, column=6, value="checked by the steering committee")
    stream = io.BytesIO()
    workbook.save(stream)
    response = upload(vanersborg_client, stream.getvalue())
    assert response.status_code == 200, unescape(response.content.decode())
    assert 'name="token"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("it", "scarica un nuovo modello da questa pagina"),
        ("sv", "ladda ner en ny mall från den här sidan"),
    ],
)
def test_the_refusal_is_translated(vanersborg_client, language, words):
    content = template_of_version(vanersborg_client, "0")
    response = upload(vanersborg_client, content, language)
    assert response.status_code == 400
    assert words in unescape(response.content.decode())


def test_the_api_refuses_it_with_its_code(vanersborg_client, sern_coordinator_vanersborg):
    content = template_of_version(vanersborg_client, "0")
    response = client_for(sern_coordinator_vanersborg).post(
        "/api/v1/imports/",
        {"file": io.BytesIO(content), "city": "vanersborg", "stage": "final"},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "other_template_version"
    assert "download a fresh template" in body["errors"]["file"][0]
