"""Targets relative to each unit's baseline, through the public surface.

A consortium's `change` KPI of +50 % in each city: Trollhättan from a baseline of 1 to a
final 10 (met: its own target is 1.5), Vänersborg from 10 to 10 (missed: 15), Ravenna
with no baseline at all (said to have none, never guessed). And a −20 % lower-is-better
share (72.5 % -> 58 %). Read as a steering committee and a partner would: the progress
API, the KPI API, the overview, city and KPI pages (English, Italian, Swedish on one cache),
the overview's XLSX and CSV, the city's maturity tables (XLSX, DOCX), the entry grid;
and the KPI page read again after the baseline moved, on the same cache.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from changelog.kept import forget_here
from kpis.models import KPI, Measurement
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_round():
    """Three cities with a +50 % count KPI (1.1) and a −20 % share of trips by car (1.2)."""
    consortium = ConsortiumFactory(name="Lanterns", slug="lanterns")
    cities = {
        slug: CityFactory(name=name, slug=slug, country=country)
        for slug, name, country in (
            ("trollhattan", "Trollhättan", "SE"),
            ("vanersborg", "Vänersborg", "SE"),
            ("ravenna", "Ravenna", "IT"),
        )
    }
    for city in cities.values():
        MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(
        consortium=consortium, number=1, implementing_cities=list(cities.values())
    )
    deals = KPIFactory(
        solution=solution,
        code="1.1",
        name="Local Green Deal signatories",
        unit="signatories",
        target_value=Decimal(50),
        target_basis=KPI.TargetBasis.CHANGE,
    )
    car = KPIFactory(
        solution=solution,
        code="1.2",
        name="Trips by car",
        unit="%",
        value_type=KPI.ValueType.PERCENT,
        direction=KPI.Direction.LOWER,
        target_value=Decimal(-20),
        target_basis=KPI.TargetBasis.CHANGE,
        rollup=KPI.Rollup.MEAN,
    )
    for slug, baseline in (("trollhattan", 1), ("vanersborg", 10)):
        MeasurementFactory(kpi=deals, city=cities[slug], stage="baseline", value=baseline)
    for city in cities.values():
        MeasurementFactory(kpi=deals, city=city, stage="final", value=10)
    MeasurementFactory(kpi=car, city=cities["trollhattan"], stage="baseline", value=Decimal("72.5"))
    MeasurementFactory(kpi=car, city=cities["trollhattan"], stage="final", value=55)
    return consortium, cities, deals, car


def progress(client, **query):
    query = {"consortium": "lanterns", "stage": "final", **query}
    rows = client.get("/api/v1/progress/", query).json()["results"]
    return {(row["kpi_code"], row["city"] or row["level"]): row for row in rows}


def without_legend(body: str) -> str:
    return re.sub(r'<div class="legend".*?</div>', "", body, flags=re.S)


# The done-when of issue 21, item 2


def test_plus_fifty_percent_is_met_from_one_missed_from_ten_and_ravenna_has_no_baseline(
    change_round, client
):
    rows = progress(client)

    trollhattan, vanersborg = rows[("1.1", "trollhattan")], rows[("1.1", "vanersborg")]
    ravenna, whole = rows[("1.1", "ravenna")], rows[("1.1", "consortium")]
    assert (trollhattan["status"], trollhattan["target"], trollhattan["baseline"]) == (
        "achieved",
        "1.5",
        "1",
    )
    assert (vanersborg["status"], vanersborg["target"], vanersborg["baseline"]) == (
        "behind",
        "15",
        "10",
    )
    assert (ravenna["status"], ravenna["target"], ravenna["baseline"], ravenna["ratio"]) == (
        "no_baseline",
        None,
        None,
        None,
    )
    assert {row["target_basis"] for row in rows.values()} == {"change"}
    # The consortium: behind (Vänersborg), which no baseline of Ravenna's could undo.
    assert (whole["status"], whole["units_at_target"], whole["units"]) == ("behind", 1, 3)
    assert whole["target"] is None  # not every city has a baseline: no sum of own targets


def test_the_consortium_says_no_baseline_when_no_city_is_behind(change_round, client):
    consortium, cities, deals, car = change_round
    Measurement.objects.filter(kpi=deals, city=cities["vanersborg"], stage="final").update(value=15)

    rows = progress(client, kpi="1.1", level="consortium")

    assert rows[("1.1", "consortium")]["status"] == "no_baseline"


def test_with_every_baseline_the_consortium_shows_the_sum_of_own_targets(change_round, client):
    consortium, cities, deals, car = change_round
    MeasurementFactory(kpi=deals, city=cities["ravenna"], stage="baseline", value=2)

    whole = progress(client, kpi="1.1", level="consortium")[("1.1", "consortium")]
    mean = progress(client, kpi="1.2", level="consortium")[("1.2", "consortium")]

    assert (whole["value"], whole["target"], whole["baseline"]) == ("30", "19.5", "13")
    assert whole["status"] == "behind"
    assert mean["status"] == "incomplete"  # only Trollhättan reported the share


def test_the_baseline_stage_is_the_starting_point_with_its_own_target(change_round, client):
    rows = progress(client, stage="baseline")

    assert rows[("1.1", "trollhattan")]["status"] == "starting_point"
    assert rows[("1.1", "trollhattan")]["target"] == "1.5"
    assert rows[("1.2", "trollhattan")]["target"] == "58"
    assert rows[("1.1", "ravenna")]["status"] == "no_data"


def test_the_kpi_api_exposes_the_target_basis(change_round, client):
    rows = client.get("/api/v1/kpis/", {"consortium": "lanterns"}).json()["results"]

    by_code = {row["code"]: row for row in rows}
    assert (by_code["1.1"]["target_basis"], by_code["1.1"]["target_value"]) == ("change", "50")
    assert (by_code["1.2"]["target_basis"], by_code["1.2"]["target_value"]) == ("change", "-20")


def test_the_schema_documents_the_basis_and_the_no_baseline_status(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    status_enum = next(
        values["enum"]
        for name, values in schema.items()
        if "no_baseline" in values.get("enum", []) and "starting_point" in values["enum"]
    )
    assert "no_baseline" in status_enum
    assert "target_basis" in schema["KPI"]["properties"]
    assert "baseline" in schema["ProgressRow"]["properties"]


# Pages: English, Italian, then Swedish, one cache


def test_the_pages_show_each_units_own_target_beside_its_baseline(change_round, client):
    consortium, cities, deals, car = change_round
    pages = {
        "/?consortium=lanterns&stage=final": ["1.5", "15", "72.5"],
        "/cities/trollhattan/?consortium=lanterns": ["1.5", "72.5"],
        f"/kpis/{deals.pk}/": ["1.5", "15"],
        f"/kpis/{car.pk}/": ["72.5"],
    }
    for language, words in (
        ("en", {"from": "from", "none": "No baseline", "target": "+50 % from 1 = 1.5"}),
        ("it", {"from": "da", "none": "Nessun dato di partenza", "target": "+50 % da 1 = 1,5"}),
        ("sv", {"from": "från", "none": "Inget utgångsvärde", "target": "+50 % från 1 = 1,5"}),
    ):
        reader = Client(HTTP_ACCEPT_LANGUAGE=language)
        for url, numbers in pages.items():
            body = without_legend(reader.get(url).content.decode())
            assert f" {words['from']} " in body, (language, url)
            if "1.5" in numbers:
                assert words["target"] in body, (language, url)
            if "72.5" in numbers:
                sixty = {
                    "en": "−20 % from 72.5 = 58",
                    "it": "−20 % da 72,5 = 58",
                    "sv": "−20 % från 72,5 = 58",
                }[language]
                assert sixty in body, (language, url)
            if url != f"/kpis/{car.pk}/" and "cities/" not in url:
                assert words["none"] in body, (language, url)  # Ravenna
                assert re.search(r"s(tatus)?-no_baseline\b", body), (language, url)


def test_the_legend_and_the_summary_name_no_baseline(change_round, client):
    body = client.get("/?consortium=lanterns&stage=final").content.decode()

    assert 'class="status status-no_baseline">No baseline<' in body
    assert re.search(r'count-no_baseline"><span class="count-word">No baseline</span>: 1', body)


def test_the_kpi_page_follows_a_moved_baseline_on_the_same_cache(change_round, site_admin):
    """A reader reads the page, the baseline changes through the API, the reader reads
    again: the kept page moved with the data version, and the own target with it."""
    consortium, cities, deals, car = change_round
    figure = Measurement.objects.get(kpi=deals, city=cities["trollhattan"], stage="baseline")
    Measurement.objects.filter(pk=figure.pk).update(review_state="draft")  # open to correction
    reader = Client()
    reader.force_login(site_admin)  # sees drafts
    url = f"/kpis/{deals.pk}/"
    before = reader.get(url).content.decode()
    writer = APIClient()
    writer.force_login(site_admin)

    response = writer.patch(
        f"/api/v1/measurements/{figure.pk}/",
        {"value": "8", "version": figure.version},
        format="json",
    )
    after = reader.get(url).content.decode()

    assert response.status_code == 200, response.content
    assert "+50 % from 1 = 1.5" in before and "+50 % from 1 = 1.5" not in after
    assert "+50 % from 8 = 12" in after  # the final 10 now falls short of 12
    trollhattan = progress(reader, kpi="1.1", city="trollhattan")[("1.1", "trollhattan")]
    assert trollhattan["status"] == "behind"
    # Anonymous readers see approved figures only: the draft baseline is none to them.
    anonymous = progress(Client(), kpi="1.1", city="trollhattan")[("1.1", "trollhattan")]
    assert anonymous["status"] == "no_baseline"


# Exports


def test_the_overview_xlsx_and_csv_write_own_targets_and_no_baseline(change_round, client):
    workbook = load_workbook(
        io.BytesIO(client.get("/consortia/lanterns/matrix/xlsx/?stage=final").content)
    )
    summary, solution = workbook.worksheets
    words = [value for row in solution.iter_rows(values_only=True) for value in row if value]
    header = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Column")
    ravenna = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Ravenna")
    answer = client.get("/consortia/lanterns/matrix/csv/?stage=final")
    csv = b"".join(answer.streaming_content).decode()

    assert "Achieved · 1,800 % · +50 % from 1 = 1.5" in words
    assert "Behind · 0 % · +50 % from 10 = 15" in words
    assert "No baseline" in words
    assert "+50 % from each city's baseline" in words  # the KPI's target
    assert ravenna[header.index("No baseline")] == 1
    assert "+50 % from 1 = 1.5" in csv and "no_baseline" in csv


def test_the_city_maturity_tables_show_the_citys_own_target(change_round, client):
    workbook = load_workbook(io.BytesIO(client.get("/cities/trollhattan/maturity/xlsx/").content))
    document = Document(io.BytesIO(client.get("/cities/trollhattan/maturity/docx/").content))
    ravenna = Document(io.BytesIO(client.get("/cities/ravenna/maturity/docx/").content))

    cells = {value for row in workbook.active.iter_rows(values_only=True) for value in row}
    texts = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    none = {cell.text for table in ravenna.tables for row in table.rows for cell in row.cells}
    assert {"+50 % from 1 = 1.5", "−20 % from 72.5 = 58"} <= cells
    assert {"+50 % from 1 = 1.5", "−20 % from 72.5 = 58"} <= texts
    assert "+50 % from each city's baseline" in none  # Ravenna: no own target to say


# The entry grid


def test_the_grid_shows_the_own_target_from_the_baseline_or_says_there_is_none(
    change_round, site_admin
):
    reader = Client()
    reader.force_login(site_admin)

    trollhattan = reader.get("/cities/trollhattan/report/final/").content.decode()
    ravenna = reader.get("/cities/ravenna/report/final/").content.decode()
    italian = Client(HTTP_ACCEPT_LANGUAGE="it")
    italian.force_login(site_admin)
    tradotto = italian.get("/cities/trollhattan/report/final/").content.decode()

    assert "+50 % from each city&#x27;s baseline" in trollhattan
    assert '<dd class="own-target">+50 % from 1 = 1.5</dd>' in trollhattan
    assert '<dd class="own-target">−20 % from 72.5 = 58</dd>' in trollhattan
    assert "No baseline figure yet" in ravenna
    assert '<dd class="own-target">+50 % da 1 = 1,5</dd>' in tradotto


def test_the_grid_reads_the_baseline_without_another_query(
    change_round, site_admin, django_assert_max_num_queries
):
    reader = Client()
    reader.force_login(site_admin)
    reader.get("/cities/trollhattan/report/final/")  # warm the session and the caches

    with django_assert_max_num_queries(20) as captured:
        reader.get("/cities/trollhattan/report/final/")
    figures = [q["sql"] for q in captured.captured_queries if "kpis_measurement" in q["sql"]]
    assert len([sql for sql in figures if '"stage" IN' in sql]) == 1


# The model, the admin and the data files


def test_a_change_may_be_negative_or_beyond_100_for_a_percentage(change_round):
    consortium, cities, deals, car = change_round
    car.target_value = Decimal(150)
    car.full_clean()
    car.save()
    car.target_value = Decimal(-100)
    car.full_clean()


def test_a_change_below_minus_100_is_refused(change_round):
    consortium, cities, deals, car = change_round
    car.target_value = Decimal(-120)

    with pytest.raises(ValidationError) as error:
        car.full_clean()

    assert error.value.message_dict["target_value"] == [
        "A change from the baseline is at least −100 % (down to nothing); -120 would make "
        "the target negative."
    ]


def test_a_yes_no_kpi_cannot_have_a_target_relative_to_the_baseline(change_round):
    consortium, cities, deals, car = change_round
    survey = KPI(
        solution=deals.solution,
        code="1.3",
        name="Survey done",
        value_type=KPI.ValueType.BOOLEAN,
        target_basis=KPI.TargetBasis.CHANGE,
    )

    with pytest.raises(ValidationError) as english:
        survey.full_clean()
    with translation.override("it"), pytest.raises(ValidationError) as italian:
        survey.full_clean()

    assert english.value.message_dict["target_basis"][0].startswith(
        "A yes/no KPI cannot have a target relative to the baseline"
    )
    assert "Target basis" not in italian.value.message_dict["target_basis"][0]
    assert (
        italian.value.message_dict["target_basis"][0]
        != (english.value.message_dict["target_basis"][0])
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        KPI.objects.filter(pk=deals.pk).update(value_type=KPI.ValueType.BOOLEAN, target_value=None)


def test_an_absolute_target_stays_non_negative_in_the_database(change_round):
    consortium, cities, deals, car = change_round
    with pytest.raises(IntegrityError), transaction.atomic():
        KPI.objects.filter(pk=deals.pk).update(
            target_basis=KPI.TargetBasis.ABSOLUTE, target_value=-5
        )


def test_the_admin_kpi_form_offers_the_basis_with_its_help(change_round, site_admin):
    consortium, cities, deals, car = change_round
    admin = Client()
    admin.force_login(site_admin)

    body = admin.get(f"/admin/kpis/kpi/{deals.pk}/change/").content.decode()

    assert 'name="target_basis"' in body
    assert "A change from each unit&#x27;s baseline (%)" in body
    assert "baseline × (1 + change / 100)" in body


SERN_FILE = Path(__file__).resolve().parents[2] / "data" / "sern.yaml"


def loaded_copy(tmp_path, old: str, new: str) -> Path:
    text = SERN_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "sern-change.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_data_file_may_say_target_basis_change(tmp_path):
    path = loaded_copy(
        tmp_path,
        '        target_value: "2"\n',
        '        target_value: "-20"\n        target_basis: change\n',
    )

    call_command("load_demo", "--no-accounts", str(path), stdout=StringIO())

    kpi = KPI.objects.get(solution__consortium__slug="sern", code="1.1")
    assert (kpi.target_basis, kpi.target_value) == ("change", Decimal(-20))


def test_a_bad_target_basis_in_a_data_file_is_refused_plainly(tmp_path):
    path = loaded_copy(
        tmp_path,
        '        target_value: "2"\n',
        '        target_value: "2"\n        target_basis: relative\n',
    )

    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--no-accounts", str(path), stdout=StringIO())

    assert "KPI 1.1: target_basis: 'relative' is not one of absolute, change." in str(error.value)


# Query counts: a target relative to the baseline reads what the page read already


@pytest.mark.parametrize(
    "url",
    [
        "/?consortium=lanterns&stage=final",
        "/?consortium=lanterns&stage=latest",
        "/cities/trollhattan/?consortium=lanterns",
        "/kpis/lanterns/1.1/",
        "/api/v1/progress/?consortium=lanterns&stage=final",
    ],
)
def test_a_change_target_costs_no_query_more_than_an_absolute_one(change_round, url):
    consortium, cities, deals, car = change_round

    def queries() -> int:
        cache.clear()  # judge afresh: the basis below changes without a new data version
        forget_here()
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return len(captured.captured_queries)

    relative = queries()
    KPI.objects.filter(pk__in=[deals.pk, car.pk]).update(
        target_basis=KPI.TargetBasis.ABSOLUTE, target_value=Decimal(2)
    )
    absolute = queries()

    assert relative == absolute, (relative, absolute)


def test_the_entry_template_gives_each_row_its_own_target(change_round, site_admin):
    reader = Client()
    reader.force_login(site_admin)

    answer = reader.get("/cities/trollhattan/report/final/template/xlsx/")
    ravenna = reader.get("/cities/ravenna/report/final/template/xlsx/")

    cells = {v for row in load_workbook(io.BytesIO(answer.content)).active.values for v in row}
    none = {v for row in load_workbook(io.BytesIO(ravenna.content)).active.values for v in row}
    assert {"+50 % from 1 = 1.5", "−20 % from 72.5 = 58"} <= cells
    assert "No baseline figure yet: the target is counted from it." in none


def test_the_latest_view_judges_each_final_from_its_own_baseline(change_round, client):
    rows = progress(client, stage="latest", kpi="1.1")

    statuses = {unit: row["status"] for (_code, unit), row in rows.items()}
    assert statuses == {
        "trollhattan": "achieved",
        "vanersborg": "behind",
        "ravenna": "no_baseline",
        "consortium": "behind",
    }


def test_a_figure_the_consortium_reports_once_is_judged_from_its_own_baseline(change_round, client):
    consortium, cities, deals, car = change_round
    meetings = KPIFactory(
        solution=deals.solution,
        code="1.3",
        name="Project meetings held",
        target_value=Decimal(100),
        target_basis=KPI.TargetBasis.CHANGE,
        target_scope=KPI.TargetScope.CONSORTIUM,
        reporting_level=KPI.ReportingLevel.CONSORTIUM,
    )
    MeasurementFactory(kpi=meetings, stage="baseline", value=2)
    MeasurementFactory(kpi=meetings, stage="final", value=4)

    row = progress(client, kpi="1.3")[("1.3", "consortium")]

    assert (row["status"], row["target"], row["baseline"]) == ("achieved", "4", "2")
