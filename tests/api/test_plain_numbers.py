"""Numbers sent to the API are read by the entry grid's rule, with the grid's message.

Python's ``Decimal`` and ``int`` read full-width digits (``１２``), other scripts' digits,
underscores (``1_000``) and exponents; the grid refuses them, and so does the API: in a
figure's value, in the version a change is based on, in a KPI id, and in query parameters.
"""

from decimal import Decimal

import pytest

from icc_portal.numbers import parse_localised, parse_plain
from kpis.models import KPI, Measurement
from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
NOT_A_NUMBER = "Enter a number, such as 1234.5, without letters or units."
ENGLISH = {"decimal_separator": ".", "thousand_separator": ","}

REFUSED = [
    "１２",  # full-width digits
    "1_000",  # Python's digit grouping
    "٣",  # Arabic-Indic three
    "1e3",
    "NaN",
    "Infinity",
    "1,5",  # a decimal comma: refused, not guessed at
    "1,234",
    "1 000",
    "12 km",
    "1.",
    "--3",
]
ACCEPTED = [("12", "12"), ("-0", "0"), ("+7", "7"), (".5", "0.5"), ("1234.5", "1234.5")]


def kpi_2_1() -> KPI:
    return KPI.objects.get(solution__consortium__slug="sern", code="2.1")


def figure(**changes) -> dict:
    body = {"kpi": kpi_2_1().pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    return {**body, **changes}


@pytest.mark.parametrize("text", REFUSED)
def test_the_api_refuses_what_the_grid_refuses_with_the_grids_message(ravenna_client, text):
    response = ravenna_client.post(URL, figure(value=text), format="json")
    body = assert_error_shape(response, 400, "value")
    assert body["errors"]["value"] == [NOT_A_NUMBER]
    assert body["code"] == "invalid"
    assert not Measurement.objects.filter(stage="baseline").exists()


@pytest.mark.parametrize("text", ["１２", "1_000", "٣", "1e3", "NaN", "12 km", "1.", "--3"])
def test_the_grid_refuses_the_same_text(text):
    with pytest.raises(ValueError):
        parse_localised(text, **ENGLISH)


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_what_the_api_reads_the_grid_reads_alike(text, expected):
    assert parse_plain(text) == Decimal(expected)
    assert parse_localised(text, **ENGLISH) == Decimal(expected)


def test_plain_numbers_as_text_or_json_are_stored(ravenna_client, sern):
    response = ravenna_client.post(URL, figure(value=" 12 "), format="json")
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(pk=response.json()["id"]).value == Decimal(12)
    response = ravenna_client.patch(
        f"{URL}{response.json()['id']}/", {"value": 13, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "13"


def test_an_empty_value_is_no_value_as_on_the_grid(ravenna_client, sern):
    response = ravenna_client.post(URL, figure(value=""), format="json")
    assert assert_error_shape(response, 400, "value")["code"] == "answer_required"


def test_a_fraction_is_read_then_judged_by_the_kpis_rule(ravenna_client, sern):
    response = ravenna_client.post(URL, figure(value="2.5"), format="json")
    assert assert_error_shape(response, 400, "value")["code"] == "not_whole"


def test_the_message_is_in_the_clients_language(ravenna_client, sern):
    response = ravenna_client.post(
        URL, figure(value="１２"), format="json", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.json()["errors"]["value"] == [
        "Inserisci un numero, ad esempio 1234.5, senza lettere né unità."
    ]


@pytest.mark.parametrize("value", [True, [1], {"n": 1}])
def test_other_json_types_are_not_numbers(ravenna_client, sern, value):
    response = ravenna_client.post(URL, figure(value=value), format="json")
    assert assert_error_shape(response, 400, "value")["errors"]["value"] == [NOT_A_NUMBER]


def test_a_kpi_id_in_full_width_digits_is_refused(ravenna_client, sern):
    full_width = str(kpi_2_1().pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = ravenna_client.post(URL, figure(kpi=full_width, value="3"), format="json")
    assert assert_error_shape(response, 400, "kpi")["errors"]["kpi"] == [
        'Name the KPI by its id (12) or by its consortium and code ("sern/2.2").'
    ]


@pytest.mark.parametrize("version", ["１", "0_1"])
def test_a_version_in_full_width_digits_or_with_underscores_is_refused(
    ravenna_client, sern, version
):
    created = ravenna_client.post(URL, figure(value="3"), format="json").json()
    response = ravenna_client.patch(
        f"{URL}{created['id']}/", {"value": "4", "version": version}, format="json"
    )
    assert assert_error_shape(response, 400, "version")["errors"]["version"] == [
        "A valid integer is required."
    ]
    assert Measurement.objects.get(pk=created["id"]).value == Decimal(3)


@pytest.mark.parametrize("version", [1.0, "1.0", " 1. "])
def test_a_version_with_a_fraction_is_refused_even_a_zero_one(ravenna_client, sern, version):
    created = ravenna_client.post(URL, figure(value="3"), format="json").json()
    assert created["version"] == 1
    response = ravenna_client.patch(
        f"{URL}{created['id']}/", {"value": "4", "version": version}, format="json"
    )
    assert assert_error_shape(response, 400, "version")["errors"]["version"] == [
        "A valid integer is required."
    ]
    assert Measurement.objects.get(pk=created["id"]).value == Decimal(3)


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/api/v1/progress/", "consortium=sern&solution=0.0", "solution"),
        ("/api/v1/progress/", "consortium=sern&solution=２", "solution"),
        ("/api/v1/changes/", "page_size=10.0", "page_size"),
        ("/api/v1/changes/", "page_size=1_0", "page_size"),
    ],
)
def test_the_progress_and_feed_queries_take_whole_numbers_only(
    ravenna_client, sern, url, query, field
):
    # The fuzzer's find: /progress/?solution=0.0 answered an empty 200, as if solution 0.
    assert_error_shape(ravenna_client.get(f"{url}?{query}"), 400, field)
    whole = query.replace("0.0", "2").replace("２", "2").replace("10.0", "10").replace("1_0", "10")
    answer = ravenna_client.get(f"{url}?{whole}")
    assert answer.status_code == 200
    if "solution" in whole:
        assert answer.json()["results"]
        assert {row["solution"] for row in answer.json()["results"]} == {2}


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=１", "page"), ("page_size=1_0", "page_size"), ("solution=２", "solution")],
)
def test_query_numbers_follow_the_same_rule(anonymous, sern, query, field):
    assert_error_shape(anonymous.get(f"{URL}?{query}"), 400, field)
    plain = query.replace("１", "1").replace("1_0", "10").replace("２", "2")
    assert anonymous.get(f"{URL}?{plain}").status_code == 200
