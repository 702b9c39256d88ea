"""A stage reviewed through the API alone: submit, return, resubmit, approve, reopen, with
the web panels' rules, confirmations, comments, notices, change feed and conflicts; and
the import template downloaded with a token."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from kpis.models import StageReview
from tests.helpers.api import assert_error_shape, client_for
from tests.helpers.review import MISSING

pytestmark = pytest.mark.django_db

STAGE = "/api/v1/reviews/test-network/final/cities/ravenna/"
CONSORTIUM_STAGE = "/api/v1/reviews/test-network/final/"


@pytest.fixture
def coordinator(coordinator_ravenna):
    return client_for(coordinator_ravenna)


@pytest.fixture
def steering(steering_member):
    return client_for(steering_member)


@pytest.fixture
def draft(entry_world, coordinator):
    """Two of Ravenna's six figures entered through the API, as drafts (four missing)."""
    for kpi, value in ((entry_world.kpis.count, 3), (entry_world.kpis.percent, 40)):
        response = coordinator.post(
            "/api/v1/measurements/",
            {
                "kpi": kpi.pk,
                "city": "ravenna",
                "stage": "final",
                "status": "reported",
                "value": value,
            },
            format="json",
        )
        assert response.status_code == 201, response.content


def act(client, action, url=STAGE, **body):
    return client.post(f"{url}{action}/", body, format="json")


def read_feed(client, since=None):
    """Every item of the feed after ``since``, and the cursor to go on from."""
    items = []
    while True:
        response = client.get("/api/v1/changes/", {"since": since} if since else {})
        assert response.status_code == 200, response.content
        page = response.json()
        items += page["results"]
        since = page["next"]
        if not page["has_more"]:
            return items, since


