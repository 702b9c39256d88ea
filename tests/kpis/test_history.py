"""History per figure and recent changes per city and consortium, with the visibility rules."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Measurement
from kpis.reporting.entry import RowInput, record_measurements
from kpis.reporting.missing import missing_kpis
from kpis.reporting.review import approve_stage, reopen_stage, submit_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(entry_world, coordinator_ravenna, steering_member):
    """1.1 for Ravenna: entered 3, corrected to 4, submitted, approved, reopened, set to 5."""
    kpi, city = entry_world.kpis.count, entry_world.ravenna

    def put(value, version, note=""):
        record_measurements(
            user=coordinator_ravenna,
            city=city,
            stage="final",
            rows=[
                RowInput(
                    kpi=kpi,
                    status="reported",
                    expected_version=version,
                    value=Decimal(value),
                    note=note,
                )
            ],
        )

    unit = {"consortium": entry_world.consortium, "city": city, "stage": "final"}
    put(3, 0)
    put(4, 1, note="recounted")
    submit_stage(user=coordinator_ravenna, **unit, confirm_missing=len(missing_kpis(**unit)))
    approve_stage(user=steering_member, **unit, confirm_missing=len(missing_kpis(**unit)))
    reopen_stage(user=steering_member, comment="One department was missed", **unit)
    put(5, 5, note="recounted again")
    return Measurement.objects.get(kpi=kpi, city=city)


def test_history_page_lists_every_change_with_old_and_new_values(
    client, story, coordinator_ravenna
):
    client.force_login(coordinator_ravenna)
    response = client.get(reverse("measurement-history", args=[story.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [entry.record.version for entry in entries] == [6, 5, 4, 3, 2, 1]
    newest = {change.label: (change.old, change.new) for change in entries[0].changes}
    assert newest["value"] == ("4", "5")
    assert newest["note"] == ("recounted", "recounted again")
    assert entries[0].who == "coord-ravenna"
    assert entries[1].reason == "Reopened" and entries[1].who == "steering-tn"
    assert entries[-1].is_creation
    html = response.content.decode()
    assert "<del>4</del>" in html and "<ins>5</ins>" in html


def test_public_history_shows_approved_versions_only(client, story, coordinator_ravenna):
    from kpis.reporting.review import approve_stage, submit_stage

    # Approve the corrected figure, so the public may see the measurement again.
    unit = {"consortium": story.kpi.solution.consortium, "city": story.city, "stage": "final"}
    submit_stage(user=coordinator_ravenna, **unit, confirm_missing=len(missing_kpis(**unit)))
    from cities.models import SteeringCommitteeMember

    approver = SteeringCommitteeMember.objects.get().user
    approve_stage(user=approver, **unit, confirm_missing=len(missing_kpis(**unit)))
    response = client.get(reverse("measurement-history", args=[story.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert {entry.record.review_state for entry in entries} == {"approved"}
    assert [entry.figure for entry in entries] == ["5", "4"]
    assert {entry.who for entry in entries} == {"—"}  # no names for anonymous visitors
    assert "recounted again" in response.content.decode()


def test_draft_history_is_404_for_anonymous_and_partners(client, story, partner_user):
    url = reverse("measurement-history", args=[story.pk])
    assert client.get(url).status_code == 404  # reopened: a draft again
    client.force_login(partner_user)
    assert client.get(url).status_code == 404


def test_city_changes_list_recent_changes_newest_first(client, story, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    response = client.get(reverse("city-changes", args=["ravenna"]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert entries[0].record.version == 6 and entries[0].kpi == story.kpi
    assert {change.label for change in entries[0].changes} == {"value", "note"}
    events = response.context["events"]
    assert [event.history_change_reason for event in events] == [
        "reopened",
        "approved",
        "submitted",
    ]
    assert "One department was missed" in response.content.decode()


def test_city_changes_for_anonymous_hide_drafts_and_review_comments(client, story):
    response = client.get(reverse("city-changes", args=["ravenna"]))
    assert response.status_code == 200
    assert {entry.record.review_state for entry in response.context["entries"]} == {"approved"}
    assert response.context["events"] == []
    assert "One department was missed" not in response.content.decode()


def test_consortium_changes_include_every_city(client, story, steering_member, entry_world):
    record_measurements(
        user=steering_member,
        consortium=entry_world.consortium,
        stage="final",
        rows=[
            RowInput(
                kpi=entry_world.kpis.consortium, status="reported", expected_version=0, value=2
            )
        ],
    )
    client.force_login(steering_member)
    response = client.get(reverse("consortium-changes", args=["test-network"]))
    entries = response.context["entries"]
    assert {entry.record.city_id for entry in entries} == {entry_world.ravenna.pk, None}


def test_unknown_city_or_consortium_is_404(client, entry_world):
    assert client.get(reverse("city-changes", args=["atlantis"])).status_code == 404
    assert client.get(reverse("consortium-changes", args=["atlantis"])).status_code == 404
    assert client.get(reverse("measurement-history", args=[999999])).status_code == 404


def test_changes_page_runs_a_fixed_number_of_queries(
    client, story, coordinator_ravenna, django_assert_max_num_queries
):
    client.force_login(coordinator_ravenna)
    url = reverse("city-changes", args=["ravenna"])
    # session, user, city, roles (4), count, page, previous versions, review memberships,
    # review events, nav link (cached roles: 0)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_a_review_cycle_is_one_decision_each_not_one_entry_per_figure(
    client, story, coordinator_ravenna
):
    client.force_login(coordinator_ravenna)
    response = client.get(reverse("city-changes", args=["ravenna"]))
    entries = response.context["entries"]
    # The three saves (3, 4 with a note, 5 after the reopen); submit/approve/reopen are decisions.
    assert [entry.record.version for entry in entries] == [6, 2, 1]
    assert not any(entry.reason for entry in entries)
    html = response.content.decode()
    assert html.index("Review decisions") < html.index("Changed figures")
    assert html.count('class="change change-decision') == 3


@pytest.mark.parametrize(
    ("kind", "decisions", "figures"), [("decisions", 3, 0), ("figures", 0, 3), ("all", 3, 3)]
)
def test_changes_filter_by_kind(client, story, coordinator_ravenna, kind, decisions, figures):
    client.force_login(coordinator_ravenna)
    response = client.get(reverse("city-changes", args=["ravenna"]), {"kind": kind})
    assert len(response.context["events"]) == decisions
    assert len(response.context["entries"]) == figures
    assert f'href="?kind={kind}" aria-current="page"' in response.content.decode()


#: The word each change page shows beside a version: the feed's, bulk writes' and imports'.
CHANGE_WORDS = {
    "en": {"created": "Created", "updated": "Updated"},
    "it": {"created": "Creato", "updated": "Aggiornato"},
    "sv": {"created": "Skapad", "updated": "Uppdaterad"},
}


def change_words(html: str) -> list[tuple[str, str]]:
    """(class word, shown word) of each change on a page, top to bottom."""
    return re.findall(r'<span class="change-word change-([a-z]+)">([^<]*)</span>', html)


@pytest.mark.parametrize("language", sorted(CHANGE_WORDS))
def test_the_change_pages_say_what_happened_in_the_feeds_words(
    client, story, coordinator_ravenna, language
):
    client.force_login(coordinator_ravenna)
    words = CHANGE_WORDS[language]
    # Newest first: set to 5, reopened, approved, submitted, corrected to 4 (each a version
    # that changed the figure or its review state), entered as 3.
    expected = [*["updated"] * 5, "created"]
    history = client.get(
        reverse("measurement-history", args=[story.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert change_words(history.content.decode()) == [(word, words[word]) for word in expected]
    assert [entry.change.value for entry in history.context["entries"]] == expected
    changes = client.get(reverse("city-changes", args=["ravenna"]), HTTP_ACCEPT_LANGUAGE=language)
    shown = change_words(changes.content.decode())
    assert shown[0] == ("updated", words["updated"])
    assert ("created", words["created"]) in shown
    assert set(shown) <= {(word, words[word]) for word in expected}
