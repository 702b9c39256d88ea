"""The /open-data/ page and the datasets' files: licence, columns, formats and citation on
the page in the reader's language; files whose bytes change only with the data version,
carrying their licence and source."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from kpis.models import Measurement
from opendata.downloads import CSV_COLUMNS
from opendata.views import COLUMN_MEANINGS
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db

CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


def test_the_csv_is_the_overview_matrix_with_its_licence_and_source_on_every_line(client, sern):
    response = client.get("/open-data/sern/final.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sern-final.csv"'
    assert f'<{CC_BY}>; rel="license"' in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["licence"] for row in rows} == {CC_BY}
    assert {row["source"] for row in rows} == {"http://127.0.0.1:8000/open-data/#sern-final"}
    assert {row["review_state"] for row in rows} == {"approved"}
    # KPI 2.2: "N. datasets collected: 16" in Ravenna at the end, as the deliverable says.
    ravenna = [row for row in rows if row["kpi_code"] == "2.2" and row["column"] == "Ravenna"]
    assert [row["value"] for row in ravenna] == ["16"]


def test_the_workbook_says_its_licence_source_and_citation_in_its_header_rows(client, sern):
    response = client.get("/open-data/sern/midway.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    summary = workbook.worksheets[0]
    facts = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert facts["Licence"] == "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
    assert facts["Source"] == "http://127.0.0.1:8000/open-data/#sern-midway"
    assert facts["Catalogue"] == "http://127.0.0.1:8000/open-data/sern/catalog"
    assert "licence CC BY 4.0" in facts["Cite as"]
    assert CC_BY in workbook.properties.description
    assert response["Link"] == (
        f'<{CC_BY}>; rel="license", <http://127.0.0.1:8000/open-data/#sern-midway>; '
        'rel="describedby"'
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_changes_only_with_the_data_version(client, sern, fmt):
    url = f"/open-data/sern/final.{fmt}"
    first = client.get(url)
    cache.clear()  # made again from the database, as another worker would
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="it")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    figure = Measurement.objects.filter(
        kpi__solution__consortium=sern, stage="final", kpi__code="2.2", city__slug="ravenna"
    ).get()
    figure.value += 1
    figure.save()
    moved = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert moved["ETag"] != first["ETag"]
    assert moved.content != first.content


def test_the_page_lists_each_dataset_with_licence_formats_columns_and_citation(client, sern):
    page = client.get("/open-data/").content.decode()
    assert "SERN – Sweden Emilia Romagna Network" in page
    assert 'id="sern-final"' in page and 'id="sern-midway"' in page
    assert 'id="sern-baseline"' not in page
    assert "CC BY 4.0" in page
    for href in (
        "/open-data/sern/final.csv",
        "/open-data/sern/final.xlsx",
        "/api/v1/measurements/?consortium=sern&amp;stage=final",
        "/open-data/sern/catalog.ttl",
        "/open-data/sern/catalog.jsonld",
    ):
        assert href in page, href
    # Every column of the files is explained, and nothing that is not a column.
    assert [column for column, _meaning in COLUMN_MEANINGS] == list(CSV_COLUMNS)
    for column, _meaning in COLUMN_MEANINGS:
        assert f"<code>{column}</code>" in page
    assert "Cite as" in page and "data version of" in page


def test_the_page_speaks_each_readers_language_one_after_the_other_on_one_cache(client, sern):
    english = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    italian = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    swedish = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "What each column means" in english and "Final results" in english
    assert "Che cosa significa ogni colonna" in italian and "Risultati finali" in italian
    assert "Vad varje kolumn betyder" in swedish and "Slutresultat" in swedish
    assert "What each column means" not in italian + swedish
    # The files stay English whatever the page's language.
    assert client.get("/open-data/sern/final.csv", HTTP_ACCEPT_LANGUAGE="it").content.startswith(
        b"solution,kpi_code,kpi,"
    )


def test_with_no_open_consortium_the_page_says_so(client, sern):
    sern.open_data = False
    sern.save()
    page = client.get("/open-data/").content.decode()
    assert "No consortium publishes its figures as open data yet." in page
    assert client.get("/open-data/sern/catalog").status_code == 404


def test_a_citys_file_is_its_column_of_each_stage_for_its_own_portal(client, sern):
    response = client.get("/open-data/sern/cities/ravenna.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(row["column"], row["column_kind"]) for row in rows} == {("Ravenna", "city")}
    assert {row["stage"] for row in rows} == {"midway", "final"}
    assert {row["source"] for row in rows} == {"http://127.0.0.1:8000/open-data/#sern-city-ravenna"}
    datasets = [row for row in rows if row["kpi_code"] == "2.2"]
    assert [(row["stage"], row["value"]) for row in datasets] == [("midway", "5"), ("final", "16")]
    assert response["Link"] == (
        f'<{CC_BY}>; rel="license", <http://127.0.0.1:8000/open-data/#sern-city-ravenna>; '
        'rel="describedby"'
    )
    page = client.get("/open-data/").content.decode()
    assert 'id="sern-city-ravenna"' in page and "/open-data/sern/cities/ravenna.csv" in page
    assert client.get("/open-data/sern/cities/bologna.csv").status_code == 404


def test_two_member_cities_of_one_name_and_country_each_have_their_own_lines(client):
    """Two Italian towns called San Giorgio in one consortium: each city's file holds its
    own figures, not the other's as well."""
    consortium = ConsortiumFactory(name="Two Saints", slug="two-saints", open_data=True)
    east = CityFactory(name="San Giorgio", slug="san-giorgio-east", country="IT")
    west = CityFactory(name="San Giorgio", slug="san-giorgio-west", country="IT")
    for city in (east, west):
        MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=[east, west])
    kpi = KPIFactory(solution=solution, code="1.1", target_value=Decimal("50"))
    MeasurementFactory(kpi=kpi, city=east, stage="final", value=Decimal("111"))
    MeasurementFactory(kpi=kpi, city=west, stage="final", value=Decimal("222"))

    for slug, value in (("san-giorgio-east", "111"), ("san-giorgio-west", "222")):
        response = client.get(f"/open-data/two-saints/cities/{slug}.csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [(row["column"], row["kpi_code"], row["value"]) for row in rows] == [
            ("San Giorgio", "1.1", value)
        ]
        assert {row["source"] for row in rows} == {
            f"http://127.0.0.1:8000/open-data/#two-saints-city-{slug}"
        }


@pytest.mark.parametrize("withdraw", ["unpublished", "open data unticked"])
def test_a_harvester_with_an_old_etag_finds_a_withdrawn_consortium_gone(client, sern, withdraw):
    """The catalogue and the files once fetched are not confirmed as current (304) once the
    consortium stops offering open data: they are not found."""
    urls = (
        "/open-data/sern/catalog.ttl",
        "/open-data/sern/final.csv",
        "/open-data/sern/final.xlsx",
        "/open-data/sern/cities/ravenna.csv",
    )
    etags = {url: client.get(url)["ETag"] for url in urls}
    for url, etag in etags.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url

    if withdraw == "unpublished":
        sern.is_published = False
    else:
        sern.open_data = False
    sern.save()

    for url, etag in etags.items():
        gone = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert gone.status_code == 404, url
        assert "We could not find this page" in gone.content.decode(), url
        assert not gone.has_header("ETag"), url
