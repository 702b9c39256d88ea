"""The change feed read a page at a time (page size 1) while figures are created, edited,
submitted, approved, returned, reopened and deleted between the pages.

Whatever happens between two pages, a copy kept with the feed alone ends equal to a fresh
full pull of ``/api/v1/measurements/`` for each kind of reader (``tests/helpers/feed.py``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cities.models import City
from kpis.models import KPI, Measurement
from kpis.reporting import entry, review
from kpis.reporting.missing import missing_kpis
from tests.helpers.api import client_for
from tests.helpers.feed import Copy, full_pull

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    """Pages of one change each: far more requests a minute than a visitor may send."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})


@pytest.fixture
def ravenna(sern):
    return City.objects.get(slug="ravenna")


@pytest.fixture
def readers(sern, sern_partner, sern_steering, sern_coordinator_ravenna, sern_coordinator_cervia):
    """A client per kind of reader: who sees approved figures only, a city's drafts, all."""
    return {
        "anonymous": client_for(None),
        "partner": client_for(sern_partner),
        "coordinator ravenna": client_for(sern_coordinator_ravenna),
        "coordinator cervia": client_for(sern_coordinator_cervia),
        "steering": client_for(sern_steering),
    }


def figure(ravenna, code: str, stage: str = "final") -> Measurement:
    return Measurement.objects.get(kpi__code=code, city=ravenna, stage=stage)


def enter(user, ravenna, code: str, stage: str, value: int) -> None:
    kpi = KPI.objects.get(solution__consortium__slug="sern", code=code)
    stored = Measurement.objects.filter(kpi=kpi, city=ravenna, stage=stage).first()
    entry.record_measurements(
        user=user,
        city=ravenna,
        stage=stage,
        rows=[
            entry.RowInput(
                kpi=kpi.pk,
                status="reported",
                value=Decimal(value),
                expected_version=stored.version if stored else 0,
            )
        ],
    )


@pytest.mark.parametrize("page_size_after", [1, 500])
def test_a_figure_approved_then_reopened_while_the_partner_is_between_pages_is_withdrawn(
    sern, ravenna, sern_steering, sern_coordinator_ravenna, sern_partner, page_size_after
):
    """The partner reads up to the last approved figure (the cursor is its very row), the
    stage is reopened, and the next pages (of one change, or of all) must take every one
    of them back."""
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    copy = Copy(client_for(sern_partner))
    copy.sync()
    review.submit_stage(user=sern_coordinator_ravenna, consortium=sern, city=ravenna, stage="final")
    copy.sync()  # submitted: nothing the partner may see, but the cursor moves past it
    review.approve_stage(user=sern_steering, consortium=sern, city=ravenna, stage="final")
    since = len(copy.items)
    copy.sync()  # a page per approved figure, up to the last
    approved = {item["id"] for item in copy.items[since:]}
    assert {(item["change"], item["reason"]) for item in copy.items[since:]} == {
        ("created", "approved")
    }
    assert len(approved) == 13

    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Again"
    )
    since = len(copy.items)
    copy.page_size = page_size_after
    copy.sync()

    assert {item["id"] for item in copy.items[since:]} == approved
    assert {item["change"] for item in copy.items[since:]} == {"withdrawn"}
    assert approved.isdisjoint(copy.figures)
    assert copy.figures == full_pull(client_for(sern_partner))


