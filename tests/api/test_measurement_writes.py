"""Writing figures over the API: the entry grid's save path, rules, errors and conflicts.

SERN's published figures are approved (locked); new figures go to the baseline stage,
which the deliverable left empty.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kpis.models import KPI, Measurement
from tests.helpers.api import assert_error_shape, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def kpi(code: str) -> KPI:
    return KPI.objects.get(solution__consortium__slug="sern", code=code)


def new_figure(**changes) -> dict:
    body = {"kpi": kpi("2.1").pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    body["value"] = "3"
    body.update(changes)
    return body


@pytest.fixture
def draft(ravenna_client):
    """A draft baseline figure of Ravenna, entered over the API."""
    response = ravenna_client.post(URL, new_figure(note="first count"), format="json")
    assert response.status_code == 201, response.content
    return Measurement.objects.get(pk=response.json()["id"])


def detail(measurement) -> str:
    return f"{URL}{measurement.pk}/"


# ----------------------------------------------------------------- creating


def test_coordinator_enters_a_figure_for_their_city(ravenna_client, sern_coordinator_ravenna):
    response = ravenna_client.post(URL, new_figure(note="3 cases"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["city"] == "ravenna" and body["kpi_code"] == "2.1" and body["stage"] == "baseline"
    assert body["value"] == "3"
    assert body["review_state"] == "draft"
    assert body["version"] == 1
    assert response["ETag"] == f'"measurement-{body["id"]}-v1"'
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    stored = Measurement.objects.get(pk=body["id"])
    assert stored.value == Decimal(3)
    assert stored.entered_by == sern_coordinator_ravenna
    assert stored.history.count() == 1


def test_posting_the_same_figure_again_changes_nothing(ravenna_client, draft):
    response = ravenna_client.post(URL, new_figure(note="first count"), format="json")
    assert response.status_code == 200
    assert response.json()["version"] == draft.version == 1


def test_posting_over_an_existing_figure_is_a_409(ravenna_client, draft):
    response = ravenna_client.post(URL, new_figure(value="9"), format="json")
    body = assert_error_shape(response, 409, "version")
    assert body["code"] == "stale"
    assert response["ETag"] == f'"measurement-{draft.pk}-v1"'
    draft.refresh_from_db()
    assert draft.value == Decimal(3)


def test_nothing_to_store_is_204(ravenna_client):
    body = new_figure(status="not_reported")
    del body["value"]
    assert ravenna_client.post(URL, body, format="json").status_code == 204
    assert not Measurement.objects.filter(stage="baseline").exists()


def test_consortium_figure_by_a_lead_city_coordinator(cervia_client):
    body = {"kpi": kpi("3.1").pk, "city": None, "stage": "baseline", "status": "reported"}
    response = cervia_client.post(URL, {**body, "value": "2"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["city"] is None and response.json()["country"] is None


def test_yes_no_and_text_answers(cervia_client):
    answer = {"kpi": kpi("3.2").pk, "stage": "baseline", "status": "reported"}
    response = cervia_client.post(URL, {**answer, "boolean_value": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["boolean_value"] is True
    text = {"kpi": kpi("2.3").pk, "city": "cervia", "stage": "baseline", "status": "reported"}
    response = cervia_client.post(URL, {**text, "text_value": "Survey planned"}, format="json")
    assert response.json()["text_value"] == "Survey planned"


def test_not_available_with_a_reason(ravenna_client):
    body = {**new_figure(status="not_available", reason="Not collected"), "value": None}
    response = ravenna_client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["value"] is None and response.json()["reason"] == "Not collected"


# ----------------------------------------------------------------- who may write


def test_anonymous_write_is_401(anonymous, sern):
    assert_error_shape(anonymous.post(URL, new_figure(), format="json"), 401)


def test_coordinator_cannot_enter_another_citys_figure(cervia_client):
    response = cervia_client.post(URL, new_figure(city="ravenna"), format="json")
    body = assert_error_shape(response, 403)
    assert body["code"] == "permission_denied"
    assert not Measurement.objects.filter(stage="baseline").exists()


@pytest.mark.parametrize("persona", ["partner_client", "steering_client"])
def test_partner_and_steering_cannot_enter_city_figures(request, persona):
    client = request.getfixturevalue(persona)
    assert_error_shape(client.post(URL, new_figure(), format="json"), 403)


def test_coordinator_of_a_non_lead_city_cannot_enter_consortium_figures(ravenna_client):
    body = {"kpi": kpi("3.1").pk, "stage": "baseline", "status": "reported", "value": "1"}
    assert_error_shape(ravenna_client.post(URL, body, format="json"), 403)


def test_coordinator_cannot_change_another_citys_figure(cervia_client, sern):
    figure = Measurement.objects.get(kpi=kpi("2.2"), city__slug="ravenna", stage="final")
    response = cervia_client.patch(detail(figure), {"note": "x", "version": 1}, format="json")
    assert_error_shape(response, 403)


def test_another_citys_draft_is_not_even_visible(cervia_client, draft):
    response = cervia_client.patch(detail(draft), {"note": "x", "version": 1}, format="json")
    assert_error_shape(response, 404)


def test_admin_may_enter_any_citys_figure(admin_client_api):
    response = admin_client_api.post(URL, new_figure(note="by the admin"), format="json")
    assert response.status_code == 201
    stored = Measurement.objects.get(pk=response.json()["id"])
    assert (stored.kpi.code, stored.city.slug, stored.stage) == ("2.1", "ravenna", "baseline")
    assert (stored.status, stored.value, stored.note) == ("reported", Decimal(3), "by the admin")
    assert (stored.review_state, stored.version) == ("draft", 1)
    assert response.json()["value"] == "3"


def test_session_writes_need_the_csrf_token(sern_coordinator_ravenna):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(sern_coordinator_ravenna)
    response = client.post(URL, new_figure(), format="json")
    body = assert_error_shape(response, 403)
    assert "CSRF" in body["detail"]


# ----------------------------------------------------------------- bad input: 400


def test_invalid_json_is_400(ravenna_client):
    response = ravenna_client.post(URL, b'{"kpi": 1,', content_type="application/json")
    body = assert_error_shape(response, 400)
    assert body["code"] == "parse_error"
    assert "JSON" in body["detail"]


def test_a_list_instead_of_an_object_is_400(ravenna_client):
    response = ravenna_client.post(URL, [new_figure()], format="json")
    assert_error_shape(response, 400, "non_field_errors")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "three"}, "value"),
        ({"value": [1]}, "value"),
        ({"value": "1e400"}, "value"),
        ({"value": "0.123456"}, "value"),
        ({"boolean_value": "perhaps"}, "boolean_value"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"kpi": "two"}, "kpi"),
        ({"status": "zero"}, "status"),
        ({"note": "null\x00byte"}, "note"),
    ],
)
def test_wrong_types_are_400_with_the_field(ravenna_client, changes, field):
    response = ravenna_client.post(URL, new_figure(**changes), format="json")
    assert_error_shape(response, 400, field)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"city": "atlantis"}, "city"),
        ({"kpi": 999999}, "kpi"),
        ({"stage": "someday"}, "stage"),
        ({"city": "vanersborg"}, "city"),  # Vänersborg does not implement solution 2
        ({"city": None}, "city"),  # each city reports KPI 2.1
    ],
)
def test_unknown_city_kpi_or_stage_is_400(admin_client_api, changes, field):
    response = admin_client_api.post(URL, new_figure(**changes), format="json")
    assert_error_shape(response, 400, field)


def test_consortium_kpi_with_a_city_is_400(cervia_client):
    body = {"kpi": kpi("3.1").pk, "city": "cervia", "stage": "baseline", "status": "reported"}
    assert_error_shape(cervia_client.post(URL, {**body, "value": "1"}, format="json"), 400, "city")


def test_composite_kpi_is_reported_through_its_parts(ravenna_client):
    response = ravenna_client.post(URL, new_figure(kpi=kpi("1.3").pk), format="json")
    body = assert_error_shape(response, 400, "kpi")
    assert body["code"] == "composite"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"value": "-2"}, "value", "negative"),
        ({"value": "2.5"}, "value", "not_whole"),
        ({"value": "5000000000000"}, "value", "too_large"),
        ({"value": None}, "value", "answer_required"),
        ({"status": "not_available"}, "value", "answer_not_reported"),
        ({"status": "not_available", "value": None}, "reason", "reason_required"),
        ({"evidence_url": "ftp://example.org/x"}, "evidence_url", "evidence_scheme"),
        ({"as_of": "2999-01-01"}, "as_of", "future_date"),
    ],
)
def test_a_value_that_breaks_a_kpi_rule_is_400(ravenna_client, changes, field, code):
    response = ravenna_client.post(URL, new_figure(**changes), format="json")
    body = assert_error_shape(response, 400, field)
    assert body["code"] == code
    assert not Measurement.objects.filter(stage="baseline").exists()


def test_the_api_says_what_the_entry_grid_says(ravenna_client):
    """Same save path, same words: the message is the entry service's own."""
    response = ravenna_client.post(URL, new_figure(value="-2"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["value"] == ["A count cannot be negative."]
    assert not Measurement.objects.filter(stage="baseline").exists()


# ----------------------------------------------------------------- changing: ETag, 409, 412, 428


def test_detail_carries_an_etag_and_honours_if_none_match(ravenna_client, draft):
    response = ravenna_client.get(detail(draft))
    etag = response["ETag"]
    # The figure's id and version (what If-Match compares), then a digest of the read.
    assert etag.startswith(f'"measurement-{draft.pk}-v1-')
    again = ravenna_client.get(detail(draft), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""


def test_put_with_a_current_if_match_replaces_the_figure(ravenna_client, draft):
    etag = ravenna_client.get(detail(draft))["ETag"]
    body = {"status": "reported", "value": "4"}
    response = ravenna_client.put(detail(draft), body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "4"
    assert response.json()["note"] == ""  # PUT replaces every data field
    assert response.json()["version"] == 2
    assert response["ETag"] == f'"measurement-{draft.pk}-v2"'


def test_put_with_a_stale_if_match_is_412_and_changes_nothing(ravenna_client, draft):
    stale = f'"measurement-{draft.pk}-v1"'
    ravenna_client.patch(detail(draft), {"value": "5"}, format="json", HTTP_IF_MATCH=stale)
    body = {"status": "reported", "value": "6"}
    response = ravenna_client.put(detail(draft), body, format="json", HTTP_IF_MATCH=stale)
    error = assert_error_shape(response, 412)
    assert error["code"] == "precondition_failed"
    assert response["ETag"] == f'"measurement-{draft.pk}-v2"'
    draft.refresh_from_db()
    assert draft.value == Decimal(5)


def test_if_match_is_checked_before_the_body(ravenna_client, draft):
    response = ravenna_client.patch(
        detail(draft), {"value": "not a number"}, format="json", HTTP_IF_MATCH='"other"'
    )
    assert_error_shape(response, 412)


def test_if_match_star_matches_the_current_version(ravenna_client, draft):
    response = ravenna_client.patch(detail(draft), {"value": "7"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_patch_with_a_stale_version_is_409_and_changes_nothing(
    ravenna_client, draft, sern_coordinator_ravenna
):
    first = ravenna_client.patch(detail(draft), {"value": "5", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = ravenna_client.patch(detail(draft), {"value": "6", "version": 1}, format="json")
    body = assert_error_shape(second, 409, "version")
    assert body["code"] == "stale"
    assert "version 2" in body["errors"]["version"][0]
    assert second["ETag"] == f'"measurement-{draft.pk}-v2"'
    draft.refresh_from_db()
    assert draft.value == Decimal(5) and draft.version == 2


def test_a_change_without_if_match_or_version_is_428(ravenna_client, draft):
    response = ravenna_client.patch(detail(draft), {"value": "5"}, format="json")
    body = assert_error_shape(response, 428, "version")
    assert body["code"] == "version_required"
    draft.refresh_from_db()
    assert draft.value == Decimal(3)


def test_patch_changes_only_the_fields_sent(ravenna_client, draft):
    response = ravenna_client.patch(
        detail(draft), {"evidence_url": "https://example.org/r", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] == "3" and body["note"] == "first count"
    assert body["evidence_url"] == "https://example.org/r"


def test_patch_keeps_kpi_rules(ravenna_client, draft):
    response = ravenna_client.patch(detail(draft), {"value": "-1", "version": 1}, format="json")
    assert assert_error_shape(response, 400, "value")["code"] == "negative"


def test_approved_figures_are_locked(ravenna_client, sern):
    figure = Measurement.objects.get(kpi=kpi("2.2"), city__slug="ravenna", stage="final")
    response = ravenna_client.patch(detail(figure), {"value": "17", "version": 1}, format="json")
    body = assert_error_shape(response, 409, "non_field_errors")
    assert body["code"] == "locked"
    figure.refresh_from_db()
    assert figure.value == Decimal(16)


def test_figures_cannot_be_deleted(ravenna_client, draft):
    assert_error_shape(ravenna_client.delete(detail(draft)), 405)
    assert Measurement.objects.filter(pk=draft.pk).exists()


def test_each_change_is_kept_in_history(ravenna_client, draft):
    ravenna_client.patch(detail(draft), {"value": "4", "version": 1}, format="json")
    ravenna_client.patch(detail(draft), {"value": "5", "version": 2}, format="json")
    assert [record.value for record in draft.history.order_by("history_id")] == [
        Decimal(3),
        Decimal(4),
        Decimal(5),
    ]


def test_writes_from_a_fresh_token_client(sern_coordinator_ravenna, sern):
    client = client_for(sern_coordinator_ravenna)
    response = client.post(URL, new_figure(value="7"), format="json")
    assert response.status_code == 201
    stored = Measurement.objects.get(pk=response.json()["id"])
    assert (stored.city.slug, stored.stage, stored.value) == ("ravenna", "baseline", Decimal(7))
    assert stored.history.get().history_user == sern_coordinator_ravenna


def test_the_list_count_follows_every_change(ravenna_client, steering_client, sern, ravenna):
    """The count is kept between requests, never across a change of the figures."""
    from django.core.cache import cache

    cache.clear()

    def count(client, query="city=ravenna"):
        return client.get(f"{URL}?{query}").json()["count"]

    before = count(ravenna_client)
    response = ravenna_client.post(URL, new_figure(), format="json")
    assert response.status_code == 201
    assert count(ravenna_client) == before + 1
    assert count(steering_client, "review_state=draft") == 1
    figure = Measurement.objects.get(pk=response.json()["id"])
    figure.review_state = Measurement.ReviewState.APPROVED
    figure.save()  # as the review does: with history
    assert count(steering_client, "review_state=draft") == 0
    sern.is_published = False
    sern.save()
    assert count(APIClient(), "") == 0


def test_steering_may_enter_the_consortiums_own_figures(steering_client):
    body = {"kpi": kpi("3.3").pk, "stage": "baseline", "status": "reported", "value": "5"}
    response = steering_client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["city"] is None
