"""Writing the change log: every change a reader of the API could notice, in commit order.

What is written
    A *figure* row for every figure created, edited, submitted, approved, returned,
    reopened or deleted, for every figure of a consortium published or withdrawn from
    publication, and for every figure whose KPI code, solution number, city or
    consortium slug changed (its representation changed). A *definition* row for any
    other change the API shows (a KPI's target, a city's name, a role…). Rows are
    written by the signals of :mod:`changelog.signals` (saves and deletes anywhere:
    the entry service, the admin, the loader) and by the bulk paths that send no signal
    (the review of a stage, ``record_figures``), always inside the transaction of the
    change itself: the change and its row commit together or not at all.

Commit order: one writer at a time from its first row to its commit
    A reader resumes from the last ``id`` it read (its cursor), so an ``id`` must never
    become visible after a higher one has: with plain sequence numbers, a transaction
    that took ``id`` 10 and commits after the one that took 11 would be skipped by a
    reader that saw 11 first. So the rows are numbered under a lock held until commit:
    on PostgreSQL ``pg_advisory_xact_lock`` (one lock for the whole log, released by the
    commit or rollback), and SQLite runs every write transaction as ``BEGIN IMMEDIATE``,
    which serialises writers the same way. Whoever numbers a row therefore commits
    before anyone else numbers the next: ids become visible in the order they were
    given, and a reader that sees ``id`` n has seen every committed row below it (a
    rolled-back transaction only leaves a gap). ``tests/changelog/test_order.py``
    checks it with concurrent writers on PostgreSQL.

    The lock is held from a transaction's first row to its commit, so rows are written
    last: within :func:`batch` (the entry service, the review, the loader) they are
    collected and written in one go as the batch ends, after every other lock the
    transaction takes; outside one, a single save's signal writes its row at once,
    and nothing follows it. Taking the log's lock before a row lock could otherwise
    deadlock against a writer that holds the row and waits for the log.

Costs
    A batch writes its figures' rows with the lock and one ``INSERT … SELECT`` per 200
    figures (which reads their consortia too), and a definition row with one more.
    Within one batch a figure has one row, its last state; a burst of definition
    changes has one row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from . import versions
from .models import Change

#: The key of the log's PostgreSQL advisory lock ("ICCLOG" in ASCII).
LOCK_KEY = 0x4943434C4F47

_local = threading.local()


@dataclass(slots=True)
class FigureState:
    """A figure as a change left it: what decides who may see it (consortium etc. are
    looked up from its KPI when the rows are written)."""

    measurement_id: int
    reason: str
    kpi_id: int
    city_id: int | None
    review_state: str
    deleted: bool = False


@dataclass(slots=True)
class Pending:
    figures: dict[int, FigureState] = field(default_factory=dict)
    definitions: bool = False

    def __bool__(self) -> bool:
        return bool(self.figures) or self.definitions


@contextmanager
def batch() -> Iterator[None]:
    """Collect the rows of the changes made inside, and write them as it ends.

    Use it inside the change's transaction (``transaction.atomic``), around all of the
    change, so the rows are written last. Nested batches join the outermost one. If the
    block raises, nothing is written (the transaction rolls back anyway).
    """
    if getattr(_local, "pending", None) is not None:
        yield
        return
    _local.pending = Pending()
    try:
        yield
        pending = _local.pending
    finally:
        _local.pending = None
    _write(pending)


def record_figure(state: FigureState) -> None:
    """A figure's new state: written at once, or when the current :func:`batch` ends."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        _write(Pending(figures={state.measurement_id: state}))
        return
    earlier = pending.figures.get(state.measurement_id)
    if earlier is not None and earlier.reason == Change.Reason.CREATED:
        state.reason = Change.Reason.CREATED  # new within this transaction: still new
    pending.figures[state.measurement_id] = state


def record_figures(states: Iterable[FigureState]) -> None:
    for state in states:
        record_figure(state)


def record_definition() -> None:
    """Something the API shows changed that is not a figure (for the ETags' data version)."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        _write(Pending(definitions=True))
        return
    pending.definitions = True


def lock() -> None:
    """Take the log's lock for the rest of the transaction (see the module docstring)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # SQLite: the write transaction already holds the database's write lock.


def _write(pending: Pending) -> None:
    if not pending:
        return
    if connection.in_atomic_block:
        _lock_and_insert(pending)
    else:  # a save in autocommit mode: the row gets a transaction of its own
        with transaction.atomic():
            _lock_and_insert(pending)


def _lock_and_insert(pending: Pending) -> None:
    lock()
    figures = sorted(pending.figures.values(), key=lambda state: state.measurement_id)
    for start in range(0, len(figures), CHUNK):
        _insert_figures(figures[start : start + CHUNK])
    if pending.definitions:
        Change.objects.create(reason=Change.Reason.DEFINITION)
    versions.written()


#: Figures per INSERT statement.
CHUNK = 200


def _insert_figures(figures: list[FigureState]) -> None:
    """One ``INSERT … SELECT`` for the figures: each with its consortium, solution and
    whether the consortium is published, read from its KPI by the same statement, after
    the lock (a consortium published meanwhile has committed its own rows by now, so no
    row of ours can carry the old flag after them)."""
    quote = connection.ops.quote_name
    KPI = apps.get_model("kpis", "KPI")
    Solution = apps.get_model("solutions", "Solution")
    Consortium = apps.get_model("cities", "Consortium")
    values = ", ".join(
        ["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, %s, %s)"] * len(figures)
    )
    sql = (
        "WITH figure (measurement_id, kpi_id, city_id, reason, review_state, deleted) "
        f"AS (VALUES {values}) "
        f"INSERT INTO {quote(Change._meta.db_table)} (recorded_at, reason, measurement_id, "
        "consortium_id, solution_id, city_id, review_state, published, deleted) "
        "SELECT %s, figure.reason, figure.measurement_id, solution.consortium_id, "
        "kpi.solution_id, figure.city_id, figure.review_state, "
        "COALESCE(consortium.is_published, %s), figure.deleted FROM figure "
        f"LEFT JOIN {quote(KPI._meta.db_table)} kpi ON kpi.id = figure.kpi_id "
        f"LEFT JOIN {quote(Solution._meta.db_table)} solution ON solution.id = kpi.solution_id "
        f"LEFT JOIN {quote(Consortium._meta.db_table)} consortium "
        "ON consortium.id = solution.consortium_id ORDER BY figure.measurement_id"
    )
    params: list = []
    for state in figures:
        params += [
            state.measurement_id,
            state.kpi_id,
            state.city_id,
            state.reason,
            "" if state.deleted else state.review_state,
            state.deleted,
        ]
    params += [timezone.now(), False]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
