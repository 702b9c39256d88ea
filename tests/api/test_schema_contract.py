"""What a client generator reads from /api/schema/ is what the server does.

CSV bodies are strings, every decimal is a string with ``format: decimal``, the token
is an apiKey with the ``Token`` prefix (another scheme is a 401), ``ordering`` is an
enum, preconditions are documented, unknown and empty query values behave as declared.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def walk(node, trail=()):
    """Every (trail, dict) of a JSON document."""
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from walk(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*trail, index))


def test_every_csv_body_is_declared_as_a_string(schema):
    found = [
        (trail, node["text/csv"])
        for trail, node in walk(schema["paths"])
        if "text/csv" in node and trail and trail[-1] == "content"
    ]
    # The measurements list and detail and progress, and the lists' CSV-only twins.
    assert {trail[0] for trail, _media in found} == {
        "/api/v1/measurements/",
        "/api/v1/measurements/{id}/",
        "/api/v1/progress/",
        "/api/v1/measurements.csv",
        "/api/v1/progress.csv",
    }
    for trail, media in found:
        assert media["schema"] == {"type": "string"}, trail
    for twin in ("/api/v1/measurements.csv", "/api/v1/progress.csv"):
        assert set(schema["paths"][twin]) == {"get"}
        assert set(schema["paths"][twin]["get"]["responses"]["200"]["content"]) == {"text/csv"}


def test_a_csv_twin_takes_reads_only_and_an_unknown_suffix_is_a_json_404(ravenna_client, sern):
    twin = ravenna_client.get("/api/v1/measurements.csv")
    assert twin["Content-Type"].startswith("text/csv")
    assert b"".join(twin.streaming_content).startswith(b"id,consortium,")
    refused = ravenna_client.post("/api/v1/measurements.csv", {}, format="json")
    assert refused.status_code == 405
    assert "POST" not in ravenna_client.options("/api/v1/measurements.csv")["Allow"]
    assert_error_shape(ravenna_client.get("/api/v1/measurements/-3.1e-229.csv"), 404)
    written = ravenna_client.patch("/api/v1/measurements/1/?format=csv", {}, format="json")
    assert not written["Content-Type"].startswith("text/csv")
    # "0.5" is no id: a 404, whatever the method (the ".5" is no format either).
    assert ravenna_client.put("/api/v1/measurements/0.5/", {}, format="json").status_code == 404


def test_every_decimal_is_a_string_with_format_decimal(schema):
    decimals = {
        "Measurement": ["value"],
        "KPI": ["target_value"],
        "ProgressRow": ["value", "target", "ratio"],
        "Solution": ["estimated_cost"],
        "Activity": ["work_days_per_city"],
    }
    components = schema["components"]["schemas"]
    for component, fields in decimals.items():
        for field in fields:
            declared = components[component]["properties"][field]
            assert (declared["type"], declared["format"]) == ("string", "decimal"), (
                component,
                field,
            )
            assert re.fullmatch(declared["pattern"], "-12.5")
            assert not re.fullmatch(declared["pattern"], "-")
    for trail, node in walk(components):
        if node.get("format") == "decimal":
            assert node["type"] == "string", trail


def test_the_token_is_an_api_key_with_the_token_prefix(schema, anonymous, sern, sern_partner):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Token <key>" in scheme["description"]
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=sern_partner).key
    assert anonymous.get("/api/v1/kpis/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    for header in (f"Bearer {key}", f"Basic {key}", key):
        response = anonymous.get("/api/v1/kpis/", HTTP_AUTHORIZATION=header)
        body = assert_error_shape(response, 401)
        assert "Authorization: Token" in body["detail"]
        assert response["WWW-Authenticate"] == "Token"


def test_ordering_is_an_enum_of_the_views_fields(schema):
    (ordering,) = [
        parameter
        for parameter in schema["paths"]["/api/v1/measurements/"]["get"]["parameters"]
        if parameter["name"] == "ordering"
    ]
    assert ordering["style"] == "form" and ordering["explode"] is False
    assert {"id", "-id", "value", "-updated_at", "stage_rank"} <= set(
        ordering["schema"]["items"]["enum"]
    )
    assert "ordering" not in {
        parameter["name"] for parameter in schema["paths"]["/api/v1/progress/"]["get"]["parameters"]
    }


def test_every_read_documents_its_conditions(schema):
    for path, operations in schema["paths"].items():
        read = operations.get("get")
        if read is None or read["operationId"] == "health":
            continue
        names = {parameter["name"] for parameter in read["parameters"]}
        assert {"If-None-Match", "If-Modified-Since"} <= names, path
        assert "304" in read["responses"], path
        assert {"ETag", "Last-Modified"} <= set(read["responses"]["200"]["headers"]), path


def test_changes_document_their_preconditions(schema):
    detail = schema["paths"]["/api/v1/measurements/{id}/"]
    for method in ("put", "patch"):
        operation = detail[method]
        assert {"409", "412", "428"} <= set(operation["responses"]), method
        assert "If-Match" in {parameter["name"] for parameter in operation["parameters"]}
        assert "428" in operation["description"] and "412" in operation["description"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/measurements/?city=%20%20", 200),  # free text: spaces read as not given
        ("/api/v1/progress/?consortium=sern&city=%20", 200),
        ("/api/v1/changes/?since=%20", 200),
        ("/api/v1/measurements/?stage=%20", 400),  # a choice: spaces are not one
        ("/api/v1/measurements/?solution=%20", 400),
        ("/api/v1/progress/?consortium=%20", 400),  # required: the schema wants a letter
        ("/api/v1/progress/?consortium=%1E", 200),  # not a space to the schema: no such slug
    ],
)
def test_spaces_alone_behave_as_the_schema_says(anonymous, sern, path, status):
    assert anonymous.get(path).status_code == status
