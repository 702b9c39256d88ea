"""Who sees what over the API, how they authenticate, and how fast they may ask.

Anonymous visitors and partners see approved figures of published consortia; a
coordinator also sees their own city's drafts; the steering committee sees every
figure of its consortium; an admin sees everything.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from kpis.models import KPI, Measurement
from tests.cities.factories import (
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    PartnerFactory,
    UserFactory,
)
from tests.helpers.api import assert_error_shape, client_for
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import ActivityFactory, SolutionFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"
RESOURCES = ["programmes", "consortia", "cities", "solutions", "activities", "kpis"]


@pytest.fixture
def drafts(sern, ravenna, cervia):
    """A draft figure in Ravenna and one in Cervia (SERN has no baseline figures)."""
    kpi = KPI.objects.get(solution__consortium=sern, code="2.1")
    return {
        "ravenna": MeasurementFactory(
            kpi=kpi, city=ravenna, stage="baseline", value=Decimal(1), review_state="draft"
        ),
        "cervia": MeasurementFactory(
            kpi=kpi, city=cervia, stage="baseline", value=Decimal(2), review_state="submitted"
        ),
    }


@pytest.fixture
def hidden(db):
    """An unpublished consortium with one approved figure of its own city."""
    consortium = ConsortiumFactory(slug="hidden", is_published=False)
    city = CityFactory(slug="hidden-town", country="FR")
    MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=[city])
    ActivityFactory(solution=solution)
    kpi = KPIFactory(solution=solution, code="9.1")
    measurement = MeasurementFactory(kpi=kpi, city=city, stage="final", value=Decimal(7))
    return {"consortium": consortium, "measurement": measurement}


def measurement_ids(client, query="") -> set[int]:
    response = client.get(f"{API}measurements/?page_size=500&{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def approved_sern_ids() -> set[int]:
    return set(
        Measurement.objects.filter(
            kpi__solution__consortium__slug="sern", review_state="approved"
        ).values_list("pk", flat=True)
    )


# ----------------------------------------------------------------- visibility


def test_anonymous_sees_approved_figures_of_published_consortia_only(anonymous, drafts, hidden):
    assert measurement_ids(anonymous) == approved_sern_ids()
    assert len(approved_sern_ids()) == 84


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_does_not_see_unpublished_consortia(anonymous, sern, hidden, resource):
    body = anonymous.get(f"{API}{resource}/?page_size=500").json()
    text = str(body["results"])
    assert "hidden" not in text and "9.1" not in text
    assert body["count"] > 0


def test_unpublished_consortium_detail_is_404_for_outsiders(anonymous, partner_client, hidden):
    assert_error_shape(anonymous.get(f"{API}consortia/hidden/"), 404)
    assert_error_shape(partner_client.get(f"{API}consortia/hidden/"), 404)
    pk = hidden["measurement"].pk
    assert_error_shape(anonymous.get(f"{API}measurements/{pk}/"), 404)


def test_partner_of_an_unpublished_consortium_reads_its_approved_figures(hidden):
    user = PartnerFactory(consortium=hidden["consortium"]).user
    client = client_for(user)
    assert measurement_ids(client, "consortium=hidden") == {hidden["measurement"].pk}
    assert client.get(f"{API}consortia/hidden/").status_code == 200
    assert client.get(f"{API}cities/hidden-town/").json()["consortia"] == ["hidden"]


def test_partner_sees_no_drafts(partner_client, drafts):
    assert measurement_ids(partner_client) == approved_sern_ids()
    assert_error_shape(partner_client.get(f"{API}measurements/{drafts['ravenna'].pk}/"), 404)


def test_coordinator_sees_own_city_drafts_but_not_another_citys(ravenna_client, drafts):
    visible = measurement_ids(ravenna_client)
    assert drafts["ravenna"].pk in visible
    assert drafts["cervia"].pk not in visible
    assert visible == approved_sern_ids() | {drafts["ravenna"].pk}
    own = ravenna_client.get(f"{API}measurements/{drafts['ravenna'].pk}/")
    assert own.json()["review_state"] == "draft"
    other = ravenna_client.get(f"{API}measurements/{drafts['cervia'].pk}/")
    assert_error_shape(other, 404)


def test_steering_sees_every_figure_of_its_consortium(steering_client, drafts, hidden):
    assert measurement_ids(steering_client) == approved_sern_ids() | {
        drafts["ravenna"].pk,
        drafts["cervia"].pk,
    }


def test_admin_sees_everything(admin_client_api, drafts, hidden):
    assert measurement_ids(admin_client_api) == set(
        Measurement.objects.values_list("pk", flat=True)
    )
    assert admin_client_api.get(f"{API}consortia/hidden/").status_code == 200


def test_filter_by_review_state_shows_own_drafts(ravenna_client, drafts):
    assert measurement_ids(ravenna_client, "review_state=draft") == {drafts["ravenna"].pk}


# ----------------------------------------------------------------- anonymous switch


@pytest.mark.parametrize("resource", [*RESOURCES, "measurements", "health"])
def test_anonymous_refused_with_401_when_the_setting_is_off(anonymous, sern, settings, resource):
    settings.API_ALLOW_ANONYMOUS = False
    response = anonymous.get(f"{API}{resource}/")
    body = assert_error_shape(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_token_still_reads_when_anonymous_is_off(partner_client, sern, settings):
    settings.API_ALLOW_ANONYMOUS = False
    assert partner_client.get(f"{API}measurements/").status_code == 200


def test_schema_and_docs_stay_public_when_anonymous_is_off(anonymous, settings, db):
    settings.API_ALLOW_ANONYMOUS = False
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/docs/").status_code == 200


# ----------------------------------------------------------------- authentication


def test_invalid_token_is_401(sern):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    body = assert_error_shape(client.get(f"{API}measurements/"), 401)
    assert body["code"] == "authentication_failed"


def test_session_authentication_for_the_browsable_api(sern_steering, drafts):
    client = APIClient()
    client.force_login(sern_steering)
    response = client.get(f"{API}measurements/?review_state=submitted", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Measurement" in response.content
    data = client.get(f"{API}measurements/?review_state=submitted&format=json").json()
    assert [row["id"] for row in data["results"]] == [drafts["cervia"].pk]


def test_drf_create_token_command_gives_a_working_token(sern, capsys):
    user = UserFactory(username="agency")
    call_command("drf_create_token", "agency")
    key = Token.objects.get(user=user).key
    assert key in capsys.readouterr().out
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}measurements/").status_code == 200


def test_admin_creates_a_token_in_the_django_admin(client, site_admin, sern_partner):
    client.force_login(site_admin)
    add_url = reverse("admin:authtoken_tokenproxy_add")
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, {"user": sern_partner.pk})
    assert response.status_code == 302, response.content
    assert Token.objects.filter(user=sern_partner).exists()


# ----------------------------------------------------------------- throttling


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "3/min", "read": "5/min", "write": "5/min", "sync": "5/min"},
    )


def test_anonymous_requests_are_throttled(anonymous, sern, low_rates):
    for _ in range(3):
        assert anonymous.get(f"{API}cities/").status_code == 200
    response = anonymous.get(f"{API}cities/")
    body = assert_error_shape(response, 429)
    assert body["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_authenticated_requests_are_throttled_per_user(partner_client, ravenna_client, low_rates):
    for _ in range(5):
        assert partner_client.get(f"{API}cities/").status_code == 200
    assert_error_shape(partner_client.get(f"{API}cities/"), 429)
    # Another user has a budget of their own.
    assert ravenna_client.get(f"{API}cities/").status_code == 200


def test_throttles_can_be_switched_off_from_the_environment():
    import os
    import subprocess
    import sys

    code = (
        "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    env = {
        **os.environ,
        "API_THROTTLE_USER": "off",
        "API_THROTTLE_ANON": "10/second",
        "API_THROTTLE_SYNC": "off",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # API_THROTTLE_USER, the one limit of signed-in users before, is read's default.
    assert (
        "{'anon': '10/second', 'read': None, 'write': '300/minute', 'sync': None}" in result.stdout
    )