def test_a_stage_goes_round_through_the_api_alone_with_notices_and_the_feed_showing_each_step(
    entry_world,
    draft,
    coordinator,
    steering,
    partner_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    partner = client_for(partner_user)
    _, steering_cursor = read_feed(steering)
    partner_figures, partner_cursor = read_feed(partner)
    assert partner_figures == []  # drafts: not the partner's to see

    stage = coordinator.get(STAGE).json()
    assert (stage["state"], stage["missing"], stage["actions"]) == ("draft", MISSING, ["submit"])
    assert stage["figures"] == {"draft": 2, "submitted": 0, "approved": 0}
    assert stage["missing_kpis"][0] == "test-network/1.2"

    steps = [
        (coordinator, "submit", {"confirm_missing": MISSING}, "submitted", ["steering-tn"]),
        (steering, "return", {"comment": "1.1: which ones?"}, "returned", ["coord-ravenna"]),
        (coordinator, "submit", {"confirm_missing": MISSING}, "submitted", ["steering-tn"]),
        (steering, "approve", {"confirm_missing": MISSING}, "approved", ["coord-ravenna"]),
    ]
    for client, action, body, state, told in steps:
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = act(client, action, **body)
        assert response.status_code == 200, response.content
        assert response.json()["state"] == state
        assert response["ETag"].startswith('"stage-')
        assert [mail.to[0].split("@")[0] for mail in mailoutbox] == told, action
        items, steering_cursor = read_feed(steering, steering_cursor)
        reason = {"submit": "submitted", "return": "returned", "approve": "approved"}[action]
        assert [(item["change"], item["reason"]) for item in items] == [
            ("updated", reason),
            ("updated", reason),
        ], action
        assert {item["measurement"]["review_state"] for item in items} == {
            "draft" if action == "return" else reason
        }

    assert (
        "1.1: which ones?"
        in StageReview.history.filter(history_change_reason="returned")[0].comment
    )
    # The partner's copy: the two figures appear once approved, never before.
    items, partner_cursor = read_feed(partner, partner_cursor)
    assert [(item["change"], item["reason"]) for item in items] == [
        ("created", "approved"),
        ("created", "approved"),
    ]
    assert act(steering, "reopen", comment="Typo").json()["state"] == "draft"
    items, _ = read_feed(partner, partner_cursor)
    assert [(item["change"], item["reason"]) for item in items] == [
        ("withdrawn", "reopened"),
        ("withdrawn", "reopened"),
    ]


def test_missing_figures_are_confirmed_by_their_number(entry_world, draft, coordinator):
    refused = act(coordinator, "submit")
    body = assert_error_shape(refused, 409, "confirm_missing")
    assert body["code"] == "missing_figures"
    assert body["errors"]["confirm_missing"] == [
        "4 figures are still missing. Confirm that you submit the stage with 4 figures "
        "missing, or enter them first."
    ]
    assert assert_error_shape(
        act(coordinator, "submit", confirm_missing=3), 409, "confirm_missing"
    )["code"] == ("missing_figures")
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "draft"
    assert act(coordinator, "submit", confirm_missing=4).status_code == 200


@pytest.mark.parametrize("number", [4.0, "4.0", "４", True])
def test_the_confirmed_number_is_a_whole_number_as_the_schema_says(
    entry_world, draft, coordinator, number
):
    # The fuzzer's find: DRF's integer field read 0.0 as 0 and the stage went ahead.
    body = assert_error_shape(act(coordinator, "submit", confirm_missing=number), 400)
    assert body["errors"]["confirm_missing"] == ["A valid integer is required."]
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "draft"
    assert act(coordinator, "submit", confirm_missing="4").status_code == 200


def test_a_multipart_body_that_holds_no_readable_part_is_no_empty_request(
    entry_world, draft, steering, coordinator
):
    # The fuzzer's find: Django skipped the one unreadable part, the body read as empty and
    # the action, whose fields are all optional, went ahead.
    boundary = "f37b7ce1a328aa361db52aa565deb7d0"
    body = f"--{boundary}\r\n-\U000514cd--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    assert act(coordinator, "submit", confirm_missing=4).status_code == 200
    response = steering.post(f"{STAGE}approve/", body, content_type=content_type)
    assert assert_error_shape(response, 400)["code"] == "malformed_multipart"
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "submitted"
    # The same action as a well-formed form goes ahead.
    form = f'--{boundary}\r\nContent-Disposition: form-data; name="confirm_missing"\r\n\r\n4\r\n'
    response = steering.post(
        f"{STAGE}approve/", f"{form}--{boundary}--\r\n".encode(), content_type=content_type
    )
    assert response.status_code == 200, response.content
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "approved"


def test_the_rules_of_the_web_panels_answer_with_their_codes(
    entry_world, draft, coordinator, steering
):
    assert (
        assert_error_shape(act(steering, "approve"), 409, "non_field_errors")["code"]
        == "not_submitted"
    )
    assert (
        assert_error_shape(act(steering, "reopen", comment="x"), 409, "non_field_errors")["code"]
        == "not_approved"
    )
    act(coordinator, "submit", confirm_missing=MISSING)
    assert (
        assert_error_shape(
            act(coordinator, "submit", confirm_missing=MISSING), 409, "non_field_errors"
        )["code"]
        == "not_draft"
    )
    body = assert_error_shape(act(steering, "return", comment="  "), 400, "comment")
    assert (body["code"], body["errors"]["comment"]) == (
        "comment_required",
        ["Say what needs to change."],
    )
    body = assert_error_shape(act(steering, "return", comment="a\u202eb"), 400, "comment")
    assert body["code"] == "hidden_characters"
    # The coordinator may not approve their own figures.
    assert_error_shape(act(coordinator, "approve", confirm_missing=MISSING), 403)
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "submitted"


def test_an_action_on_a_stage_reviewed_since_it_was_read_is_refused_with_412(
    entry_world, draft, coordinator, steering, coordinator_cervia
):
    read = steering.get(STAGE)
    old_etag = read["ETag"]
    assert old_etag.startswith('"stage-') and read.json()["actions"] == []
    act(coordinator, "submit", confirm_missing=MISSING)
    current = steering.get(STAGE)
    assert current["ETag"] != old_etag and current.json()["actions"] == ["approve", "return"]

    stale = steering.post(
        f"{STAGE}return/", {"comment": "x"}, format="json", HTTP_IF_MATCH=old_etag
    )
    body = assert_error_shape(stale, 412)
    assert body["code"] == "precondition_failed"
    assert stale["ETag"] == current["ETag"].rsplit("-", 1)[0] + '"'
    # Whoever may not act hears that first, not the stage's state.
    other = client_for(coordinator_cervia).post(
        f"{STAGE}approve/", {}, format="json", HTTP_IF_MATCH=old_etag
    )
    assert_error_shape(other, 403)
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "submitted"

    approved = steering.post(
        f"{STAGE}approve/",
        {"confirm_missing": MISSING},
        format="json",
        HTTP_IF_MATCH=current["ETag"],
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["actions"] == ["reopen"]
    # The answer's ETag works as If-Match for the next action.
    reopened = steering.post(
        f"{STAGE}reopen/", {"comment": "Typo"}, format="json", HTTP_IF_MATCH=approved["ETag"]
    )
    assert reopened.status_code == 200, reopened.content


def test_a_409_names_the_current_stage(entry_world, draft, steering):
    refused = act(steering, "approve")
    assert refused.status_code == 409
    assert refused["ETag"] == steering.get(STAGE)["ETag"].rsplit("-", 1)[0] + '"'


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reviews/test-network/final/cities/bologna/",  # not a member
        "/api/v1/reviews/test-network/final/cities/nowhere/",
        "/api/v1/reviews/test-network/later/cities/ravenna/",
        "/api/v1/reviews/nobody/final/",
    ],
)
def test_an_unknown_unit_or_stage_is_404(entry_world, steering, url):
    assert_error_shape(steering.get(url), 404)
    assert_error_shape(steering.post(f"{url}approve/", {}, format="json"), 404)


def test_an_unpublished_consortium_is_no_consortium_to_outsiders(entry_world, coordinator_bologna):
    entry_world.consortium.is_published = False
    entry_world.consortium.save()
    assert_error_shape(client_for(coordinator_bologna).get(CONSORTIUM_STAGE), 404)


