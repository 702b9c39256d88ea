"""An imported note holding a right-to-left override is refused on its row, with its cell,
in the grid's words: the import reads free text as strictly as the grid does."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

TEMPLATE = "/cities/vanersborg/report/final/template/xlsx/"
IMPORT = "/cities/vanersborg/report/final/import/"


def test_an_imported_note_with_an_override_refuses_its_row_with_the_cell(vanersborg_client):
    workbook = load_workbook(io.BytesIO(vanersborg_client.get(TEMPLATE).content))
    sheet = workbook[workbook.sheetnames[0]]
    sheet["G5"], sheet["L5"] = 3, "see annex\u202e fdp.exe"
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    content.name = "figures.xlsx"

    response = vanersborg_client.post(IMPORT, {"file": content})

    text = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "1 refused" in text
    assert "L5</strong>: This text holds invisible characters that change how it reads" in text
