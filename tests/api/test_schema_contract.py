"""What a client generator reads from /api/schema/ is what the server does.

CSV bodies are strings, every decimal is a string with ``format: decimal``, the token
is an apiKey with the ``Token`` prefix (another scheme is a 401), ``ordering`` is an
enum, preconditions are documented, unknown and empty query values behave as declared.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from icc_portal.api.schema import UNVALIDATED_READS
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
        "/api/v1/imports/template.csv",
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


def patterns_of(schema) -> dict[str, list]:
    """Every ``pattern`` of the schema -> the trails where it is declared."""
    found: dict[str, list] = {}
    for trail, node in walk(schema):
        if isinstance(node.get("pattern"), str):
            found.setdefault(node["pattern"], []).append(trail)
    return found


#: What Python's ``re`` takes and ECMA-262 (the dialect of OpenAPI's ``pattern``) does not:
#: named groups and back-references written ``(?P…)``, comments, inline flags, ``\A``/``\Z``.
PYTHON_ONLY = re.compile(r"\(\?P|\(\?#|\(\?[aiLmsux]+[):-]|(?<!\\)(?:\\\\)*\\[AZ]")


def test_no_pattern_of_the_schema_uses_python_only_syntax(schema):
    patterns = patterns_of(schema)
    # The KPI reference ("sern/2.2") is among them, and still reads what the API takes.
    (kpi,) = [pattern for pattern in patterns if "/" in pattern]
    assert {trail[2] for trail in patterns[kpi]} == {"MeasurementCreateRequest", "BulkRowRequest"}
    assert re.fullmatch(kpi, "sern/2.2") and not re.fullmatch(kpi, "sern/2/2")
    assert not PYTHON_ONLY.search("^(?:[0-9]+)/[^/\\s]+$")
    assert PYTHON_ONLY.search("^(?P<consortium>[a-z]+)$")
    assert {pattern for pattern in patterns if PYTHON_ONLY.search(pattern)} == set()


def test_every_pattern_of_the_schema_compiles_as_a_javascript_regex(schema):
    """What a JavaScript validator (Ajv, for one) does with the schema: ``new RegExp``,
    with and without the ``u`` flag that JSON Schema asks for (Ajv's default)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(
            "node is not installed: test_no_pattern_of_the_schema_uses_python_only_syntax "
            "checks the patterns without it"
        )
    script = """
        const refused = [];
        for (const pattern of JSON.parse(process.argv[1])) {
            for (const flags of ["", "u"]) {
                try { new RegExp(pattern, flags); }
                catch (error) { refused.push([pattern, flags, error.message]); }
            }
        }
        process.stdout.write(JSON.stringify(refused));
    """
    patterns = sorted(patterns_of(schema))
    ran = subprocess.run(
        [node, "-e", script, json.dumps(patterns)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(ran.stdout) == []
    # node does refuse Python's named groups: the check would see the old pattern.
    ran = subprocess.run(
        [node, "-e", script, json.dumps(["^(?P<consortium>[a-z]+)$"])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert [flags for _pattern, flags, _message in json.loads(ran.stdout)] == ["", "u"]


#: Every shape a figure is written or read in.
FIGURE_SHAPES = [
    "MeasurementCreateRequest",
    "MeasurementUpdateRequest",
    "PatchedMeasurementUpdateRequest",
    "BulkRowRequest",
    "Measurement",
]
#: The answers a figure may hold.
FIGURE_ANSWERS = ("value", "boolean_value", "text_value")


@pytest.mark.parametrize("shape", FIGURE_SHAPES)
def test_the_schema_says_which_answer_a_figure_holds_for_each_value_type(schema, shape):
    """A number for a count, number or percentage KPI, a yes/no for a yes/no KPI, words for
    a text KPI or a numeric one answered in words; written and read alike."""
    fields = schema["components"]["schemas"][shape]["properties"]
    said = {name: fields[name].get("description", "") for name in FIGURE_ANSWERS}
    # value: which KPIs it answers, and the other answers a reported figure may hold.
    assert "count, number or percentage KPI" in said["value"], said["value"]
    assert "`boolean_value`" in said["value"] and "`text_value`" in said["value"], said
    assert "yes/no KPI" in said["boolean_value"], said["boolean_value"]
    assert "text KPI" in said["text_value"], said["text_value"]
    assert "answered in words" in said["text_value"], said["text_value"]
    assert "`value` is null" in said["text_value"], said["text_value"]
    if shape.endswith("Request"):  # what a writer may send: answers only when reported
        assert all("`status`" in said[name] for name in FIGURE_ANSWERS), said


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
        if read is None or read["operationId"] in UNVALIDATED_READS:
            continue
        names = {parameter["name"] for parameter in read["parameters"]}
        assert {"If-None-Match", "If-Modified-Since"} <= names, path
        assert "304" in read["responses"], path
        assert {"ETag", "Last-Modified"} <= set(read["responses"]["200"]["headers"]), path


def test_every_throttled_answer_declares_the_drafts_two_rate_limit_fields(schema):
    """draft-ietf-httpapi-ratelimit-headers-11: ``RateLimit`` and ``RateLimit-Policy``, on
    every answer but the health check's, a revalidation's 304 too (it counts as a read)."""
    declared = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or operation.get("operationId") == "health":
                continue
            for code, response in operation["responses"].items():
                if code.startswith(("2", "4")) or code == "304":
                    names = {name for name in response.get("headers", {}) if "RateLimit" in name}
                    declared[(path, method, code)] = names
    assert set(map(frozenset, declared.values())) == {frozenset({"RateLimit", "RateLimit-Policy"})}
    assert ("/api/v1/cities/", "get", "304") in declared
    headers = schema["paths"]["/api/v1/cities/"]["get"]["responses"]["200"]["headers"]
    assert headers["RateLimit-Policy"]["schema"]["example"] == '"read";q=1200;w=60'
    assert headers["RateLimit"]["schema"]["example"] == '"read";r=1199;t=60'


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
