"""A first sync starts from a snapshot: each figure the reader may see once, then the log
from where the snapshot began; its cost follows the figures, not the length of the log."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction

from changelog import log as changelog
from changelog.models import Change, Horizon
from cities.models import City
from kpis.models import Measurement
from kpis.reporting import entry, review
from tests.cities.factories import UserFactory
from tests.helpers.api import assert_error_shape, client_for
from tests.helpers.feed import URL, Copy, full_pull

pytestmark = pytest.mark.django_db


def churn(rows: int) -> None:
    """``rows`` change-log rows over the published figures, as a busy log would hold."""
    figures = list(Measurement.objects.values_list("pk", "kpi_id", "city_id", "review_state"))
    written = 0
    while written < rows:
        with transaction.atomic(), changelog.batch():
            batch = figures[: rows - written]
            changelog.record_figures(
                changelog.FigureState(pk, Change.Reason.UPDATED, kpi, city, state)
                for pk, kpi, city, state in batch
            )
        written += len(batch)


def test_a_first_sync_after_1000_changes_to_84_figures_costs_84_items(sern, sern_partner):
    churn(1000)
    assert Change.objects.filter(measurement_id__isnull=False).count() >= 1000
    client = client_for(sern_partner)
    copy = Copy(client, page_size=100)
    requests = 0
    while copy.page():
        requests += 1
    requests += 1
    assert len(copy.items) == len(copy.figures) == 84
    assert requests == 1
    assert {(item["change"], item["reason"]) for item in copy.items} == {("created", "snapshot")}
    assert copy.figures == full_pull(client)
    # At page size 3, as in the issue: 28 pages of figures, nothing of the log's history.
    small = Copy(client, page_size=3)
    small.sync()
    assert len(small.items) == 84 and small.figures == copy.figures


def test_changes_made_while_a_snapshot_is_read_reach_the_copy(
    sern, sern_partner, sern_steering, sern_coordinator_ravenna
):
    client = client_for(sern_partner)
    copy = Copy(client, page_size=10)
    assert copy.page() is True  # the snapshot has begun: 10 of 84 figures
    ravenna = City.objects.get(slug="ravenna")
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    first = Measurement.objects.filter(city=ravenna, stage="final").order_by("pk").first()
    entry.record_measurements(
        user=sern_coordinator_ravenna,
        city=ravenna,
        stage="final",
        rows=[entry.RowInput.from_measurement(first, note="Checked")],
    )
    review.submit_stage(
        user=sern_coordinator_ravenna,
        consortium=sern,
        city=ravenna,
        stage="final",
        confirm_missing=len(review.missing_kpis(sern, ravenna, "final")),
    )
    review.approve_stage(
        user=sern_steering,
        consortium=sern,
        city=ravenna,
        stage="final",
        confirm_missing=len(review.missing_kpis(sern, ravenna, "final")),
    )
    copy.sync()
    assert copy.figures == full_pull(client)
    assert copy.figures[first.pk]["note"] == "Checked"


def test_old_rows_pruned_a_new_snapshot_still_works_and_an_old_cursor_starts_again(
    sern, sern_partner, sern_steering, settings
):
    client = client_for(sern_partner)
    old = Copy(client, page_size=500)
    old.sync()
    churn(200)
    call_command("prune_changes", "--days", "0", stdout=open("/dev/null", "w"))
    assert Horizon.objects.get(pk=1).pruned_through > 0
    body = assert_error_shape(client.get(URL, {"since": old.cursor}), 400, "since")
    assert body["code"] == "cursor_expired"
    fresh = Copy(client, page_size=500)
    fresh.sync()
    assert fresh.figures == full_pull(client) and len(fresh.items) == 84
    # A snapshot cursor whose position was pruned meanwhile starts again too.
    reading = Copy(client, page_size=10)
    reading.page()
    churn(100)
    call_command("prune_changes", "--days", "0", stdout=open("/dev/null", "w"))
    assert client.get(URL, {"since": reading.cursor}).json()["code"] == "cursor_expired"


def test_a_snapshot_cursor_is_checked_like_any_other(sern, sern_partner, sern_steering):
    client = client_for(sern_partner)
    first = client.get(URL, {"page_size": 5}).json()
    assert first["has_more"] is True
    steering = client_for(sern_steering)
    body = assert_error_shape(steering.get(URL, {"since": first["next"]}), 400, "since")
    assert body["code"] == "cursor_reader_changed"


def test_query_budgets_of_a_snapshot_page_and_a_stage_review(
    sern, sern_partner, sern_steering, django_assert_max_num_queries
):
    partner, steering = client_for(sern_partner), client_for(sern_steering)
    # The token with its user and limits, the data version, the reader's roles, the
    # page of figures, and (on the snapshot's last page) whether the log moved since.
    with django_assert_max_num_queries(5):
        assert partner.get(URL, {"page_size": 100}).status_code == 200
    with django_assert_max_num_queries(4):
        assert len(partner.get(URL, {"page_size": 10}).json()["results"]) == 10
    # The token, the consortium's version, the consortium, the city and its membership,
    # the roles, the review, the figures by review state, the missing KPIs.
    with django_assert_max_num_queries(9):
        response = steering.get("/api/v1/reviews/sern/final/cities/ravenna/")
    assert response.json()["actions"] == ["reopen"]


def test_an_empty_since_starts_a_snapshot_as_no_since_does(sern, sern_partner):
    client = client_for(sern_partner)
    without = client.get(URL, {"page_size": 500}).json()
    empty = client.get(URL, {"page_size": 500, "since": ""}).json()
    assert len(empty["results"]) == 84
    assert {item["reason"] for item in empty["results"]} == {"snapshot"}
    assert [item["id"] for item in empty["results"]] == [item["id"] for item in without["results"]]


def test_a_snapshot_holds_what_its_reader_may_see_drafts_only_for_the_steering_member(
    sern, sern_partner, sern_steering, sern_coordinator_ravenna
):
    ravenna = City.objects.get(slug="ravenna")
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    first = Measurement.objects.filter(city=ravenna, stage="final").order_by("pk").first()
    entry.record_measurements(
        user=sern_coordinator_ravenna,
        city=ravenna,
        stage="final",
        rows=[entry.RowInput.from_measurement(first, note="A draft note")],
    )
    seen = {}
    for name, user in (("steering", sern_steering), ("partner", sern_partner)):
        items = client_for(user).get(URL, {"page_size": 500}).json()["results"]
        seen[name] = {item["id"]: item["measurement"] for item in items}
        assert set(seen[name]) == set(
            Measurement.objects.visible_to(user).values_list("pk", flat=True)
        )
    assert seen["steering"][first.pk]["note"] == "A draft note"
    assert seen["partner"].get(first.pk, {}).get("note") != "A draft note"
    assert seen["steering"] != seen["partner"]


def test_the_snapshots_last_page_says_more_waits_only_when_a_figure_changed_meanwhile(
    sern, sern_partner
):
    client = client_for(sern_partner)
    first = client.get(URL, {"page_size": 50}).json()
    assert first["has_more"] is True
    last = client.get(URL, {"page_size": 50, "since": first["next"]}).json()
    assert len(last["results"]) == 34 and last["has_more"] is False
    # A definition changed meanwhile (a theme renamed) is no figure's change: nothing waits.
    from solutions.models import Theme

    theme = Theme.objects.first()
    theme.name = f"{theme.name} (renamed)"
    theme.save()
    assert Change.objects.order_by("-id").first().measurement_id is None
    unchanged = client.get(URL, {"page_size": 50, "since": first["next"]}).json()
    assert len(unchanged["results"]) == 34 and unchanged["has_more"] is False
    # The same last page, read after a figure changed since the snapshot began.
    churn(1)
    again = client.get(URL, {"page_size": 50, "since": first["next"]}).json()
    assert len(again["results"]) == 34 and again["has_more"] is True
    follow = client.get(URL, {"page_size": 50, "since": again["next"]}).json()
    assert [item["reason"] for item in follow["results"]] == ["updated"]


def test_a_cursor_of_the_figures_list_is_no_cursor_of_the_feed(sern, sern_partner):
    client = client_for(sern_partner)
    listed = client.get("/api/v1/measurements/", {"page_size": 5}).json()
    cursor = parse_qs(urlsplit(listed["next"]).query)["cursor"][0]
    body = assert_error_shape(client.get(URL, {"since": cursor}), 400, "since")
    assert body["code"] != "cursor_expired"


def test_a_snapshot_ending_exactly_at_the_page_size_says_nothing_more_waits(sern, sern_partner):
    client = client_for(sern_partner)
    whole = client.get(URL, {"page_size": 84}).json()
    assert len(whole["results"]) == 84 and whole["has_more"] is False
    assert client.get(URL, {"page_size": 84, "since": whole["next"]}).json()["results"] == []


def test_a_reader_who_may_see_no_figure_gets_an_empty_snapshot(sern):
    sern.is_published = False
    sern.save()
    body = client_for(UserFactory()).get(URL).json()
    assert (body["results"], body["has_more"]) == ([], False)
    assert body["next"]


def test_a_definition_changed_between_two_figures_takes_no_place_on_a_page(sern, sern_partner):
    """The feed's pages hold figures' changes only: a theme renamed between two figures'
    changes leaves both on one page of two, and nothing waiting."""
    from solutions.models import Theme

    client = client_for(sern_partner)
    start = client.get(URL, {"page_size": 100}).json()
    assert start["has_more"] is False
    first, second = Measurement.objects.filter(review_state="approved").values_list(
        "pk", "kpi_id", "city_id", "review_state"
    )[:2]

    def touch(pk, kpi, city, state) -> None:
        with transaction.atomic(), changelog.batch():
            changelog.record_figures(
                [changelog.FigureState(pk, Change.Reason.UPDATED, kpi, city, state)]
            )

    touch(*first)
    theme = Theme.objects.first()
    theme.name = f"{theme.name} (renamed)"
    theme.save()
    touch(*second)

    page = client.get(URL, {"page_size": 2, "since": start["next"]}).json()
    assert [item["id"] for item in page["results"]] == [first[0], second[0]]
    assert page["has_more"] is False
