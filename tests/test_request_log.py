"""Logs: one line per request with its id, status, time and user; the id on every line."""

import io
import logging
import re

import pytest
from django.conf import settings

from icc_portal.request_log import OneLineFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """What the console handler of settings.LOGGING writes, as a list of lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(OneLineFormatter(settings.LOGGING["formatters"]["one_line"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)


def request_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if " icc_portal.requests " in line]


def test_each_response_carries_a_new_request_id(client):
    first = client.get("/api/v1/health/")["X-Request-ID"]
    second = client.get("/api/v1/health/")["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client):
    incoming = "7b0c1e2a-4d5f-4a6b-9c8d-0e1f2a3b4c5d"
    assert client.get("/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "two words", 'quote"d', "line\nbreak", "x" * 129, "ünïcode"],
)
def test_an_odd_incoming_request_id_is_replaced(client, incoming, log_lines):
    response = client.get("/api/v1/health/", HTTP_X_REQUEST_ID=incoming)
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
    assert all(incoming not in line for line in log_lines() if incoming)


def test_one_line_per_request_with_method_path_status_time_and_user(client, log_lines):
    response = client.get("/api/v1/health/?deep=1")
    [line] = request_lines(log_lines())
    request_id = response["X-Request-ID"]
    assert re.search(
        rf"INFO icc_portal\.requests request_id={request_id} method=GET "
        r"path=/api/v1/health/\?deep=1 status=200 duration_ms=\d+ user=-$",
        line,
    ), line


def test_the_line_names_the_signed_in_user_by_id(client, log_lines, django_user_model):
    user = django_user_model.objects.create_user("coordinator", password=None)
    client.force_login(user)
    client.get("/accounts/api-token/")
    [line] = request_lines(log_lines())
    assert re.search(rf"path=/accounts/api-token/ status=200 duration_ms=\d+ user={user.pk}$", line)


def test_djangos_own_lines_carry_the_request_id(client, log_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"
    lines = log_lines()
    assert any(
        "django.request request_id=trace-404 Not Found: /no-such-page/" in line for line in lines
    ), lines
    assert request_lines(lines)[0].count("request_id=trace-404") == 1


def test_outside_a_request_the_id_is_a_dash(client, log_lines):
    client.get("/api/v1/health/")
    logging.getLogger("icc_portal.tests").warning("after the request")
    assert log_lines()[-1].endswith("icc_portal.tests request_id=- after the request")


def test_a_traceback_stays_on_one_line(log_lines):
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        logging.getLogger("icc_portal.tests").exception("it broke")
    [line] = log_lines()
    assert "it broke\\nTraceback (most recent call last):" in line
    assert "first line\\nsecond line" in line


def test_logs_go_to_standard_output_through_the_request_id_filter():
    console = settings.LOGGING["handlers"]["console"]
    assert console["stream"] == "ext://sys.stdout"
    assert console["filters"] == ["request_id"]
    assert settings.MIDDLEWARE[0] == "icc_portal.request_log.RequestLogMiddleware"


def test_times_are_in_utc():
    formatter = OneLineFormatter(
        settings.LOGGING["formatters"]["one_line"]["format"],
        settings.LOGGING["formatters"]["one_line"]["datefmt"],
    )
    record = logging.makeLogRecord({"msg": "x", "created": 0, "request_id": "-"})
    assert formatter.format(record).startswith("1970-01-01T00:00:00Z ")
