"""One KPI's page through the HTTP client, on the SERN demo data (loaded once per module)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kpis.models import KPI
from tests.cities.factories import ConsortiumFactory
from tests.helpers.tables import read_matrix
from tests.kpis.factories import KPIFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def sern_kpi(code):
    return KPI.objects.get(solution__consortium__slug="sern", code=code)


def kpi_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_kpi_page_by_id_shows_every_city_and_total_per_stage(client, sern):
    html = kpi_page(client, reverse("kpi-detail", args=[sern_kpi("2.2").pk]))

    cells = read_matrix(html, "stage-table")
    assert cells[("Cervia", "Final")].status == "not_available"
    assert cells[("Ravenna", "Midway")].text.startswith("5")
    assert cells[("Ravenna", "Final")].text.startswith("16")
    assert cells[("SE", "Final")].status == "behind"  # SE total: Trollhättan's 0 of 2
    # 16 of 4 in sum, but only Italy is at its 2 per country: behind.
    assert cells[("Consortium", "Final")].status == "behind"
    assert "1 of 2 countries at their target" in cells[("Consortium", "Final")].text
    assert ("Vänersborg", "Final") not in cells  # Vänersborg does not implement solution 2


def test_kpi_page_by_consortium_and_code(client, sern):
    html = kpi_page(client, "/kpis/sern/2.2/")

    assert "Number and type of datasets collected" in html
    assert "Target: 2 per country" in html


def test_bare_code_finds_the_kpi_when_one_consortium_has_it(client, sern):
    assert "Number of policy-making processes influenced" in kpi_page(client, "/kpis/2.4/")
    html = kpi_page(client, "/kpis/2.4/?consortium=sern")
    assert "Number of policy-making processes influenced" in html


def test_bare_code_lists_the_consortia_when_several_have_it(client, sern):
    other = SolutionFactory(consortium=ConsortiumFactory(name="Green Ports"), number=2)
    KPIFactory(solution=other, code="2.4", name="Ports electrified")

    response = client.get("/kpis/2.4/")

    assert response.status_code == 300
    assert "Green Ports" in response.content.decode()
    assert "SERN" in response.content.decode()


def test_unknown_kpi_is_404(client, sern):
    assert client.get("/kpis/sern/9.9/").status_code == 404
    assert client.get("/kpis/999999/").status_code == 404


def test_kpi_of_an_unpublished_consortium_is_404_for_visitors(client, db):
    kpi = KPIFactory(solution=SolutionFactory(consortium=ConsortiumFactory(is_published=False)))

    assert client.get(reverse("kpi-detail", args=[kpi.pk])).status_code == 404


def test_chart_data_is_on_the_page_and_the_table_works_without_it(client, sern):
    html = kpi_page(client, "/kpis/sern/2.2/")

    data = json.loads(html.split('id="kpi-chart-data" type="application/json">')[1].split("<")[0])
    assert data["cities"]["labels"] == ["Cervia", "Ravenna", "Trollhättan"]
    assert data["cities"]["datasets"][2]["data"] == [None, 16.0, 0.0]
    assert data["totals"]["labels"] == ["IT total", "SE total", "Consortium"]
    assert data["totals"]["targets"] == [2.0, 2.0, 4.0]
    assert "vendor/chartjs/chart.umd.js" in html
    assert '<figure class="card chart-card" hidden>' in html  # shown by the script only
    assert '<table class="stage-table kpi-table">' in html


def test_per_city_target_is_each_citys_target_in_the_chart(client, sern):
    html = kpi_page(client, "/kpis/sern/1.1/")

    data = json.loads(html.split('id="kpi-chart-data" type="application/json">')[1].split("<")[0])
    assert data["cities"]["targets"] == [2.0, 2.0, 2.0, 2.0]


def test_definition_sheet(client, sern):
    html = kpi_page(client, "/kpis/sern/3.3/")

    assert "Definition sheet" in html
    assert "Count all the practices exchanged during partnership workshops" in html
    assert "Higher is better" in html
    assert "The consortium reports once" in html


def test_kpi_the_consortium_reports_once_has_the_consortium_row_only(client, sern):
    cells = read_matrix(kpi_page(client, "/kpis/sern/3.1/"), "stage-table")

    assert {key[0] for key in cells} == {"Consortium"}
    assert cells[("Consortium", "Final")].text.startswith("3 / 6")


def test_composite_kpi_lists_its_parts(client, sern):
    html = kpi_page(client, "/kpis/sern/1.5/")

    assert "Parts of this KPI" in html
    for part in ("1.5a", "1.5b", "1.5c"):
        assert f'href="{reverse("kpi-detail", args=[sern_kpi(part).pk])}"' in html
    assert "kpi-chart-data" not in html


def test_yes_no_kpi_has_no_chart_but_its_table(client, sern):
    html = kpi_page(client, "/kpis/sern/3.2/")

    assert "kpi-chart-data" not in html
    assert "Yes (160)" in read_matrix(html, "stage-table")[("Consortium", "Final")].text