def test_a_figure_shown_approved_on_one_page_and_reopened_before_the_next_is_withdrawn(
    sern, ravenna, sern_steering, sern_coordinator_ravenna, sern_partner
):
    """A page names a figure as it is *now*: the partner's page of one change (an edit of
    a draft) shows the figure approved meanwhile, so the partner holds it. Reopened before
    the next page, it must be withdrawn by that page, which holds both its approval and
    its reopening (the figure was never visible at the cursor)."""
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    copy = Copy(client_for(sern_partner), page_size=500)
    copy.sync()
    enter(sern_coordinator_ravenna, ravenna, "2.2", "final", 4242)
    review.submit_stage(user=sern_coordinator_ravenna, consortium=sern, city=ravenna, stage="final")
    review.approve_stage(user=sern_steering, consortium=sern, city=ravenna, stage="final")
    copy.page_size = 1
    copy.page()  # the edit's row: the figure as it is now, approved
    edited = figure(ravenna, "2.2")
    assert copy.items[-1]["id"] == edited.pk
    assert copy.figures[edited.pk]["value"] in ("4242", "4242.0", 4242, "4242.00")

    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Again"
    )
    copy.page_size = 500
    copy.sync()

    assert edited.pk not in copy.figures
    assert copy.figures == full_pull(client_for(sern_partner))


def test_a_one_figure_stage_approved_and_reopened_between_two_pages_is_withdrawn(
    sern, ravenna, sern_steering, sern_coordinator_ravenna, sern_partner
):
    """Ravenna's baseline holds one figure: its approval and its reopening are two rows in
    a row of the log, and the partner's cursor stops exactly between them."""
    enter(sern_coordinator_ravenna, ravenna, "2.2", "baseline", 3)
    missing = len(missing_kpis(sern, ravenna, "baseline"))
    review.submit_stage(
        user=sern_coordinator_ravenna,
        consortium=sern,
        city=ravenna,
        stage="baseline",
        confirm_missing=missing,
    )
    copy = Copy(client_for(sern_partner))
    copy.sync()
    review.approve_stage(
        user=sern_steering,
        consortium=sern,
        city=ravenna,
        stage="baseline",
        confirm_missing=missing,
    )
    assert copy.page() is False
    baseline = figure(ravenna, "2.2", "baseline")
    assert copy.items[-1]["id"] == baseline.pk and baseline.pk in copy.figures

    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="baseline", comment="Again"
    )
    copy.page()

    assert (copy.items[-1]["id"], copy.items[-1]["change"]) == (baseline.pk, "withdrawn")
    assert baseline.pk not in copy.figures
    assert copy.figures == full_pull(client_for(sern_partner))


def test_a_returned_stage_reaches_the_steering_members_feed_and_etags(
    sern, ravenna, sern_steering, sern_coordinator_ravenna
):
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    review.submit_stage(user=sern_coordinator_ravenna, consortium=sern, city=ravenna, stage="final")
    steering = client_for(sern_steering)
    copy = Copy(steering, page_size=500)
    copy.sync()
    url = "/api/v1/measurements/?city=ravenna&stage=final"
    listed = steering.get(url)
    assert {row["review_state"] for row in listed.json()["results"]} == {"submitted"}

    review.return_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Where from?"
    )

    since = len(copy.items)
    copy.sync()
    returned = copy.items[since:]
    final = set(
        Measurement.objects.filter(city=ravenna, stage="final").values_list("pk", flat=True)
    )
    assert {item["id"] for item in returned} == final
    assert {(item["change"], item["reason"]) for item in returned} == {("updated", "returned")}
    assert copy.figures == full_pull(steering)
    again = steering.get(url, headers={"if-none-match": listed["ETag"]})
    assert again.status_code == 200
    assert {row["review_state"] for row in again.json()["results"]} == {"draft"}


# --- The table: every kind of change, between pages, for every reader ----------------------


