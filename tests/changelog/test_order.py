"""Rows of the change log become visible in the order of their positions, on PostgreSQL.

With plain sequence numbers a transaction that took position 10 and committed after
the one that took 11 would be skipped by a reader that had already seen 11 and resumed
after it. The log numbers its rows under a lock held to the commit (``changelog.log``);
these tests run real concurrent writers, each on its own connection, against a reader
polling the log. SQLite serialises whole write transactions, so only PostgreSQL is at
stake (CI runs the suite on both).
"""

from __future__ import annotations

import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from changelog.models import Change
from kpis.models import Measurement
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row order under concurrent writers is PostgreSQL's question")


def in_thread(target, *args):
    errors = []

    def run():
        try:
            target(*args)
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def visible_positions() -> list[int]:
    return list(Change.objects.order_by("id").values_list("id", flat=True))


def test_a_second_writer_numbers_its_row_only_after_the_first_commits(entry_world):
    wrote, release = threading.Event(), threading.Event()
    kpis, ravenna = entry_world.kpis, entry_world.ravenna
    before = set(visible_positions())

    def first():
        with transaction.atomic():
            MeasurementFactory(kpi=kpis.count, city=ravenna, stage="final", value=Decimal(1))
            wrote.set()
            release.wait(10)

    def second():
        MeasurementFactory(kpi=kpis.number, city=ravenna, stage="final", value=Decimal(2))

    first_thread, first_errors = in_thread(first)
    assert wrote.wait(10)
    second_thread, second_errors = in_thread(second)
    time.sleep(0.5)
    assert second_thread.is_alive(), "the second writer waits for the log's lock"
    assert set(visible_positions()) == before, "nothing is visible before the first commits"
    release.set()
    first_thread.join(10)
    second_thread.join(10)
    assert not first_errors and not second_errors

    rows = Change.objects.exclude(id__in=before).filter(measurement_id__isnull=False)
    order = [kpi_id for kpi_id in rows.order_by("id").values_list("measurement_id", flat=True)]
    first_figure = Measurement.objects.get(kpi=kpis.count, city=ravenna, stage="final").pk
    second_figure = Measurement.objects.get(kpi=kpis.number, city=ravenna, stage="final").pk
    assert order == [first_figure, second_figure]


def test_a_reader_polling_under_concurrent_writers_never_sees_a_position_appear_late(
    entry_world,
):
    """Once position n is visible, every position below n that ever commits already is."""
    kpis, ravenna, cervia = entry_world.kpis, entry_world.ravenna, entry_world.cervia
    targets = [
        (kpi, city, stage)
        for kpi in (kpis.count, kpis.number, kpis.percent)
        for city in (ravenna, cervia)
        for stage in ("baseline", "midway", "final")
    ]
    done = threading.Event()
    polls: list[set[int]] = []

    def writer(seed: int):
        rng = random.Random(seed)
        for round_ in range(12):
            kpi, city, stage = rng.choice(targets)
            with transaction.atomic():
                figure, _ = Measurement.objects.get_or_create(
                    kpi=kpi, city=city, stage=stage, defaults={"review_state": "draft"}
                )
                figure.note = f"writer {seed}, round {round_}"
                figure.save()
                time.sleep(rng.uniform(0, 0.02))  # hold the lock a while before committing

    def reader():
        while not done.is_set():
            polls.append(set(visible_positions()))

    reader_thread, reader_errors = in_thread(reader)
    writers = [in_thread(writer, seed) for seed in range(4)]
    for thread, _errors in writers:
        thread.join(60)
    done.set()
    reader_thread.join(10)
    assert not reader_errors and not any(errors for _thread, errors in writers)

    polls.append(set(visible_positions()))
    assert len(polls) > 5
    for earlier, later in zip(polls, polls[1:], strict=False):
        assert earlier <= later
        new = later - earlier
        if new and earlier:
            assert min(new) > max(earlier), "a position appeared below one already seen"
