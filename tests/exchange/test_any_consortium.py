"""Every page and export answers for any consortium the model allows, not only
for the KPI kinds SERN happens to use.

The deliverable and the consortium's maturity tables of every consortium that
``generate_bench_data`` builds answered 500: the consortium's own table judged the cities'
KPIs of a solution it also reports once for, with no city to roll up, and the roll-up's
"no cell" (``None``) reached the formatter as if it were a judged figure.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kpis.models import KPI
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory, UserFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="site-admin", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def mixed_solution():
    """One solution whose KPIs each city reports beside one the consortium reports once
    (as every generated consortium's solutions are; SERN keeps them in separate solutions)."""
    consortium = ConsortiumFactory(name="Mixed Network", slug="mixed")
    cities = [CityFactory(country=country) for country in ("IT", "IT", "SE")]
    for city in cities:
        MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=cities)
    per_city = KPIFactory(solution=solution, code="1.1", rollup=KPI.Rollup.COUNT_MET)
    once = KPIFactory(
        solution=solution,
        code="1.2",
        target_value=Decimal("6"),
        target_scope=KPI.TargetScope.CONSORTIUM,
        reporting_level=KPI.ReportingLevel.CONSORTIUM,
    )
    for city in cities:
        MeasurementFactory(kpi=per_city, city=city, value=Decimal("4"))
    MeasurementFactory(kpi=once, city=None, value=Decimal("5"))
    return consortium


@pytest.mark.parametrize(
    "path",
    [
        "/consortia/mixed/deliverable/",
        "/consortia/mixed/deliverable/docx/",
        "/consortia/mixed/maturity/xlsx/",
        "/consortia/mixed/maturity/docx/",
    ],
)
def test_consortium_documents_of_a_solution_reported_by_cities_and_once_answer(
    admin_client, mixed_solution, path
):
    assert admin_client.get(path).status_code == 200


def test_consortiums_own_table_holds_only_what_it_reports_once(admin_client, mixed_solution):
    workbook = load_workbook(
        io.BytesIO(admin_client.get("/consortia/mixed/maturity/xlsx/").content)
    )
    own = workbook.worksheets[-1]
    codes = {own.cell(row=row, column=1).value for row in range(1, own.max_row + 1)}
    assert "1.2" in codes and "1.1" not in codes


@pytest.fixture
def solution_nobody_implements():
    """A solution set up before any city takes it on, with a consortium-wide target, beside
    one that cities implement: the overview has a consortium column, the new solution no
    city to roll up into it."""
    consortium = ConsortiumFactory(name="New Network", slug="new-network")
    city = CityFactory()
    MembershipFactory(consortium=consortium, city=city)
    started = SolutionFactory(consortium=consortium, number=1, implementing_cities=[city])
    KPIFactory(solution=started, code="1.1", target_scope=KPI.TargetScope.CONSORTIUM)
    planned = SolutionFactory(consortium=consortium, number=2)
    KPIFactory(solution=planned, code="2.1", target_scope=KPI.TargetScope.CONSORTIUM)
    KPIFactory(solution=planned, code="2.2", rollup=KPI.Rollup.COUNT_MET)
    return consortium


def test_a_solution_no_city_implements_yet_has_no_consortium_cell(
    admin_client, solution_nobody_implements
):
    for stage in ("baseline", "final", "latest"):
        response = admin_client.get(f"/?consortium=new-network&stage={stage}")
        assert response.status_code == 200
    progress = admin_client.get("/api/v1/progress/?consortium=new-network&stage=final").json()
    assert {row["kpi_code"] for row in progress["results"]} == {"1.1"}
    for path in ("/consortia/new-network/deliverable/", "/consortia/new-network/maturity/xlsx/"):
        assert admin_client.get(path).status_code == 200


def test_a_kpi_reported_once_with_no_city_column_spans_no_columns(admin_client):
    """Found by Hypothesis: a consortium whose only judged KPI is reported once, and no
    city implements anything yet, printed ``<td colspan="0">`` before its one cell: a row
    one cell longer than the table's heading."""
    consortium = ConsortiumFactory(name="Once Network", slug="once")
    MembershipFactory(consortium=consortium, city=CityFactory())
    solution = SolutionFactory(consortium=consortium, number=1)
    KPIFactory(
        solution=solution,
        code="1.1",
        target_value=None,
        target_scope=KPI.TargetScope.CONSORTIUM,
        reporting_level=KPI.ReportingLevel.CONSORTIUM,
    )
    page = admin_client.get("/?consortium=once&stage=final").content.decode()
    assert 'colspan="0"' not in page
    assert page.count('<th scope="col"') == 2  # the KPI heading and the consortium
