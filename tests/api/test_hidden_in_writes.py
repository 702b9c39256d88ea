"""A write naming a KPI or a city the caller may not read learns nothing about it.

The Hidden Network is unpublished; nobody in the SERN personas belongs to it. Its KPI
9.7 and its only city, Hidden Town, must be answered exactly as an id or a slug that
exists nowhere: the same status, the same message, no code or name of theirs.
"""

import pytest

from kpis.models import KPI, Measurement
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.helpers.api import assert_error_shape
from tests.kpis.factories import KPIFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


@pytest.fixture
def hidden(sern):
    consortium = ConsortiumFactory(name="Hidden Network", slug="hidden", is_published=False)
    town = CityFactory(name="Hidden Town", slug="hidden-town")
    MembershipFactory(consortium=consortium, city=town)
    solution = SolutionFactory(consortium=consortium, title="Secret solution")
    city_kpi = KPIFactory(solution=solution, code="9.7", name="Secret plans")
    consortium_kpi = KPIFactory(
        solution=solution,
        code="9.8",
        name="Secret meetings",
        reporting_level=KPI.ReportingLevel.CONSORTIUM,
        target_scope=KPI.TargetScope.CONSORTIUM,
    )
    return city_kpi, consortium_kpi


def figure(**changes) -> dict:
    kpi = KPI.objects.get(solution__consortium__slug="sern", code="2.1")
    body = {"kpi": kpi.pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    return {**body, "value": "3", **changes}


def no_such_kpi(pk: int) -> str:
    return f'Invalid pk "{pk}" - object does not exist.'


def assert_names_nothing(response) -> None:
    text = response.content.decode()
    for secret in ("9.7", "9.8", "Secret", "Hidden", "consortium"):
        assert secret not in text, (secret, text)


@pytest.mark.parametrize("level", ["city", "consortium"])
@pytest.mark.parametrize("city", ["ravenna", None])
def test_a_hidden_kpi_reads_as_a_kpi_that_does_not_exist(ravenna_client, hidden, level, city):
    kpi = hidden[0] if level == "city" else hidden[1]
    missing = KPI.objects.order_by("-pk").first().pk + 1000
    refused = ravenna_client.post(URL, figure(kpi=kpi.pk, city=city), format="json")
    unknown = ravenna_client.post(URL, figure(kpi=missing, city=city), format="json")
    body = assert_error_shape(refused, 400, "kpi")
    assert body["errors"]["kpi"] == [no_such_kpi(kpi.pk)]
    assert body["code"] == assert_error_shape(unknown, 400, "kpi")["code"] == "does_not_exist"
    assert unknown.json()["errors"]["kpi"] == [no_such_kpi(missing)]
    assert_names_nothing(refused)
    assert not Measurement.objects.filter(kpi=kpi).exists()


@pytest.mark.parametrize("persona", ["steering_client", "partner_client", "cervia_client"])
def test_no_sern_persona_learns_of_the_hidden_kpi(request, hidden, persona):
    client = request.getfixturevalue(persona)
    response = client.post(URL, figure(kpi=hidden[0].pk), format="json")
    assert assert_error_shape(response, 400, "kpi")["errors"]["kpi"] == [no_such_kpi(hidden[0].pk)]
    assert_names_nothing(response)


def test_whoever_may_read_the_kpi_is_told_what_is_wrong_with_it(admin_client_api, hidden):
    """The admin reads every consortium: the entry service's own message, code and all."""
    response = admin_client_api.post(URL, figure(kpi=hidden[0].pk), format="json")
    body = assert_error_shape(response, 400, "city")
    assert body["errors"]["city"] == ["Ravenna does not report KPI 9.7."]


def test_a_city_only_in_a_hidden_consortium_reads_as_no_city(ravenna_client, hidden):
    refused = ravenna_client.post(URL, figure(city="hidden-town"), format="json")
    unknown = ravenna_client.post(URL, figure(city="atlantis"), format="json")
    assert assert_error_shape(refused, 400, "city")["errors"]["city"] == [
        "Object with slug=hidden-town does not exist."
    ]
    assert assert_error_shape(unknown, 400, "city")["errors"]["city"] == [
        "Object with slug=atlantis does not exist."
    ]
    assert "Hidden Town" not in refused.content.decode()
