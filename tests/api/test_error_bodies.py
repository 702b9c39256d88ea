"""Errors raised outside a view's own checks still leave the API in its one error shape.

Bodies Django refuses while reading them (too large, too many fields), JSON nested too
deep for Python's parser, and bugs (500) — in a DRF view, in a plain view under /api/,
or before any view runs. The URLs that raise are this module's own (``urlpatterns``
below, used through ``pytest.mark.urls``), not the project's.
"""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from icc_portal.api.parsers import MAX_JSON_DEPTH, nesting_exceeds
from icc_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from kpis.models import KPI, Measurement
from tests.helpers.api import assert_error_shape

URL = "/api/v1/measurements/"


class Broken(APIView):
    """A DRF view with a bug."""

    def get(self, request):
        raise RuntimeError("a bug in a view")

    def post(self, request):
        return Response({"received": request.data})


def broken_plain_view(request):
    raise ZeroDivisionError("a bug outside DRF")


def refusing_view(kind):
    def view(request):
        raise {"404": Http404, "403": PermissionDenied, "400": SuspiciousOperation}[kind]("no")

    return view


urlpatterns = [
    path("api/v1/test-broken/", Broken.as_view()),
    path("api/test-plain-broken/", broken_plain_view),
    *(path(f"api/test-refused-{kind}/", refusing_view(kind)) for kind in ("400", "403", "404")),
    path("", include("icc_portal.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def deep_json(levels: int) -> str:
    return "[" * levels + "]" * levels


def new_figure(**changes) -> dict:
    kpi = KPI.objects.get(solution__consortium__slug="sern", code="2.1")
    body = {"kpi": kpi.pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    return {**body, "value": "3", **changes}


# ----------------------------------------------------------------- JSON nested too deep


def test_json_nested_a_thousand_levels_is_400_too_deep(ravenna_client):
    response = ravenna_client.post(URL, deep_json(1000), content_type="application/json")
    body = assert_error_shape(response, 400)
    assert body["code"] == "too_deep"
    assert body["detail"] == "The JSON body is nested more than 32 levels deep."
    assert body["errors"] == {}


def test_json_at_the_depth_limit_is_read_as_usual(ravenna_client, sern):
    # The figure itself is one level; its value nested 31 more is still read (and refused
    # as a value, with the field named), one level more is refused unread.
    at_limit = deep_json(MAX_JSON_DEPTH - 1)
    response = ravenna_client.post(URL, f'{{"value": {at_limit}}}', content_type="application/json")
    assert assert_error_shape(response, 400, "value")["code"] != "too_deep"
    too_deep = deep_json(MAX_JSON_DEPTH)
    response = ravenna_client.post(URL, f'{{"value": {too_deep}}}', content_type="application/json")
    assert assert_error_shape(response, 400)["code"] == "too_deep"


def test_brackets_inside_strings_do_not_count_as_nesting(ravenna_client, sern):
    note = "[{" * 200 + '"[' * 50  # sent with its quotes escaped
    response = ravenna_client.post(URL, new_figure(note=note), format="json")
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(pk=response.json()["id"]).note.startswith("[{[{")


def test_nesting_is_counted_outside_strings_and_escapes():
    assert not nesting_exceeds('["' + "[" * 40 + '"]', 32)
    assert not nesting_exceeds('["\\"' + "[" * 40 + '"]', 32)
    assert nesting_exceeds('["\\\\"' + "," + "[" * 40, 32)  # the string ended before them
    assert not nesting_exceeds("[]" * 1000, 32)
    assert nesting_exceeds("[" * 33 + "]" * 33, 32)
    assert not nesting_exceeds("[" * 32 + "]" * 32, 32)


def test_malformed_json_is_400_parse_error(ravenna_client):
    response = ravenna_client.post(URL, b'{"kpi": [1,', content_type="application/json")
    body = assert_error_shape(response, 400)
    assert body["code"] == "parse_error"
    assert body["detail"].startswith("JSON parse error")


def test_a_charset_that_is_not_a_text_encoding_is_400(ravenna_client):
    response = ravenna_client.post(URL, b"{}", content_type="application/json; charset=bz2_codec")
    body = assert_error_shape(response, 400)
    assert "bz2_codec" in body["detail"]


# ----------------------------------------------------------------- forms that are no forms

BOUNDARY = "f37b7ce1a328aa361db52aa565deb7d0"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: bytes, closed: bool = True) -> bytes:
    body = b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--" + BOUNDARY.encode() + b"--\r\n" if closed else b"")


def field(name: str, value: str) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()


@pytest.mark.parametrize(
    "body",
    [
        # The fuzzer's body: a string where the schema says an object, one unreadable part.
        b"--" + BOUNDARY.encode() + b"\r\n-\xf1\x81\x91\x8d--" + BOUNDARY.encode() + b"--\r\n",
        multipart(b"X-Note: no disposition\r\n\r\n3"),
        multipart(b"Content-Disposition: form-data\r\n\r\n3"),
        multipart(b'Content-Disposition: form-data; name=""\r\n\r\n3'),
        multipart(field("note", "kept"), b"not a part at all"),
        multipart(field("note", "cut off"), closed=False),
        b"no boundary anywhere",
    ],
    ids=["fuzzer", "no-disposition", "no-name", "empty-name", "one-bad-of-two", "unclosed", "none"],
)
def test_a_multipart_body_with_a_part_it_cannot_read_is_400(ravenna_client, sern, body):
    response = ravenna_client.post(URL, body, content_type=MULTIPART)
    refused = assert_error_shape(response, 400)
    assert refused["code"] == "malformed_multipart"
    assert refused["detail"].startswith("The multipart body has a part the API cannot read")
    assert not Measurement.objects.filter(stage="baseline").exists()


def test_a_well_formed_multipart_body_is_read_whole(ravenna_client, sern):
    figure = new_figure(note="sent as a form")
    body = multipart(*(field(name, str(value)) for name, value in figure.items()))
    response = ravenna_client.post(URL, b"a preamble is allowed\r\n" + body, content_type=MULTIPART)
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(pk=response.json()["id"]).note == "sent as a form"
    # An empty body is no body: the figure's own fields are then what is missing.
    empty = ravenna_client.post(URL, b"", content_type=MULTIPART)
    assert "kpi" in assert_error_shape(empty, 400, "kpi")["errors"]


def test_a_multipart_body_over_the_upload_limit_is_413(ravenna_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = multipart(field("note", "x" * 2_000))
    response = ravenna_client.post(URL, body, content_type=MULTIPART)
    assert assert_error_shape(response, 413)["code"] == "request_too_large"


@pytest.mark.parametrize("body", [b"just text", b"note=a&stray", b"&&bare&"])
def test_a_form_body_with_a_piece_without_equals_is_400(ravenna_client, sern, body):
    form = "application/x-www-form-urlencoded"
    refused = assert_error_shape(ravenna_client.post(URL, body, content_type=form), 400)
    assert refused["code"] == "malformed_form"
    assert refused["detail"] == (
        "The form body has a piece without “=”: send each field as name=value."
    )
    # Empty pieces and empty values are a form still.
    sent = urlencode(new_figure(note="")) + "&&"
    assert ravenna_client.post(URL, sent, content_type=form).status_code == 201


# ----------------------------------------------------------------- bodies too large


def test_a_json_body_over_the_upload_limit_is_413(ravenna_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"note": "' + "x" * 10_000 + '"}'
    response = ravenna_client.post(URL, body, content_type="application/json")
    body = assert_error_shape(response, 413)
    assert body["code"] == "request_too_large"
    assert body["detail"] == ("The request body is too large: the API accepts at most 10000 bytes.")
    assert not Measurement.objects.filter(stage="baseline").exists()


def test_a_body_at_the_default_limit_of_two_and_a_half_megabytes_is_413(ravenna_client):
    body = '{"note": "' + "x" * (2_621_440 + 1) + '"}'
    response = ravenna_client.post(URL, body, content_type="application/json")
    assert assert_error_shape(response, 413)["code"] == "request_too_large"


def test_a_form_body_over_the_upload_limit_is_413(ravenna_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    form = urlencode({"note": "x" * 2_000})
    response = ravenna_client.post(URL, form, content_type="application/x-www-form-urlencoded")
    assert assert_error_shape(response, 413)["code"] == "request_too_large"


def test_the_json_parser_itself_refuses_a_body_over_the_limit(settings):
    """DRF before 3.17 hands the parser the raw stream, unchecked: the parser checks."""
    import io

    from django.core.exceptions import RequestDataTooBig

    from icc_portal.api.parsers import JSONParser

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(RequestDataTooBig):
        JSONParser().parse(io.BytesIO(b'["' + b"x" * 200 + b'"]'))
    assert JSONParser().parse(io.BytesIO(b'["' + b"x" * 90 + b'"]')) == ["x" * 90]


def test_more_than_a_thousand_form_fields_is_400(ravenna_client):
    form = urlencode({f"field{number}": "1" for number in range(1001)})
    response = ravenna_client.post(URL, form, content_type="application/x-www-form-urlencoded")
    body = assert_error_shape(response, 400)
    assert body["code"] == "too_many_fields"
    assert body["detail"] == ("The request sends too many fields: the API accepts at most 1000.")


def test_a_thousand_form_fields_are_read(ravenna_client, sern):
    fields = {f"field{number}": "1" for number in range(994)}
    form = urlencode({**new_figure(), **fields})
    response = ravenna_client.post(URL, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content


def test_refused_before_authentication_it_is_still_json(anonymous, sern):
    """An anonymous write is a 401 whatever its body: the body is never read."""
    response = anonymous.post(URL, deep_json(1000), content_type="application/json")
    assert_error_shape(response, 401)


# ----------------------------------------------------------------- 500


@pytest.fixture
def quiet_client(ravenna_client):
    """The test client answering a bug with the 500 response, as a server would."""
    ravenna_client.raise_request_exception = False
    return ravenna_client


def test_a_bug_in_an_api_view_is_a_500_in_the_error_shape(quiet_client, settings, caplog):
    settings.DEBUG = False
    response = quiet_client.get("/api/v1/test-broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    # Every request gets an id (icc_portal.request_log); a 500 names it for the report.
    assert response.json() == {
        "detail": "A server error occurred.",
        "code": "server_error",
        "errors": {},
        "request_id": response["X-Request-ID"],
    }
    # Django still logs the bug with its traceback.
    record = next(record for record in caplog.records if record.name == "django.request")
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_the_500_body_carries_the_request_id(quiet_client):
    response = quiet_client.get("/api/v1/test-broken/", HTTP_X_REQUEST_ID="req-7f3a9c")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "A server error occurred.",
        "code": "server_error",
        "errors": {},
        "request_id": "req-7f3a9c",
    }
    assert response["X-Request-ID"] == "req-7f3a9c"


def test_a_request_id_that_is_not_an_id_is_replaced_by_one_of_ours(quiet_client):
    response = quiet_client.get("/api/v1/test-broken/", HTTP_X_REQUEST_ID="<script>")
    request_id = response.json()["request_id"]
    assert "<script>" not in response.content.decode()
    assert request_id == response["X-Request-ID"]
    assert request_id.isalnum() and len(request_id) == 32


def test_a_bug_outside_drf_under_api_is_a_500_in_the_error_shape(quiet_client):
    response = quiet_client.get("/api/test-plain-broken/")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "A server error occurred.",
        "code": "server_error",
        "errors": {},
        "request_id": response["X-Request-ID"],
    }


def test_the_500_body_is_in_the_clients_language(quiet_client):
    response = quiet_client.get("/api/v1/test-broken/", HTTP_ACCEPT_LANGUAGE="it")
    assert response.json()["detail"] == "Errore del server."


@pytest.mark.parametrize(
    ("kind", "code"),
    [("400", "bad_request"), ("403", "permission_denied"), ("404", "not_found")],
)
def test_errors_of_plain_views_under_api_are_json(anonymous, db, kind, code):
    response = anonymous.get(f"/api/test-refused-{kind}/")
    assert assert_error_shape(response, int(kind))["code"] == code


# ----------------------------------------------------------------- DRF's own, still in shape


def test_unknown_api_urls_are_still_json_404(anonymous, db):
    assert assert_error_shape(anonymous.get("/api/v1/nothing/"), 404)["code"] == "not_found"


def test_a_method_not_allowed_is_405(ravenna_client, sern):
    response = ravenna_client.delete(f"{URL}1/")
    body = assert_error_shape(response, 405)
    assert body == {
        "detail": 'Method "DELETE" not allowed.',
        "code": "method_not_allowed",
        "errors": {},
    }


def test_an_unsupported_media_type_is_415(ravenna_client):
    response = ravenna_client.post(URL, "kpi=1", content_type="text/plain")
    body = assert_error_shape(response, 415)
    assert body["code"] == "unsupported_media_type"
    assert "text/plain" in body["detail"]


def test_an_unacceptable_media_type_is_406(anonymous, sern):
    response = anonymous.get(URL, HTTP_ACCEPT="application/xml")
    assert assert_error_shape(response, 406)["code"] == "not_acceptable"
