"""The review workflow's refusals word for word, what it tells its listeners, and its
helpers (kpis/reporting/review.py); expected values written out."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kpis.models import Measurement, StageReview
from kpis.reporting import review
from kpis.reporting.entry import RowInput, record_measurements
from kpis.reporting.errors import ReviewError
from kpis.reporting.review import approve_stage, reopen_stage, return_stage, submit_stage
from kpis.reporting.signals import stage_reviewed
from tests.helpers.review import MISSING, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def heard():
    """What the stage_reviewed signal carried, one dict per action."""
    calls = []

    def listen(sender, **kwargs):
        calls.append(
            {key: kwargs[key] for key in ("action", "missing", "user")}
            | {"state": kwargs["review"].state}
        )

    stage_reviewed.connect(listen, sender=StageReview, weak=False)
    yield calls
    stage_reviewed.disconnect(listen, sender=StageReview)


def test_each_action_tells_its_listeners_with_the_missing_count(
    entry_world, draft, coordinator_ravenna, steering_member, heard
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    return_stage(user=steering_member, comment="Add evidence", **unit(entry_world))
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    reopen_stage(user=steering_member, comment="Typo", **unit(entry_world))
    assert heard == [
        {"action": "submitted", "missing": 4, "user": coordinator_ravenna, "state": "submitted"},
        {"action": "returned", "missing": 0, "user": steering_member, "state": "returned"},
        {"action": "submitted", "missing": 4, "user": coordinator_ravenna, "state": "submitted"},
        {"action": "approved", "missing": 4, "user": steering_member, "state": "approved"},
        {"action": "reopened", "missing": 0, "user": steering_member, "state": "draft"},
    ]


def test_every_figure_moves_with_a_new_version_and_history(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    for figure in draft:
        assert (figure.review_state, figure.version) == ("approved", 3)
        reasons = list(
            figure.history.order_by("history_id").values_list("history_change_reason", flat=True)
        )
        assert reasons[-2:] == ["submitted", "approved"]
        assert figure.history.latest().history_user == steering_member
        assert figure.updated_at == figure.history.latest().history_date
    review_row = StageReview.objects.get(city=entry_world.ravenna, stage="final")
    assert (review_row.state, review_row.changed_by) == ("approved", steering_member)


def test_refusals_say_why(entry_world, draft, coordinator_ravenna, steering_member):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert str(caught.value) == "The stage is already Submitted for review."
    with pytest.raises(ReviewError) as caught:
        reopen_stage(user=steering_member, comment="x", **unit(entry_world))
    assert (caught.value.code, str(caught.value)) == (
        "not_approved",
        "Only an approved stage can be reopened.",
    )
    with pytest.raises(ReviewError) as caught:
        approve_stage(user=steering_member, **unit(entry_world))
    assert str(caught.value) == (
        "4 figures are still missing. Confirm that you approve the stage with 4 figures "
        "missing, or return it."
    )
    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    with pytest.raises(ReviewError) as caught:
        return_stage(user=steering_member, comment="x", **unit(entry_world))
    assert (caught.value.code, str(caught.value)) == (
        "not_submitted",
        "This needs a stage that is Submitted for review; it is Approved.",
    )
    with pytest.raises(PermissionDenied) as denied:
        approve_stage(user=coordinator_ravenna, **unit(entry_world))
    assert str(denied.value) == "Only the steering committee may review these figures."


def test_submit_refusals_say_why(entry_world, coordinator_ravenna, coordinator_cervia):
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert str(caught.value) == ("There is nothing new to submit: enter at least one figure first.")
    with pytest.raises(PermissionDenied) as denied:
        submit_stage(user=coordinator_cervia, **unit(entry_world))
    assert str(denied.value) == "You may not submit these figures."
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **(unit(entry_world) | {"stage": "later"}))
    assert str(caught.value) == "There is no stage “later”."
    with pytest.raises(ReviewError) as caught:
        submit_stage(
            user=coordinator_ravenna, **(unit(entry_world) | {"city": entry_world.bologna})
        )
    assert str(caught.value) == "Bologna is not a member of TN."


def test_city_consortium_is_the_one_named_or_the_only_one(entry_world):
    ravenna, bologna = entry_world.ravenna, entry_world.bologna
    assert review.city_consortium(ravenna) == entry_world.consortium
    assert review.city_consortium(ravenna, entry_world.consortium.slug) == entry_world.consortium
    assert review.city_consortium(ravenna, "other-network") is None
    assert review.city_consortium(bologna) == entry_world.other_consortium
    from tests.cities.factories import MembershipFactory

    MembershipFactory(consortium=entry_world.other_consortium, city=ravenna)
    assert review.city_consortium(ravenna) is None  # two: say which
    assert review.city_consortium(ravenna, "other-network") == entry_world.other_consortium


def test_lead_cities_of_consortium_level_kpis(entry_world):
    assert review.consortium_lead_city_ids(entry_world.consortium) == {entry_world.cervia.pk}
    assert review.consortium_lead_city_ids(entry_world.other_consortium) == set()


def test_lead_cities_are_cities_not_the_rows_that_link_them(entry_world):
    """Cervia leads a second solution reported once: two link rows, one city."""
    from kpis.models import KPI
    from tests.kpis.factories import KPIFactory
    from tests.solutions.factories import SolutionFactory

    cervia = entry_world.cervia
    second = SolutionFactory(
        consortium=entry_world.consortium, number=3, implementing_cities=[cervia]
    )
    second.lead_cities.set([cervia])
    KPIFactory(
        solution=second,
        code="3.1",
        target_value=2,
        target_scope=KPI.TargetScope.CONSORTIUM,
        reporting_level=KPI.ReportingLevel.CONSORTIUM,
    )

    assert review.consortium_lead_city_ids(entry_world.consortium) == {cervia.pk}


def test_the_change_log_records_each_figure_moved(
    entry_world, draft, coordinator_ravenna, steering_member
):
    from changelog.models import Change

    start = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    rows = Change.objects.filter(id__gt=start).order_by("measurement_id")
    figures = sorted(draft, key=lambda figure: figure.pk)
    assert [
        (row.measurement_id, row.reason, row.city_id, row.review_state, row.consortium_id)
        for row in rows
    ] == [
        (figure.pk, "submitted", entry_world.ravenna.pk, "submitted", entry_world.consortium.pk)
        for figure in figures
    ]
    assert [row.solution_id for row in rows] == [f.kpi.solution_id for f in figures]


def test_reviewers_are_refused_a_city_of_another_consortium(entry_world, steering_member):
    for action in (approve_stage, return_stage, reopen_stage):
        with pytest.raises(ReviewError) as caught:
            action(
                user=steering_member,
                comment="x",
                **(unit(entry_world) | {"city": entry_world.bologna}),
            )
        assert (caught.value.code, str(caught.value)) == (
            "not_member",
            "Bologna is not a member of TN.",
        )


def test_a_review_without_a_comment_stores_none(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    stored = StageReview.objects.get(city=entry_world.ravenna, stage="final")
    assert (stored.state, stored.comment) == ("approved", "")


def test_one_missing_figure_is_said_in_the_singular(
    entry_world, draft, coordinator_ravenna, steering_member
):
    from kpis.models import KPI

    consortium = entry_world.consortium
    record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[
            RowInput(
                kpi=KPI.objects.get(solution__consortium=consortium, code=code),
                status="not_applicable",
                expected_version=0,
            )
            for code in ("1.2", "1.4", "1.5")
        ],
    )
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world))
    assert [kpi.code for kpi in caught.value.missing] == ["1.6a"]
    assert str(caught.value) == (
        "1 figure is still missing. Confirm that you submit the stage with 1 figure missing, "
        "or enter it first."
    )
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=1)
    stored = StageReview.objects.get(city=entry_world.ravenna, stage="final")
    assert (stored.state, stored.comment) == ("submitted", "")
    with pytest.raises(ReviewError) as caught:
        approve_stage(user=steering_member, **unit(entry_world))
    assert str(caught.value) == (
        "1 figure is still missing. Confirm that you approve the stage with 1 figure missing, "
        "or return it."
    )


def test_many_missing_figures_when_submitting(entry_world, draft, coordinator_ravenna):
    with pytest.raises(ReviewError) as caught:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=3)
    assert str(caught.value) == (
        "4 figures are still missing. Confirm that you submit the stage with 4 figures "
        "missing, or enter them first."
    )


def test_return_and_approval_keep_who_and_why(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    return_stage(user=steering_member, comment="Add evidence", **unit(entry_world))
    for figure in draft:
        latest = figure.history.latest()
        assert (latest.history_change_reason, latest.history_user) == ("returned", steering_member)
        assert (latest.review_state, latest.version) == ("draft", 3)
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    approve_stage(
        user=steering_member, comment=" Fine ", **unit(entry_world), confirm_missing=MISSING
    )
    stored = StageReview.objects.get(city=entry_world.ravenna, stage="final")
    assert (stored.state, stored.comment) == ("approved", "Fine")


def test_only_the_units_own_figures_move(entry_world, draft, coordinator_ravenna):
    from tests.cities.factories import MembershipFactory
    from tests.kpis.factories import MeasurementFactory

    kpis = entry_world.kpis
    own = [figure.pk for figure in draft]
    midway = MeasurementFactory(
        kpi=kpis.count, city=entry_world.ravenna, stage="midway", review_state="draft"
    )
    cervia = MeasurementFactory(
        kpi=kpis.count, city=entry_world.cervia, stage="final", review_state="draft"
    )
    consortium_level = MeasurementFactory(
        kpi=kpis.consortium, city=None, stage="final", review_state="draft"
    )
    MembershipFactory(consortium=entry_world.other_consortium, city=entry_world.ravenna)
    # Ravenna also in the other network, with a draft there: another unit.
    elsewhere = MeasurementFactory(
        kpi=kpis.other, city=entry_world.ravenna, stage="final", review_state="draft"
    )
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    moved = Measurement.objects.filter(pk__in=own).values_list("review_state", flat=True)
    assert list(moved) == ["submitted", "submitted"]
    for figure in (midway, cervia, consortium_level, elsewhere):
        figure.refresh_from_db()
        assert (figure.review_state, figure.version) == ("draft", 1)