def test_the_consortium_s_own_figures_are_reviewed_at_its_own_address(
    entry_world, coordinator_cervia, steering
):
    cervia = client_for(coordinator_cervia)  # Cervia leads the shared project
    response = cervia.post(
        "/api/v1/measurements/",
        {"kpi": entry_world.kpis.consortium.pk, "stage": "final", "status": "reported", "value": 4},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert cervia.get(CONSORTIUM_STAGE).json()["actions"] == ["submit"]
    assert act(cervia, "submit", url=CONSORTIUM_STAGE).json()["state"] == "submitted"
    approved = act(steering, "approve", url=CONSORTIUM_STAGE)
    assert approved.json() | {"changed_at": None} == {
        "consortium": "test-network",
        "city": None,
        "stage": "final",
        "state": "approved",
        "comment": "",
        "changed_at": None,
        "figures": {"draft": 0, "submitted": 0, "approved": 1},
        "missing": 0,
        "missing_kpis": [],
        "actions": ["reopen"],
    }


def test_a_stage_read_twice_is_a_304_until_it_is_reviewed(
    entry_world, draft, coordinator, steering
):
    first = steering.get(STAGE)
    assert steering.get(STAGE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    act(coordinator, "submit", confirm_missing=MISSING)
    again = steering.get(STAGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again.json()["state"] == "submitted"


def test_readers_in_sequence_see_an_approval_made_through_the_api(
    entry_world, draft, coordinator, steering, partner_user
):
    """Read as a partner and as the steering committee on one cache, approve through the
    API, read again: the kept answers moved with the approval."""
    partner = client_for(partner_user)
    lists = [
        "/api/v1/measurements/?consortium=test-network&stage=final",
        "/api/v1/progress/?consortium=test-network&stage=final",
    ]
    act(coordinator, "submit", confirm_missing=MISSING)
    before = {
        (who, url): c.get(url).content
        for who, c in (("p", partner), ("s", steering))
        for url in lists
    }
    assert b'"value":"3"' not in before[("p", lists[0])]
    assert b'"value":"3"' in before[("s", lists[0])]
    act(steering, "approve", confirm_missing=MISSING)
    after = {
        (who, url): c.get(url).content
        for who, c in (("p", partner), ("s", steering))
        for url in lists
    }
    for key in before:
        assert after[key] != before[key], key
    assert b'"value":"3"' in after[("p", lists[0])]
    assert b'"review_state":"approved"' in after[("s", lists[0])]
    cache.clear()
    fresh = {
        (who, url): c.get(url).content
        for who, c in (("p", partner), ("s", steering))
        for url in lists
    }
    assert fresh == after


# --------------------------------------------------------------------------- the template


def test_the_import_template_downloads_with_a_token_and_imports_back(
    entry_world, draft, coordinator
):
    xlsx = coordinator.get("/api/v1/imports/template.xlsx", {"city": "ravenna", "stage": "final"})
    assert xlsx.status_code == 200, xlsx.content
    assert xlsx["Content-Type"] == "application/octet-stream"
    assert xlsx["Content-Disposition"] == 'attachment; filename="ravenna-final-template.xlsx"'
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert "_template" in workbook.sheetnames

    response = coordinator.get(
        "/api/v1/imports/template.csv", {"city": "ravenna", "stage": "final"}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 6
    preview = coordinator.post(
        "/api/v1/imports/",
        {
            "file": io.BytesIO(content),
            "city": "ravenna",
            "stage": "final",
        },
        format="multipart",
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["counts"]["refused"] == 0


def test_the_import_template_is_for_who_may_enter_the_figures(
    entry_world, partner_user, steering, coordinator_cervia
):
    query = {"city": "ravenna", "stage": "final"}
    assert_error_shape(client_for().get("/api/v1/imports/template.xlsx", query), 401)
    assert_error_shape(client_for(partner_user).get("/api/v1/imports/template.xlsx", query), 403)
    assert_error_shape(
        client_for(coordinator_cervia).get("/api/v1/imports/template.csv", query), 403
    )
    body = assert_error_shape(steering.get("/api/v1/imports/template.csv", {"stage": "final"}), 400)
    assert "city" in body["errors"]
    consortium = steering.get(
        "/api/v1/imports/template.csv", {"consortium": "test-network", "stage": "final"}
    )
    assert consortium.status_code == 200


def test_the_schema_says_which_actions_require_a_comment(db):
    """return and reopen refuse an empty comment (400 comment_required): their request
    bodies say so; submit and approve ask for none."""
    from django.test import Client

    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    for path, operation in schema["paths"].items():
        if not path.startswith("/api/v1/reviews/") or "post" not in operation:
            continue
        action = path.rstrip("/").rsplit("/", 1)[1]
        body = operation["post"]["requestBody"]["content"]["application/json"]["schema"]
        required = components[body["$ref"].rsplit("/", 1)[1]].get("required", [])
        assert ("comment" in required) == (action in ("return", "reopen")), path
