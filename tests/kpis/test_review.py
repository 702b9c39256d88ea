"""Submitting, approving, returning and reopening a stage (kpis.reporting.review), and its
web actions."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kpis.models import Measurement, StageReview
from kpis.reporting.entry import RowInput, record_measurements
from kpis.reporting.errors import EntryError, ReviewError
from kpis.reporting.review import approve_stage, reopen_stage, return_stage, submit_stage
from tests.helpers.review import MISSING, unit
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


def states(measurements):
    return sorted(set(measurements.values_list("review_state", flat=True)))


def test_full_cycle_submit_return_submit_approve_reopen(
    entry_world, draft, coordinator_ravenna, steering_member
):
    review = submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert review.state == "submitted" and states(draft) == ["submitted"]

    review = return_stage(user=steering_member, comment="Add evidence", **unit(entry_world))
    assert review.state == "returned" and review.comment == "Add evidence"
    assert states(draft) == ["draft"]

    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    review = approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    assert review.state == "approved" and states(draft) == ["approved"]

    review = reopen_stage(user=steering_member, comment="Typo in 1.1", **unit(entry_world))
    assert review.state == "draft" and states(draft) == ["draft"]
    reasons = list(
        review.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons[-5:] == ["submitted", "returned", "submitted", "approved", "reopened"]
    reopened = review.history.latest()
    assert reopened.history_user == steering_member and reopened.comment == "Typo in 1.1"


def test_review_steps_raise_versions_with_history(entry_world, draft, coordinator_ravenna):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    figure = draft.get(kpi=entry_world.kpis.count)
    assert figure.version == 2
    latest = figure.history.latest()
    assert (
        latest.history_change_reason == "submitted" and latest.history_user == coordinator_ravenna
    )


def test_approved_figures_lock_until_reopened(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    figure = draft.get(kpi=entry_world.kpis.count)
    change = RowInput.from_measurement(figure, value=Decimal(4))
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna, city=entry_world.ravenna, stage="final", rows=[change]
        )
    assert caught.value.has_code("locked")
    reopen_stage(user=steering_member, comment="Correction", **unit(entry_world))
    figure.refresh_from_db()
    record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[RowInput.from_measurement(figure, value=Decimal(4))],
    )
    figure.refresh_from_db()
    assert figure.value == 4 and figure.review_state == "draft"


def test_loaded_approved_figures_can_be_reopened(entry_world, steering_member):
    MeasurementFactory(kpi=entry_world.kpis.count, city=entry_world.ravenna, stage="final")
    review = reopen_stage(user=steering_member, comment="Recount", **unit(entry_world))
    assert review.state == "draft"
    assert Measurement.objects.get().review_state == "draft"


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (lambda user, w: approve_stage(user=user, **unit(w)), "not_submitted"),
        (lambda user, w: return_stage(user=user, comment="x", **unit(w)), "not_submitted"),
        (lambda user, w: reopen_stage(user=user, comment="x", **unit(w)), "not_approved"),
    ],
)
def test_actions_that_do_not_fit_the_state(entry_world, draft, steering_member, action, code):
    with pytest.raises(ReviewError) as caught:
        action(steering_member, entry_world)
    assert caught.value.code == code


def test_submit_needs_a_draft_figure(entry_world, coordinator_ravenna):
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert caught.value.code == "nothing_to_submit"


def test_submitting_twice_is_refused(entry_world, draft, coordinator_ravenna):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert caught.value.code == "not_draft"


@pytest.mark.parametrize("blank", ["", "  ", None])
def test_return_and_reopen_need_a_comment(
    entry_world, draft, coordinator_ravenna, steering_member, blank
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with pytest.raises(ReviewError) as caught:
        return_stage(user=steering_member, comment=blank, **unit(entry_world))
    assert (caught.value.code, caught.value.field) == ("comment_required", "comment")
    assert str(caught.value) == "Say what needs to change."
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "submitted"
    assert states(draft) == ["submitted"]

    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    with pytest.raises(ReviewError) as caught:
        reopen_stage(user=steering_member, comment=blank, **unit(entry_world))
    assert (caught.value.code, caught.value.field) == ("comment_required", "comment")
    assert str(caught.value) == "Say why the approved figures need to change."
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").state == "approved"
    assert states(draft) == ["approved"]


def test_review_comments_are_stored_stripped(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    review = return_stage(user=steering_member, comment="  Add evidence \n", **unit(entry_world))
    assert review.comment == "Add evidence"
    submit_stage(
        user=coordinator_ravenna, comment=" ready ", **unit(entry_world), confirm_missing=MISSING
    )
    assert StageReview.objects.get(city=entry_world.ravenna, stage="final").comment == "ready"
    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    review = reopen_stage(user=steering_member, comment="\tTypo in 1.1  ", **unit(entry_world))
    stored = StageReview.objects.get(city=entry_world.ravenna, stage="final")
    assert (review.state, stored.state, stored.comment) == ("draft", "draft", "Typo in 1.1")
    assert states(draft) == ["draft"]


def test_city_of_another_consortium_is_refused(entry_world, site_admin):
    with pytest.raises(ReviewError) as caught:
        submit_stage(
            user=site_admin,
            consortium=entry_world.consortium,
            city=entry_world.bologna,
            stage="final",
        )
    assert caught.value.code == "not_member"


def test_unknown_stage_is_refused(entry_world, coordinator_ravenna):
    with pytest.raises(ReviewError) as caught:
        submit_stage(
            user=coordinator_ravenna,
            consortium=entry_world.consortium,
            city=entry_world.ravenna,
            stage="later",
        )
    assert caught.value.code == "invalid_stage"


@pytest.mark.parametrize("persona", ["coordinator_ravenna", "coordinator_cervia", "partner_user"])
def test_only_the_steering_committee_approves(request, entry_world, draft, persona):
    StageReview.objects.filter(city=entry_world.ravenna).update(state="submitted")
    with pytest.raises(PermissionDenied):
        approve_stage(user=request.getfixturevalue(persona), **unit(entry_world))


def test_steering_member_without_approval_right_cannot_approve(entry_world, draft, steering_member):
    steering_member.steering_committees.update(can_approve=False)
    StageReview.objects.filter(city=entry_world.ravenna).update(state="submitted")
    with pytest.raises(PermissionDenied):
        approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)


# --- Through the web --------------------------------------------------------------------


def review_url(city="ravenna"):
    return reverse("entry-review", args=[city, "final"])


def test_coordinator_submits_and_steering_returns_with_a_comment_seen_on_the_grid(
    client, entry_world, draft, coordinator_ravenna, steering_member
):
    client.force_login(coordinator_ravenna)
    response = client.post(
        review_url(), {"action": "submit", "consortium": "test-network", "confirm_missing": "4"}
    )
    assert response.status_code == 302
    assert StageReview.objects.get(city=entry_world.ravenna).state == "submitted"
    client.force_login(steering_member)
    client.post(
        review_url(),
        {"action": "return", "consortium": "test-network", "comment": "1.3 looks too high"},
    )
    client.force_login(coordinator_ravenna)
    html = client.get(reverse("entry-grid", args=["ravenna", "final"])).content.decode()
    assert "1.3 looks too high" in html and "steering-tn" in html


def test_review_error_is_a_message_not_a_500(client, entry_world, steering_member):
    client.force_login(steering_member)
    response = client.post(review_url(), {"action": "approve"})
    assert response.status_code == 400
    html = response.content.decode()
    # In the unit's review panel, focused, not in a message at the top of the page.
    assert re.search(
        r'<p class="error-text review-error"[^>]*autofocus>This needs a stage that is '
        r"Submitted for review",
        html,
    )


def test_unknown_review_action_is_a_message(client, entry_world, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    response = client.post(review_url(), {"action": "publish"}, follow=True)
    assert "Choose what to do with the stage." in response.content.decode()


def test_review_endpoint_takes_posts_only(client, entry_world, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    assert client.get(review_url()).status_code == 405


def test_consortium_figures_are_reviewed_on_their_own(
    client, entry_world, coordinator_cervia, steering_member
):
    record_measurements(
        user=coordinator_cervia,
        consortium=entry_world.consortium,
        stage="final",
        rows=[
            RowInput(
                kpi=entry_world.kpis.consortium, status="reported", expected_version=0, value=3
            )
        ],
    )
    client.force_login(coordinator_cervia)
    url = reverse("consortium-entry-review", args=["test-network", "final"])
    assert client.post(url, {"action": "submit"}).status_code == 302
    client.force_login(steering_member)
    assert client.post(url, {"action": "approve"}).status_code == 302
    review = StageReview.objects.get(city=None)
    assert review.state == "approved"
    assert Measurement.objects.get(city=None).review_state == "approved"


# --- Review that cannot slip: missing figures, errors beside the field -----------------------


def test_submitting_with_missing_figures_needs_their_number_confirmed(
    entry_world, draft, coordinator_ravenna
):
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world))
    assert caught.value.code == "missing_figures" and caught.value.field == "confirm_missing"
    assert [kpi.code for kpi in caught.value.missing] == ["1.2", "1.4", "1.5", "1.6a"]
    assert states(draft) == ["draft"]  # nothing moved
    with pytest.raises(ReviewError):  # a count that no longer matches is asked again
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=5)
    assert (
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=4).state
        == "submitted"
    )


def test_approval_asks_again_for_the_missing_figures(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with pytest.raises(ReviewError) as caught:
        approve_stage(user=steering_member, **unit(entry_world))
    assert caught.value.code == "missing_figures"
    assert (
        approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING).state
        == "approved"
    )


def test_grid_lists_missing_figures_and_the_confirmation_box(
    client, entry_world, draft, coordinator_ravenna
):
    client.force_login(coordinator_ravenna)
    html = client.get(reverse("entry-grid", args=["ravenna", "final"])).content.decode()
    assert "4 figures are still missing:" in html
    assert 'name="confirm_missing" value="4"' in html
    assert "Submit with 4 figures missing" in html


def test_submit_without_confirmation_shows_the_error_beside_the_box_focused(
    client, entry_world, draft, coordinator_ravenna
):
    client.force_login(coordinator_ravenna)
    response = client.post(review_url(), {"action": "submit", "consortium": "test-network"})
    assert response.status_code == 400
    html = response.content.decode()
    box = re.search(r'<input type="checkbox"[^>]*name="confirm_missing"[^>]*>', html).group(0)
    assert "autofocus" in box and 'aria-invalid="true"' in box
    assert "Confirm that you submit the stage with 4 figures missing" in html
    assert StageReview.objects.get(city=entry_world.ravenna).state == "draft"


def test_return_without_comment_shows_the_error_beside_the_box(
    client, entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    client.force_login(steering_member)
    response = client.post(
        review_url(), {"action": "return", "consortium": "test-network", "comment": " "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    textarea = re.search(r'<textarea id="[^"]*-comment"[^>]*>', html).group(0)
    assert "autofocus" in textarea and 'aria-invalid="true"' in textarea
    error_id = re.search(r'aria-describedby="([^"]+)"', textarea).group(1)
    assert re.search(rf'<p class="error-text" id="{error_id}">Say what needs to change.</p>', html)
    # No fragment in the form's action: the browser would then skip the autofocus.
    assert 'action="/cities/ravenna/report/final/review/" class="review-form"' in html


def test_success_lands_on_the_message_above_the_panels(
    client, entry_world, draft, coordinator_ravenna
):
    client.force_login(coordinator_ravenna)
    response = client.post(
        review_url(), {"action": "submit", "consortium": "test-network", "confirm_missing": "4"}
    )
    assert response.url.endswith("/cities/ravenna/report/final/#outcome")
    html = client.get(response.url).content.decode()
    assert re.search(r'<div role="status" id="outcome"[^>]*><ul class="messages">', html)
    assert html.index('id="outcome"') < html.index('class="review-panels"')
