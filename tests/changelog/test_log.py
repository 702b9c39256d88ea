"""The change log: which changes write which rows, in the change's own transaction."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from changelog import log, stamp
from changelog.models import Change, Horizon
from cities.access import visible_changes_filter, visible_measurements_filter
from kpis.models import Measurement
from kpis.reporting import entry, review
from tests.helpers.signals import connected_anew
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _receivers_connected_anew():
    """What :func:`changelog.signals.connect` registers, connected twice, writes the rows."""
    with connected_anew():
        yield


def rows_after(position: int) -> list[Change]:
    return list(Change.objects.filter(id__gt=position).order_by("id"))


def test_a_saved_figure_writes_its_state_with_its_consortium(entry_world):
    before = stamp.current().position
    figure = MeasurementFactory(
        kpi=entry_world.kpis.count,
        city=entry_world.ravenna,
        stage="final",
        value=Decimal(3),
        review_state="draft",
    )
    (row,) = rows_after(before)
    assert (row.measurement_id, row.reason, row.review_state) == (figure.pk, "created", "draft")
    assert row.consortium_id == entry_world.consortium.pk
    assert row.solution_id == entry_world.kpis.count.solution_id
    assert row.city_id == entry_world.ravenna.pk
    assert row.published == entry_world.consortium.is_published
    assert stamp.current().position == row.id


def test_one_save_of_the_entry_grid_writes_one_row_per_figure(entry_world, coordinator_ravenna):
    before = stamp.current().position
    kpis = entry_world.kpis
    entry.record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[
            entry.RowInput(kpi=kpis.count, status="reported", value=Decimal(2), expected_version=0),
            entry.RowInput(
                kpi=kpis.number, status="reported", value=Decimal(9), expected_version=0
            ),
        ],
    )
    rows = rows_after(before)
    assert [row.reason for row in rows] == ["created", "created"]
    assert {row.measurement_id for row in rows} == set(
        Measurement.objects.filter(city=entry_world.ravenna).values_list("pk", flat=True)
    )


def test_the_review_of_a_stage_writes_its_reason(entry_world, coordinator_ravenna, steering_member):
    figure = MeasurementFactory(
        kpi=entry_world.kpis.count, city=entry_world.ravenna, stage="final", review_state="draft"
    )
    unit = {"consortium": entry_world.consortium, "city": entry_world.ravenna, "stage": "final"}
    reasons = []
    for action, user in (
        (review.submit_stage, coordinator_ravenna),
        (review.approve_stage, steering_member),
        (review.reopen_stage, steering_member),
    ):
        before = stamp.current().position
        # Only one of the world's KPIs has a figure: the other four are confirmed as missing.
        kwargs = {"comment": "Again"} if action is review.reopen_stage else {"confirm_missing": 5}
        action(user=user, **unit, **kwargs)
        (row,) = rows_after(before)
        assert row.measurement_id == figure.pk
        reasons.append((row.reason, row.review_state))
    assert reasons == [("submitted", "submitted"), ("approved", "approved"), ("reopened", "draft")]


def test_a_refused_change_writes_nothing(entry_world, coordinator_cervia):
    before = stamp.current().position
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied: another city's figure
        entry.record_measurements(
            user=coordinator_cervia,
            city=entry_world.ravenna,
            stage="final",
            rows=[
                entry.RowInput(
                    kpi=entry_world.kpis.count,
                    status="reported",
                    value=Decimal(1),
                    expected_version=0,
                )
            ],
        )
    assert rows_after(before) == []


def test_a_rolled_back_change_leaves_no_row(entry_world):
    before = stamp.current().position
    with pytest.raises(RuntimeError), transaction.atomic():
        MeasurementFactory(kpi=entry_world.kpis.count, city=entry_world.ravenna, stage="final")
        raise RuntimeError("the rest of the change failed")
    assert rows_after(before) == []


def test_publishing_a_consortium_writes_a_row_for_each_of_its_figures(entry_world):
    figures = [
        MeasurementFactory(kpi=kpi, city=entry_world.ravenna, stage="final")
        for kpi in (entry_world.kpis.count, entry_world.kpis.number)
    ]
    consortium = entry_world.consortium
    before = stamp.current().position
    consortium.is_published = not consortium.is_published
    consortium.save()
    rows = [row for row in rows_after(before) if row.measurement_id]
    assert {row.measurement_id for row in rows} == {figure.pk for figure in figures}
    expected = "published" if consortium.is_published else "unpublished"
    assert {(row.reason, row.published) for row in rows} == {(expected, consortium.is_published)}


def test_other_changes_the_api_shows_write_a_definition_row(entry_world):
    kpi = entry_world.kpis.count
    before = stamp.current().position
    kpi.target_value = Decimal(7)
    kpi.save()
    entry_world.ravenna.name = "Ravenna (RA)"
    entry_world.ravenna.save()
    assert [row.reason for row in rows_after(before)] == ["definition", "definition"]


def test_a_batch_writes_each_figure_once_and_last(entry_world):
    before = stamp.current().position
    with transaction.atomic(), log.batch():
        figure = MeasurementFactory(
            kpi=entry_world.kpis.count, city=entry_world.ravenna, stage="final"
        )
        figure.note = "again"
        figure.save()
        entry_world.ravenna.name = "Ravenna again"
        entry_world.ravenna.save()
        assert rows_after(before) == []  # nothing before the batch ends
    rows = rows_after(before)
    assert [(row.measurement_id, row.reason) for row in rows] == [
        (figure.pk, "created"),
        (None, "definition"),
    ]


@pytest.mark.parametrize(
    "persona",
    [
        "anonymous",
        "partner_user",
        "coordinator_ravenna",
        "coordinator_cervia",
        "steering_member",
        "site_admin",
    ],
)
def test_the_visibility_of_a_row_is_the_visibility_of_its_figure(entry_world, request, persona):
    """One rule in two forms: a figure's newest row is visible exactly when the figure is."""
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    kpis = entry_world.kpis
    for city in (entry_world.ravenna, entry_world.cervia):
        for stage, state in (("baseline", "draft"), ("midway", "submitted"), ("final", "approved")):
            MeasurementFactory(kpi=kpis.count, city=city, stage=stage, review_state=state)
    MeasurementFactory(
        kpi=entry_world.kpis.consortium, city=None, stage="final", review_state="draft"
    )
    for published in (True, False):
        entry_world.consortium.is_published = published
        entry_world.consortium.save()
        if hasattr(user, "_icc_roles"):
            user._icc_roles = None
        figures = set(
            Measurement.objects.filter(visible_measurements_filter(user)).values_list(
                "pk", flat=True
            )
        )
        newest = Change.objects.filter(measurement_id__isnull=False).values("measurement_id")
        newest_rows = Change.objects.filter(
            id__in=[
                max(
                    Change.objects.filter(measurement_id=m["measurement_id"]).values_list(
                        "id", flat=True
                    )
                )
                for m in newest.distinct()
            ]
        )
        rows = set(
            newest_rows.filter(visible_changes_filter(user)).values_list(
                "measurement_id", flat=True
            )
        )
        assert rows == figures


def test_prune_drops_old_rows_but_keeps_each_figures_newest(entry_world):
    figure = MeasurementFactory(kpi=entry_world.kpis.count, city=entry_world.ravenna, stage="final")
    figure.note = "twice"
    figure.save()
    gone = MeasurementFactory(kpi=entry_world.kpis.number, city=entry_world.ravenna, stage="final")
    gone.delete()
    Change.objects.update(recorded_at=timezone.now() - datetime.timedelta(days=100))
    fresh = MeasurementFactory(
        kpi=entry_world.kpis.percent, city=entry_world.ravenna, stage="final"
    )

    call_command("prune_changes", stdout=io.StringIO())

    kept = Change.objects.filter(measurement_id__isnull=False)
    newest_of_figure = Change.objects.filter(measurement_id=figure.pk).order_by("-id").first()
    assert set(kept.values_list("measurement_id", flat=True)) == {figure.pk, fresh.pk}
    assert kept.filter(measurement_id=figure.pk).get().id == newest_of_figure.id
    assert Horizon.objects.get().pruned_through > 0
    assert not Change.objects.filter(Q(deleted=True) | Q(measurement_id=gone.pk)).exists()
