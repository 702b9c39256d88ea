"""Request bodies read strictly: a key written twice, a number of thousands of digits and
text with characters that change how it reads are 400s in the API's one error shape,
worded plainly, and nothing is stored."""

from __future__ import annotations

import json

import pytest

from kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def figure(**changes) -> dict:
    kpi = KPI.objects.get(solution__consortium__slug="sern", code="2.1")
    body = {"kpi": kpi.pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    return {**body, "value": "3", **changes}


def ravenna_baseline_stored() -> bool:
    """The demo data has no baselines: any figure there was stored by the test."""
    return Measurement.objects.filter(city__slug="ravenna", stage="baseline").exists()


def error_body(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    return body


def post_text(client, text: str):
    return client.post(URL, text, content_type="application/json")


def test_a_key_written_twice_is_400_duplicate_key(ravenna_client, sern):
    text = json.dumps(figure())[:-1] + ', "value": "5"}'

    body = error_body(post_text(ravenna_client, text))

    assert body["code"] == "duplicate_key"
    assert body["detail"] == (
        "The key “value” is written twice in one object of the JSON body: send each key once."
    )
    assert not ravenna_baseline_stored()


def test_a_key_written_twice_in_a_nested_object_is_refused_too(ravenna_client, sern):
    text = '{"rows": [{"kpi": 1, "kpi": 2}]}'

    body = error_body(ravenna_client.post(URL + "bulk/", text, content_type="application/json"))

    assert body["code"] == "duplicate_key"


def test_a_five_thousand_digit_number_is_refused_in_plain_words(ravenna_client, sern):
    text = json.dumps(figure())[:-1] + ', "version": ' + "9" * 5000 + "}"
    text = text.replace('"value": "3"', '"value": ' + "1" * 5000)

    body = error_body(post_text(ravenna_client, text))

    assert body["code"] == "number_too_long"
    assert body["detail"] == (
        "A number in the JSON body has 5,000 digits; the API reads numbers of up to 100 digits."
    )
    assert "sys." not in response_text(body) and "int_max_str_digits" not in response_text(body)


def test_a_five_thousand_digit_number_as_text_names_the_field_not_python(ravenna_client, sern):
    body = error_body(ravenna_client.post(URL, figure(value="1" * 5000), format="json"))

    assert "value" in body["errors"]
    assert "sys." not in response_text(body) and "int_max_str_digits" not in response_text(body)


def test_a_number_of_ordinary_length_is_read_as_before(ravenna_client, sern):
    response = post_text(ravenna_client, json.dumps(figure(value=12)))

    assert response.status_code == 201, response.content


def response_text(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize(
    ("field", "text"),
    [("note", "10 departments\u202e"), ("text_value", "yes\u200b"), ("reason", "\u2066n/a")],
)
def test_hidden_characters_in_free_text_are_400_on_their_field(ravenna_client, sern, field, text):
    changes = {field: text}
    if field == "reason":
        changes.update(status="not_available", value=None)

    body = error_body(ravenna_client.post(URL, figure(**changes), format="json"))

    assert body["errors"][field][0].startswith(
        "This text holds invisible characters that change how it reads"
    )
    assert not ravenna_baseline_stored()
