"""/api/v1/changes/: every change in a reader's view, withdrawals included, in commit order.

The contract is the copy: a reader who applies every page to a table of figures (an
item with a figure replaces it, a withdrawal deletes it) holds exactly what a fresh
full pull of ``/api/v1/measurements/`` gives them, through creations, changes,
approvals, reopenings, deletions and publication changes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from changelog.models import Change
from cities.models import City, Consortium
from kpis.models import KPI, Measurement
from kpis.reporting import entry, review
from tests.cities.factories import PartnerFactory, SteeringCommitteeMemberFactory, UserFactory
from tests.helpers.api import assert_error_shape, client_for
from tests.helpers.feed import URL, Copy, full_pull
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_copy(sern_partner):
    copy = Copy(client_for(sern_partner), page_size=500)
    copy.sync()
    return copy


def reopen_ravenna_final(sern, sern_steering, ravenna):
    return review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check 2.2"
    )


def test_from_the_start_the_feed_is_a_full_pull(sern, sern_partner, anonymous):
    for client in (client_for(sern_partner), anonymous):
        copy = Copy(client, page_size=500)
        copy.sync(page_size=7)  # many pages
        assert copy.figures == full_pull(client)
        assert len(copy.figures) == 84
        assert {item["change"] for item in copy.items} == {"created"}


def test_reopening_a_stage_withdraws_its_figures_from_the_partner(
    sern, sern_steering, ravenna, partner_copy, sern_partner
):
    """The issue's numbers: the partner's total falls 84 -> 71, with a trace for each."""
    ravenna_final = set(
        Measurement.objects.filter(city=ravenna, stage="final").values_list("pk", flat=True)
    )
    reopen_ravenna_final(sern, sern_steering, ravenna)

    items = partner_copy.sync()

    assert {item["id"] for item in items} == ravenna_final
    assert {(item["change"], item["reason"]) for item in items} == {("withdrawn", "reopened")}
    assert len(partner_copy.figures) == 71
    assert partner_copy.figures == full_pull(client_for(sern_partner))


def test_the_steering_committee_sees_the_reopened_figures_change_not_go(
    sern, sern_steering, ravenna
):
    copy = Copy(client_for(sern_steering), page_size=500)
    copy.sync()
    reopen_ravenna_final(sern, sern_steering, ravenna)

    items = copy.sync()

    assert len(items) == 13
    assert {item["change"] for item in items} == {"updated"}
    assert {item["measurement"]["review_state"] for item in items} == {"draft"}
    assert copy.figures == full_pull(client_for(sern_steering))


def test_a_corrected_and_approved_stage_comes_back_to_the_partner(
    sern, sern_steering, sern_coordinator_ravenna, ravenna, partner_copy, sern_partner
):
    reopen_ravenna_final(sern, sern_steering, ravenna)
    partner_copy.sync()
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    entry.record_measurements(
        user=sern_coordinator_ravenna,
        city=ravenna,
        stage="final",
        rows=[
            entry.RowInput(
                kpi=figure.kpi_id,
                status="reported",
                value=Decimal(17),
                expected_version=figure.version,
            )
        ],
    )
    assert partner_copy.sync() == []  # a draft: nothing the partner may see
    review.submit_stage(user=sern_coordinator_ravenna, consortium=sern, city=ravenna, stage="final")
    assert partner_copy.sync() == []
    review.approve_stage(user=sern_steering, consortium=sern, city=ravenna, stage="final")

    items = partner_copy.sync()

    assert len(items) == 13
    assert {(item["change"], item["reason"]) for item in items} == {("created", "approved")}
    assert partner_copy.figures[figure.pk]["value"] == "17"
    assert partner_copy.figures == full_pull(client_for(sern_partner))


def test_a_draft_the_partner_never_saw_is_never_named(
    sern, ravenna, partner_copy, sern_coordinator_ravenna
):
    kpi = KPI.objects.get(solution__consortium=sern, code="2.2")
    draft = MeasurementFactory(kpi=kpi, city=ravenna, stage="baseline", review_state="draft")
    draft.note = "typo"
    draft.save()
    draft.delete()

    assert partner_copy.sync() == []
    coordinator = Copy(client_for(sern_coordinator_ravenna), page_size=500)
    coordinator.sync()
    assert draft.pk not in coordinator.figures


def test_deleting_an_approved_figure_withdraws_it(sern, ravenna, partner_copy, sern_partner):
    figure = Measurement.objects.get(kpi__code="2.1", city=ravenna, stage="midway")
    figure_id = figure.pk
    figure.delete()

    items = partner_copy.sync()

    assert [(item["id"], item["change"], item["reason"]) for item in items] == [
        (figure_id, "withdrawn", "deleted")
    ]
    assert partner_copy.figures == full_pull(client_for(sern_partner))


def test_withdrawing_a_consortium_from_publication_withdraws_it_from_anonymous_readers(
    sern, anonymous, partner_copy, sern_partner
):
    visitor = Copy(anonymous, page_size=500)
    visitor.sync()
    sern.is_published = False
    sern.save()

    withdrawn = visitor.sync()
    assert len(withdrawn) == 84
    assert {(item["change"], item["reason"]) for item in withdrawn} == {
        ("withdrawn", "unpublished")
    }
    assert visitor.figures == {} == full_pull(anonymous)
    # The partner belongs to SERN: its figures stay theirs, nothing is withdrawn.
    assert {item["change"] for item in partner_copy.sync()} <= {"updated"}
    assert partner_copy.figures == full_pull(client_for(sern_partner))

    sern.is_published = True
    sern.save()
    assert {item["change"] for item in visitor.sync()} == {"created"}
    assert visitor.figures == full_pull(anonymous)


def test_a_new_kpi_code_reaches_every_copy_of_its_figures(sern, partner_copy, sern_partner):
    kpi = KPI.objects.get(solution__consortium=sern, code="2.5")
    kpi.code = "2.5-new"
    kpi.save()

    items = partner_copy.sync()

    assert items and {item["reason"] for item in items} == {"renamed"}
    assert {item["measurement"]["kpi_code"] for item in items} == {"2.5-new"}
    assert partner_copy.figures == full_pull(client_for(sern_partner))


def publish(consortium, flag: bool) -> None:
    consortium.refresh_from_db()
    consortium.is_published = flag
    consortium.save()


def test_many_changes_in_a_row_leave_every_copy_equal_to_a_full_pull(
    sern, sern_steering, sern_coordinator_ravenna, ravenna, sern_partner, anonymous
):
    readers = [client_for(sern_partner), anonymous, client_for(sern_steering)]
    readers.append(client_for(sern_coordinator_ravenna))
    copies = [Copy(client, page_size=500) for client in readers]
    for copy in copies:
        copy.sync()
    steps = [
        lambda: reopen_ravenna_final(sern, sern_steering, ravenna),
        lambda: Measurement.objects.filter(city=ravenna, stage="final", kpi__code="2.1").delete(),
        lambda: review.submit_stage(
            user=sern_coordinator_ravenna,
            consortium=sern,
            city=ravenna,
            stage="final",
            confirm_missing=1,
        ),
        lambda: review.approve_stage(
            user=sern_steering, consortium=sern, city=ravenna, stage="final", confirm_missing=1
        ),
        lambda: Consortium.objects.filter(pk=sern.pk).get().__class__,  # a read: no change
        lambda: publish(sern, False),
        lambda: publish(sern, True),
    ]
    for step in steps:
        step()
        for copy, client in zip(copies, readers, strict=True):
            copy.sync(page_size=5)
            assert copy.figures == full_pull(client)


def test_pages_resume_where_they_stopped(sern, sern_partner):
    client = client_for(sern_partner)
    first = client.get(URL, {"page_size": 10}).json()
    assert len(first["results"]) == 10 and first["has_more"] is True
    second = client.get(URL, {"page_size": 10, "since": first["next"]}).json()
    ids = {item["id"] for item in first["results"]}
    assert ids.isdisjoint(item["id"] for item in second["results"])


def test_nothing_new_gives_the_same_cursor_and_an_etag_to_revalidate(partner_copy):
    response = partner_copy.client.get(URL, {"since": partner_copy.cursor})
    assert response.json() == {"next": partner_copy.cursor, "has_more": False, "results": []}
    again = partner_copy.client.get(
        URL, {"since": partner_copy.cursor}, HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "cursor", ["garbage", "eyJwIjo1fQ:forged", "eyJwIjoxfQ", "a" * 300, "\x00"]
)
def test_a_forged_cursor_is_refused_with_a_full_pull_to_do(partner_client, sern, cursor):
    body = assert_error_shape(partner_client.get(URL, {"since": cursor}), 400, "since")
    assert body["code"] == "cursor_invalid"
    assert "full pull" in body["detail"]


def test_a_cursor_of_another_list_is_refused(partner_client, sern):
    page = partner_client.get("/api/v1/measurements/?page_size=5").json()
    measurements_cursor = page["next"].split("cursor=")[1].split("&")[0]
    from urllib.parse import unquote

    body = assert_error_shape(
        partner_client.get(URL, {"since": unquote(measurements_cursor)}), 400, "since"
    )
    assert body["code"] == "cursor_invalid"


def test_a_cursor_from_before_the_readers_roles_changed_is_refused(
    sern, sern_partner, partner_copy
):
    SteeringCommitteeMemberFactory(user=sern_partner, consortium=sern)
    sern_partner._icc_roles = None
    body = assert_error_shape(
        client_for(sern_partner).get(URL, {"since": partner_copy.cursor}), 400, "since"
    )
    assert body["code"] == "cursor_reader_changed"
    assert "full pull" in body["detail"]


def test_a_cursor_older_than_the_retention_has_expired(sern, partner_copy, ravenna, settings):
    settings.CHANGES_RETENTION_DAYS = 90
    figure = Measurement.objects.get(kpi__code="2.1", city=ravenna, stage="midway")
    figure.note = "checked"
    figure.save()
    Change.objects.update(recorded_at=timezone.now() - datetime.timedelta(days=91))
    call_command("prune_changes", stdout=open("/dev/null", "w"))

    body = assert_error_shape(
        partner_copy.client.get(URL, {"since": partner_copy.cursor}), 400, "since"
    )
    assert body["code"] == "cursor_expired"
    assert "90 days" in body["detail"] and "full pull" in body["detail"]
    # A full pull still lists every figure: each one's newest row is kept.
    fresh = Copy(partner_copy.client, page_size=500)
    fresh.sync()
    assert len(fresh.figures) == 84


@pytest.mark.parametrize(
    ("language", "words"), [("it", "scaricamento completo"), ("sv", "hämtning")]
)
def test_cursor_messages_are_translated(partner_client, sern, language, words):
    response = partner_client.get(URL, {"since": "garbage"}, HTTP_ACCEPT_LANGUAGE=language)
    assert words in response.json()["detail"]


def test_a_partner_of_another_consortium_sees_only_published_figures(sern):
    other = Consortium.objects.exclude(pk=sern.pk).first() or sern
    user = UserFactory()
    PartnerFactory(user=user, consortium=other)
    copy = Copy(client_for(user), page_size=500)
    copy.sync()
    assert copy.figures == full_pull(client_for(user))


def test_only_the_feed_query_parameters_are_known(partner_client, sern):
    body = assert_error_shape(partner_client.get(URL, {"sincе": "x"}), 400)
    assert "since" in body["detail"]
    assert_error_shape(partner_client.get(URL, {"page_size": "0"}), 400, "page_size")


def test_city_rows_touched_by_a_new_slug_are_renamed(sern, partner_copy, sern_partner):
    city = City.objects.get(slug="cervia")
    city.slug = "cervia-ra"
    city.save()
    items = partner_copy.sync()
    assert items and {item["measurement"]["city"] for item in items} == {"cervia-ra"}
    assert partner_copy.figures == full_pull(client_for(sern_partner))