def _actions(sern, ravenna, steering_user, coordinator):
    """The changes made one after the other, a page read by every reader after each."""
    cervia = City.objects.get(slug="cervia")

    def reopen(city):
        return lambda: review.reopen_stage(
            user=steering_user, consortium=sern, city=city, stage="final", comment="Check"
        )

    return [
        ("reopen Ravenna's final", reopen(ravenna)),
        ("edit a draft", lambda: enter(coordinator, ravenna, "2.2", "final", 4242)),
        ("create a baseline draft", lambda: enter(coordinator, ravenna, "2.2", "baseline", 3)),
        (
            "submit",
            lambda: review.submit_stage(
                user=coordinator, consortium=sern, city=ravenna, stage="final"
            ),
        ),
        (
            "return",
            lambda: review.return_stage(
                user=steering_user, consortium=sern, city=ravenna, stage="final", comment="No"
            ),
        ),
        ("edit after the return", lambda: enter(coordinator, ravenna, "2.2", "final", 4343)),
        (
            "submit again",
            lambda: review.submit_stage(
                user=coordinator, consortium=sern, city=ravenna, stage="final"
            ),
        ),
        (
            "approve",
            lambda: review.approve_stage(
                user=steering_user, consortium=sern, city=ravenna, stage="final"
            ),
        ),
        ("reopen again", reopen(ravenna)),
        ("delete a draft", lambda: figure(ravenna, "2.1").delete()),
        ("delete the baseline draft", lambda: figure(ravenna, "2.2", "baseline").delete()),
        ("reopen Cervia's final", reopen(cervia)),
        ("delete an approved figure", lambda: figure(ravenna, "2.4", "midway").delete()),
    ]


def test_every_copy_kept_a_page_at_a_time_through_every_change_equals_a_full_pull(
    sern, ravenna, readers, sern_steering, sern_coordinator_ravenna
):
    copies = {name: Copy(client) for name, client in readers.items()}
    for copy in copies.values():
        copy.page()  # a reader starts a full pull, a page at a time
    for _name, action in _actions(sern, ravenna, sern_steering, sern_coordinator_ravenna):
        action()
        for copy in copies.values():
            copy.page()
    for name, copy in copies.items():
        copy.page_size = 7  # the rest after the last change: any page size will do
        copy.sync()
        assert copy.figures == full_pull(readers[name]), name


@pytest.mark.parametrize("pages_between", [0, 1, 3, "all"])
def test_every_copy_equals_a_full_pull_however_many_pages_fall_between_changes(
    sern, ravenna, readers, sern_steering, sern_coordinator_ravenna, pages_between
):
    copies = {name: Copy(client, page_size=500) for name, client in readers.items()}
    for copy in copies.values():
        copy.sync()
        copy.page_size = 1
    for _name, action in _actions(sern, ravenna, sern_steering, sern_coordinator_ravenna):
        action()
        for copy in copies.values():
            if pages_between == "all":
                copy.sync()  # up to the change's last row: the cursor stops on it
            for _ in range(0 if pages_between == "all" else pages_between):
                copy.page()
    for name, copy in copies.items():
        copy.page_size = 7  # the rest after the last change: any page size will do
        copy.sync()
        assert copy.figures == full_pull(readers[name]), name


# --- Pages and cursors at their edges --------------------------------------------------------


def cursor_at(user, position) -> str:
    from cities.access import reader_fingerprint
    from icc_portal.api import cursors as api_cursors

    return api_cursors.make("changes", p=position, r=reader_fingerprint(user))


def test_a_full_pull_after_a_reopening_names_only_what_the_reader_may_see(
    sern, ravenna, sern_steering, sern_partner
):
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    copy = Copy(client_for(sern_partner), page_size=500)
    copy.sync()
    assert {item["change"] for item in copy.items} == {"created"}
    assert copy.figures == full_pull(client_for(sern_partner))


def test_a_cursor_at_the_first_position_still_withdraws(sern, sern_steering, sern_partner):
    """Position 1 is a cursor like any other (not the start): what was visible there and
    is hidden now is withdrawn."""
    from changelog.models import Change

    first = Change.objects.filter(measurement_id__isnull=False).order_by("id").first()
    Change.objects.filter(id__lt=first.pk).delete()  # definition rows of the demo's load
    Change.objects.filter(pk=first.pk).update(id=1)
    shown = Measurement.objects.select_related("city").get(pk=first.measurement_id)
    assert shown.review_state == "approved"
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=shown.city, stage=shown.stage, comment="Check"
    )
    body = (
        client_for(sern_partner)
        .get("/api/v1/changes/", {"since": cursor_at(sern_partner, 1), "page_size": 500})
        .json()
    )
    withdrawn = {item["id"] for item in body["results"] if item["change"] == "withdrawn"}
    assert shown.pk in withdrawn


