"""Every error comes back in one shape: {"detail", "code", "errors": {field: [messages]}}."""

import pytest

from tests.api.conftest import assert_error_shape

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stage=someday", "stage"),
        ("status=zero", "status"),
        ("solution=two", "solution"),
        ("kpi_id=x", "kpi_id"),
        ("level=street", "level"),
        ("updated_since=yesterday", "updated_since"),
        ("review_state=maybe", "review_state"),
    ],
)
def test_bad_filter_value_is_400_with_the_field(anonymous, sern, query, field):
    assert_error_shape(anonymous.get(f"{API}measurements/?{query}"), 400, field)


@pytest.mark.parametrize(
    "url",
    [
        "cities/atlantis/",
        "consortia/nope/",
        "programmes/nope/",
        "solutions/999999/",
        "activities/999999/",
        "kpis/999999/",
        "measurements/999999/",
        "measurements/?page=999",
    ],
)
def test_unknown_objects_are_404(anonymous, sern, url):
    body = assert_error_shape(anonymous.get(f"{API}{url}"), 404)
    assert body["code"] == "not_found"


def test_non_numeric_id_is_404(anonymous, sern):
    assert_error_shape(anonymous.get(f"{API}measurements/abc/"), 404)


def test_writing_to_a_read_only_resource_is_405(partner_client, sern):
    body = assert_error_shape(partner_client.post(f"{API}cities/", {}, format="json"), 405)
    assert body["code"] == "method_not_allowed"


def test_anonymous_write_is_401(anonymous, sern):
    response = anonymous.post(f"{API}measurements/", {}, format="json")
    assert_error_shape(response, 401)


def test_unacceptable_media_type_is_406(anonymous, sern):
    response = anonymous.get(f"{API}cities/", HTTP_ACCEPT="application/xml")
    assert_error_shape(response, 406)
