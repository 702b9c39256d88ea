"""Download Vänersborg's final template, fill it in, upload it: a preview first, then Apply
stores the accepted rows through the entry grid's write service (drafts, history, API)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings

from cities.models import City
from kpis.exchange.models import PendingImport
from kpis.models import Measurement, StageReview
from tests.helpers.api import client_for
from tests.helpers.exchange import (
    IMPORT,
    TEMPLATE,
    apply_token,
    as_bytes,
    colleague_saves_1_1,
    figures_sheet,
    row_of,
    upload,
    workbook_of,
)

pytestmark = pytest.mark.django_db
History = Measurement.history.model


def filled_template(client, values: dict[str, object]) -> bytes:
    """Vänersborg's final template with ``values`` (KPI code -> value cell) typed in."""
    workbook = workbook_of(client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    for code, value in values.items():
        sheet[f"G{row_of(sheet, code)}"] = value
    return as_bytes(workbook)


def counts() -> tuple[int, int, int]:
    return Measurement.objects.count(), History.objects.count(), StageReview.objects.count()


def test_the_template_lists_the_kpis_the_coordinator_enters_with_locked_and_hidden_columns(
    vanersborg_client,
):
    workbook = workbook_of(vanersborg_client.get(TEMPLATE))
    sheet = figures_sheet(workbook)
    codes = [sheet.cell(row=row, column=1).value for row in range(5, sheet.max_row + 1)]
    assert codes[:8] == ["1.1", "1.2", "1.3a", "1.3b", "1.4", "1.5a", "1.5b", "1.5c"]
    assert "1.3" not in codes  # a composite is reported through its parts
    assert sheet.protection.sheet and sheet["A5"].protection.locked
    assert not sheet["G5"].protection.locked
    assert sheet.column_dimensions["O"].hidden  # the version of each row
    assert workbook["_template"].sheet_state == "veryHidden"
    validated = {str(rule.sqref).split(":")[0] for rule in sheet.data_validations.dataValidation}
    assert {"G5", "H5", "J5", "N5"} <= validated


def test_three_rows_one_bad_preview_two_new_one_refused_and_apply_stores_two_drafts(
    vanersborg_client, sern_coordinator_vanersborg
):
    content = filled_template(vanersborg_client, {"1.1": 3, "1.2": 4, "1.3a": -2})
    before = counts()

    preview = upload(vanersborg_client, content, "vanersborg-final.xlsx")

    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 created" in text and "1 refused" in text
    assert "G7</strong>: A count cannot be negative." in text
    assert counts() == before  # the dry run stored nothing, history and reviews included

    response = vanersborg_client.post(IMPORT, {"token": apply_token(preview)})

    assert response.status_code == 302
    assert response["Location"] == "/cities/vanersborg/report/final/"
    stored = Measurement.objects.filter(city__slug="vanersborg", stage="final")
    assert sorted(stored.values_list("kpi__code", "value", "review_state")) == [
        ("1.1", Decimal("3"), "draft"),
        ("1.2", Decimal("4"), "draft"),
    ]
    assert not stored.filter(kpi__code="1.3a").exists()
    grid = vanersborg_client.get(response["Location"]).content.decode()
    assert "Stored 2 figures from vanersborg-final.xlsx." in grid
    kpi_id = stored.get(kpi__code="1.1").kpi_id
    assert f'name="kpi{kpi_id}-value" value="3"' in grid
    api = client_for(sern_coordinator_vanersborg).get(
        "/api/v1/measurements/", {"city": "vanersborg", "stage": "final", "kpi": "1.1"}
    )
    assert api.json()["results"][0]["value"] == "3"
    history = History.objects.filter(city__slug="vanersborg", stage="final")
    assert history.count() == 2
    assert {record.history_user for record in history} == {sern_coordinator_vanersborg}
    assert not PendingImport.objects.exists()  # the kept upload is gone once applied


def test_a_row_someone_changed_since_the_download_is_refused_naming_who(
    vanersborg_client, sern_coordinator_vanersborg
):
    vanersborg = City.objects.get(slug="vanersborg")
    content = filled_template(vanersborg_client, {"1.1": 3, "1.2": 4})
    kpi = colleague_saves_1_1(vanersborg, 5)

    preview = upload(vanersborg_client, content).content.decode()

    assert "1 created" in preview and "1 refused" in preview
    assert "colleague-vanersborg saved this figure on" in preview
    # An upload cannot be saved again as the grid can: it says to take a fresh template.
    assert "after the template was downloaded: it is now 5 (version 1)" in preview
    assert "download a fresh template from this page and enter your figure there" in preview
    assert "save again" not in preview
    assert Measurement.objects.get(kpi=kpi, city=vanersborg, stage="final").value == 5


def test_the_refusal_of_a_row_changed_since_the_download_speaks_italian(vanersborg_client):
    vanersborg = City.objects.get(slug="vanersborg")
    content = filled_template(vanersborg_client, {"1.1": 3})
    colleague_saves_1_1(vanersborg, 5)
    vanersborg_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"

    preview = upload(vanersborg_client, content).content.decode()

    assert "colleague-vanersborg ha salvato questo dato il" in preview
    assert "dopo che il modello è stato scaricato: ora è 5 (versione 1)" in preview
    assert "scarica un nuovo modello da questa pagina e inserisci lì il tuo dato" in preview


def test_a_row_left_as_downloaded_is_unchanged_even_if_the_figure_changed_since(
    vanersborg_client,
):
    vanersborg = City.objects.get(slug="vanersborg")
    content = filled_template(vanersborg_client, {"1.2": 4})
    colleague_saves_1_1(vanersborg, 5)

    preview = upload(vanersborg_client, content).content.decode()

    assert "1 created" in preview and "0 refused" in preview


def test_a_row_left_as_downloaded_stays_unchanged_after_a_colleague_saved_it_again(
    vanersborg_client,
):
    # The figure was in the template at version 1; a colleague saved it again since
    # (version 2). The row nobody touched is judged against what the template showed
    # (version 1), so it is unchanged, not refused as stale nor written back.
    from kpis.reporting.entry import RowInput, record_measurements

    vanersborg = City.objects.get(slug="vanersborg")
    kpi = colleague_saves_1_1(vanersborg, 5)
    content = filled_template(vanersborg_client, {"1.2": 4})
    from django.contrib.auth import get_user_model

    record_measurements(
        user=get_user_model().objects.get(username="colleague-vanersborg"),
        city=vanersborg,
        stage="final",
        rows=[RowInput(kpi=kpi, status="reported", value=Decimal(6), expected_version=1)],
    )

    preview = upload(vanersborg_client, content).content.decode()

    assert "1 created" in preview and "0 refused" in preview and "0 updated" in preview
    figure = Measurement.objects.get(kpi=kpi, city=vanersborg, stage="final")
    assert (figure.value, figure.version) == (6, 2)


def _csv_template_rows(client) -> list[dict]:
    """Vänersborg's final-stage CSV template, as rows keyed by its headings."""
    response = client.get("/cities/vanersborg/report/final/template/csv/")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _csv_of(rows: list[dict], delimiter: str = ",", columns: list[str] | None = None) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(
        stream, fieldnames=columns or list(rows[0]), delimiter=delimiter, extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue()


def test_the_csv_template_imports_the_same_way(vanersborg_client):
    rows = _csv_template_rows(vanersborg_client)
    assert rows[0]["kpi_code"] == "1.1" and rows[0]["city"] == "vanersborg"
    rows[0]["value"] = "3"
    rows[1]["value"] = "1,5"  # a count with a decimal: refused by the grid's rule

    preview = upload(vanersborg_client, _csv_of(rows).encode(), "figures.csv")

    text = preview.content.decode()
    assert "1 created" in text and "1 refused" in text
    assert "A count is a whole number." in text


def test_italian_numbers_in_a_csv_are_read_as_the_grid_reads_them(vanersborg_client):
    vanersborg_client.cookies["django_language"] = "it"
    rows = _csv_template_rows(vanersborg_client)
    rows[0]["value"] = "1.234"  # 1234 in Italian
    preview = upload(vanersborg_client, _csv_of(rows).encode(), "dati.csv")
    assert preview.status_code == 200
    vanersborg_client.post(IMPORT, {"token": apply_token(preview)})
    stored = Measurement.objects.get(city__slug="vanersborg", stage="final", kpi__code="1.1")
    assert stored.value == 1234


def test_apply_refuses_when_the_figures_changed_since_the_preview(vanersborg_client):
    vanersborg = City.objects.get(slug="vanersborg")
    preview = upload(vanersborg_client, filled_template(vanersborg_client, {"1.1": 3}))
    kpi = colleague_saves_1_1(vanersborg, 7)

    response = vanersborg_client.post(IMPORT, {"token": apply_token(preview)})

    assert response.status_code == 409
    assert "nothing was stored" in response.content.decode()
    assert Measurement.objects.get(kpi=kpi, city=vanersborg, stage="final").value == 7


def test_an_unknown_or_foreign_token_applies_nothing(vanersborg_client, sern_coordinator_cervia):
    preview = upload(vanersborg_client, filled_template(vanersborg_client, {"1.1": 3}))
    token = apply_token(preview)
    vanersborg_client.force_login(sern_coordinator_cervia)
    other = vanersborg_client.post("/cities/cervia/report/final/import/", {"token": token})
    assert other.status_code == 400
    forged = vanersborg_client.post("/cities/cervia/report/final/import/", {"token": "x:y"})
    assert forged.status_code == 400
    assert not Measurement.objects.filter(city__slug="vanersborg", stage="final").exists()


def test_who_may_not_enter_the_figures_may_not_import_them(client, sern_coordinator_cervia):
    assert client.get(IMPORT).status_code == 302  # to the login page
    client.force_login(sern_coordinator_cervia)
    assert client.get(IMPORT).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert upload(client, b"anything").status_code == 403


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "cp1252"), ("\t", "utf-8-sig"), (",", "cp1252")]
)
def test_a_csv_saved_by_a_spreadsheet_with_its_own_separator_and_encoding_imports(
    vanersborg_client, delimiter, encoding
):
    # An office suite set to Italian or Swedish saves CSV with ";" (and in Windows' own
    # encoding); a tab-separated save is the other common choice.
    rows = _csv_template_rows(vanersborg_client)
    rows[0]["value"] = "3"
    rows[0]["note"] = "Città, läget"
    content = _csv_of(rows, delimiter).encode(encoding)
    preview = upload(vanersborg_client, content, "figures.csv")
    assert preview.status_code == 200, preview.content
    assert "1 created" in preview.content.decode()
    vanersborg_client.post(IMPORT, {"token": apply_token(preview)})
    stored = Measurement.objects.get(city__slug="vanersborg", stage="final", kpi__code="1.1")
    assert (stored.value, stored.note) == (3, "Città, läget")


def test_a_csv_naming_kpis_by_code_alone_imports(vanersborg_client):
    rows = _csv_template_rows(vanersborg_client)
    rows[0]["value"] = "4"
    columns = [name for name in rows[0] if name != "kpi_id"]
    preview = upload(vanersborg_client, _csv_of(rows, columns=columns).encode(), "codes.csv")
    assert preview.status_code == 200, preview.content
    vanersborg_client.post(IMPORT, {"token": apply_token(preview)})
    stored = Measurement.objects.get(city__slug="vanersborg", stage="final", kpi__code="1.1")
    assert stored.value == 4


def test_a_csv_without_version_or_any_kpi_column_is_no_template(vanersborg_client):
    rows = _csv_template_rows(vanersborg_client)
    for dropped in (["version"], ["kpi_id", "kpi_code"]):
        columns = [name for name in rows[0] if name not in dropped]
        response = upload(vanersborg_client, _csv_of(rows, columns=columns).encode(), "x.csv")
        assert "does not have the template&#x27;s columns" in response.content.decode()