def test_the_last_page_says_nothing_more_when_it_ends_exactly_at_the_newest_change(
    sern, ravenna, sern_steering, sern_partner
):
    copy = Copy(client_for(sern_partner), page_size=500)
    copy.sync()
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    copy.page_size = 13  # Ravenna's final stage: 13 figures, 13 rows
    assert copy.page() is False
    assert len(copy.items) - 84 == 13


def test_a_figure_touched_twice_on_a_page_is_named_once_in_the_order_of_its_last_change(
    sern, ravenna, sern_steering, sern_coordinator_ravenna
):
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    copy = Copy(client_for(sern_steering), page_size=500)
    copy.sync()
    since = len(copy.items)
    enter(sern_coordinator_ravenna, ravenna, "2.2", "final", 4242)
    enter(sern_coordinator_ravenna, ravenna, "2.1", "final", 7)
    enter(sern_coordinator_ravenna, ravenna, "2.2", "final", 4343)

    copy.sync()

    assert [item["id"] for item in copy.items[since:]] == [
        figure(ravenna, "2.1").pk,
        figure(ravenna, "2.2").pk,
    ]


@pytest.mark.parametrize("position", [-1, True, "3", 2.5])
def test_a_signed_cursor_holding_no_position_is_refused(sern, sern_partner, position):
    response = client_for(sern_partner).get(
        "/api/v1/changes/", {"since": cursor_at(sern_partner, position)}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "cursor_invalid"


def test_a_cursor_at_position_zero_reads_from_the_start(sern, sern_partner):
    body = (
        client_for(sern_partner)
        .get("/api/v1/changes/", {"since": cursor_at(sern_partner, 0), "page_size": 500})
        .json()
    )
    assert len(body["results"]) == 84
    assert {item["change"] for item in body["results"]} == {"created"}


def pruned_through(position: int) -> None:
    from changelog.models import Horizon

    Horizon.objects.update_or_create(pk=1, defaults={"pruned_through": position})


@pytest.mark.parametrize(
    ("position", "pruned", "status"),
    [(5, 6, 400), (6, 6, 200), (7, 6, 200), (1, 6, 400), (0, 6, 200)],
)
def test_a_cursor_before_the_pruned_horizon_has_expired_and_one_at_it_has_not(
    sern, sern_partner, position, pruned, status
):
    """Rows up to ``pruned_through`` may be gone: a reader who read up to it missed none;
    position 0 is the start (a full pull), never expired."""
    pruned_through(pruned)
    response = client_for(sern_partner).get(
        "/api/v1/changes/", {"since": cursor_at(sern_partner, position)}
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["code"] == "cursor_expired"


def test_the_refusals_say_what_happened_and_what_to_do(sern, sern_partner, settings):
    partner = client_for(sern_partner)
    pruned_through(10)
    expired = partner.get("/api/v1/changes/", {"since": cursor_at(sern_partner, 5)}).json()
    assert expired["detail"] == (
        f"This cursor is older than the changes kept ({settings.CHANGES_RETENTION_DAYS} "
        "days): start again with a full pull (leave out since)."
    )
    assert expired["errors"] == {"since": [expired["detail"]]}
    from icc_portal.api import cursors as api_cursors

    before_roles_changed = api_cursors.make("changes", p=20, r="the roles before")
    stale = partner.get("/api/v1/changes/", {"since": before_roles_changed}).json()
    assert stale["code"] == "cursor_reader_changed"
    assert stale["detail"] == (
        "Your access changed since this cursor was made, so figures may have appeared or "
        "gone without a change: start again with a full pull (leave out since)."
    )
    forged = partner.get("/api/v1/changes/", {"since": "abc:def"}).json()
    assert forged["detail"] == (
        "This cursor was not made by this site: start again with a full pull (leave out since)."
    )
