"""Every query parameter read strictly, on every API operation.

A parameter given twice is a 400 in the API's error shape, unless it is a list:
``ordering`` alone, which takes the schema's terms comma-separated or repeated (as a
generated client sends an exploded array), each term once. An unknown parameter is a
400 too. Nothing here is a 500 or an answer that ignored part of the question.
"""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kpis.models import Measurement

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/programmes/",
    "/api/v1/consortia/",
    "/api/v1/cities/",
    "/api/v1/solutions/",
    "/api/v1/activities/",
    "/api/v1/kpis/",
    "/api/v1/measurements/",
    "/api/v1/measurements.csv",
]
OTHER_READS = [
    "/api/v1/",
    "/api/v1/health/",
    "/api/v1/programmes/icc/",
    "/api/v1/consortia/sern/",
    "/api/v1/cities/ravenna/",
    "/api/v1/progress/?consortium=sern",
    "/api/v1/progress.csv?consortium=sern",
    "/api/v1/changes/",
]


def error_shape(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}
    return body


def joined(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


@pytest.fixture
def steering_client(sern_steering):
    token, _created = Token.objects.get_or_create(user=sern_steering)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("path", LISTS + OTHER_READS)
def test_a_parameter_given_twice_is_a_400_everywhere(anonymous_and_sern, path):
    body = error_shape(anonymous_and_sern.get(joined(path, "format=json&format=json")), 400)
    assert body["errors"] == {"format": ["Give this parameter only once."]}


@pytest.mark.parametrize("path", LISTS + OTHER_READS)
def test_an_unknown_parameter_is_a_400_everywhere(anonymous_and_sern, path):
    body = error_shape(anonymous_and_sern.get(joined(path, "colour=red")), 400)
    assert set(body["errors"]) == {"colour"}


def test_a_detail_refuses_a_repeated_parameter_too(anonymous_and_sern):
    figure = Measurement.objects.order_by("pk").first()
    for path in (f"/api/v1/measurements/{figure.pk}/", f"/api/v1/measurements/{figure.pk}.csv"):
        error_shape(anonymous_and_sern.get(joined(path, "format=json&format=json")), 400)


def test_a_filter_given_twice_is_a_400(anonymous_and_sern):
    body = error_shape(
        anonymous_and_sern.get("/api/v1/measurements/?stage=final&stage=midway"), 400
    )
    assert body["errors"] == {"stage": ["Give this parameter only once."]}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_ordering_repeated_is_the_same_list_as_comma_separated(anonymous_and_sern):
    """What a generated client sends for two sort fields (an exploded array) was a 500."""
    client = anonymous_and_sern
    repeated = client.get("/api/v1/measurements/?ordering=stage_rank&ordering=-id&page_size=100")
    comma = client.get("/api/v1/measurements/?ordering=stage_rank,-id&page_size=100")
    assert ids(repeated) == ids(comma)
    rows = repeated.json()["results"]
    stages = [row["stage"] for row in rows]
    order = {"baseline": 0, "midway": 1, "final": 2}
    assert stages == sorted(stages, key=order.__getitem__)
    for stage in set(stages):
        within = [row["id"] for row in rows if row["stage"] == stage]
        assert within == sorted(within, reverse=True)


def test_ordering_by_stage_reversed_repeated(anonymous_and_sern):
    client = anonymous_and_sern
    response = client.get("/api/v1/measurements/?ordering=-stage_rank&ordering=id&page_size=100")
    assert ids(response) == ids(
        client.get("/api/v1/measurements/?ordering=-stage_rank,id&page_size=100")
    )


def test_a_repeated_ordering_of_id_reversed_is_not_read_as_the_cursor_order(anonymous_and_sern):
    """``?ordering=-id&ordering=id`` reads as [-id, id]: numbered pages, highest id first,
    not the cursor pages that ``id`` alone gets."""
    response = anonymous_and_sern.get("/api/v1/measurements/?ordering=-id&ordering=id")
    rows = ids(response)
    assert rows == sorted(rows, reverse=True)
    assert "page=2" in response.json()["next"]


@pytest.mark.parametrize(
    "query",
    ["ordering=id&ordering=id", "ordering=id,id", "ordering=value,-id&ordering=value"],
)
def test_an_ordering_term_given_twice_is_a_400(anonymous_and_sern, query):
    body = error_shape(anonymous_and_sern.get(f"/api/v1/measurements/?{query}"), 400)
    assert body["code"] == "invalid_ordering"
    assert "given twice" in body["errors"]["ordering"][0]


@pytest.mark.parametrize(
    "query",
    [
        "ordering=note",  # not a field the schema names
        "ordering=id&ordering=",  # an empty term
        "ordering=id,",
        "ordering=--id",
        "ordering=stage_rank&ordering=kpi__solution",
        "ordering= id",
    ],
)
def test_ordering_takes_the_schemas_terms_and_nothing_else(anonymous_and_sern, query):
    body = error_shape(anonymous_and_sern.get(f"/api/v1/measurements/?{query}"), 400)
    assert body["code"] == "invalid_ordering"


@pytest.mark.parametrize("path", LISTS[:-1])
def test_every_list_orders_by_a_repeated_parameter(anonymous_and_sern, path):
    schema = anonymous_and_sern.get("/api/schema/?format=json").json()
    operation = schema["paths"][path]["get"]
    [ordering] = [param for param in operation["parameters"] if param["name"] == "ordering"]
    terms = ordering["schema"]["items"]["enum"]
    fields = [term for term in terms if not term.startswith("-")][:2]
    repeated = anonymous_and_sern.get(
        joined(path, "&".join(f"ordering=-{field}" for field in fields))
    )
    comma = anonymous_and_sern.get(joined(path, "ordering=" + ",".join(f"-{f}" for f in fields)))
    assert repeated.status_code == comma.status_code == 200
    assert repeated.json()["results"] == comma.json()["results"]


def test_the_schema_describes_ordering_as_a_list_of_unique_terms(anonymous_and_sern):
    schema = anonymous_and_sern.get("/api/schema/?format=json").json()
    [ordering] = [
        param
        for param in schema["paths"]["/api/v1/measurements/"]["get"]["parameters"]
        if param["name"] == "ordering"
    ]
    assert ordering["schema"]["type"] == "array"
    assert ordering["schema"]["uniqueItems"] is True
    assert "stage_rank" in ordering["schema"]["items"]["enum"]
    assert "repeated" in ordering["description"]


@pytest.fixture
def anonymous_and_sern(sern):
    return APIClient()


def test_a_signed_in_reader_is_read_as_strictly(steering_client):
    body = error_shape(steering_client.get("/api/v1/measurements/?city=ravenna&city=cervia"), 400)
    assert body["errors"] == {"city": ["Give this parameter only once."]}
    assert ids(steering_client.get("/api/v1/measurements/?ordering=city__slug&ordering=-id"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/measurements/"),
        ("post", "/api/v1/measurements/bulk/"),
        ("post", "/api/v1/imports/"),
        ("patch", "/api/v1/measurements/{figure}/"),
    ],
)
def test_a_write_takes_no_query_parameter_but_format(steering_client, method, path):
    """A write reads its body: ``?stage=final`` or ``?dry_run=false`` in the address
    would be silently ignored, so it is a 400 before anything is read or stored."""
    figure = Measurement.objects.order_by("pk").first()
    url = path.format(figure=figure.pk)
    send = getattr(steering_client, method)
    for query in ("stage=final", "dry_run=false", "format=json&format=json"):
        response = send(joined(url, query), {}, format="json")
        body = error_shape(response, 400)
        assert set(body["errors"]) <= {"stage", "dry_run", "format"}, body
    assert Measurement.objects.filter(pk=figure.pk, version=figure.version).exists()


@pytest.mark.parametrize("method", ["TRACE", "DELETE", "CONNECT"])
def test_a_method_the_api_does_not_take_is_405_whatever_its_query(steering_client, method):
    """Found by `make fuzz`: the write's query check must not answer for a method no
    handler takes (405 names the method, not the parameters)."""
    for path in ("/api/v1/measurements/?stage=final", "/api/v1/measurements/bulk/?stage=x"):
        response = steering_client.generic(method, path)
        assert error_shape(response, 405)["code"] == "method_not_allowed", path
