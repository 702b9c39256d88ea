"""The change feed: a snapshot of a reader's view, then what changed in it, in commit order.

A first sync (no cursor) starts from a *snapshot* (:func:`read_snapshot`): every figure the
reader may see now, once, in id order, a page at a time, and the log's position when the
snapshot began. Then it follows the log from that position (:func:`read_page`). The cost of
a first sync follows the number of figures, not the length of the log, and the log's old
rows can be pruned: only a cursor from before the pruned horizon must start again. A
figure that changes while the snapshot is read is named again after it (its log row is
newer than the snapshot's position), so the copy still ends equal to the reader's view.

Read from the change log (:mod:`changelog.log`), whose rows become visible in the order
of their positions, so a reader that resumes after the last position it read misses
nothing. A page covers the next rows after the cursor (``limit`` of them) and names
each figure they touch once, as the reader may see it *now*:

* ``created`` / ``updated``: the figure is visible to the reader, with its current
  representation (exactly as ``/api/v1/measurements/`` shows it); ``created`` when the
  reader could not see it at the cursor (new, or newly approved or published).
* ``withdrawn``: the figure is no longer visible to the reader (reopened, deleted, its
  consortium withdrawn from publication) and the reader could see it at the cursor or
  at some change since, so may hold it. A figure the reader could never see is never
  named.
* nothing, for a figure that stays out of the reader's view (another city's draft).

A figure touched again after the page is named again on a later page: apply the items
in order and a copy ends equal to the reader's view.

Visibility is :mod:`cities.access`, the same rule every read applies: current figures
through ``visible_measurements_filter``, past states through ``visible_changes_filter``
over the log's rows, which record each figure's review state and its consortium's
publication as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from changelog.models import Change, Horizon
from cities.access import visible_changes_filter
from icc_portal.figure_changes import FigureChange
from kpis.managers import driver_rows
from kpis.models import Measurement

from .rows import LIST_LOOKUPS, list_rows


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: int
    change: str
    reason: str
    measurement: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[FeedItem]
    position: int  # the last position read: the next page starts after it
    has_more: bool


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    items: list[FeedItem]
    last_id: int  # the snapshot's next page starts after this figure
    has_more: bool


#: The reason of a snapshot's items: the figure as it stands, not a change.
SNAPSHOT = "snapshot"


def read_snapshot(user, *, after_id: int, limit: int) -> SnapshotPage:
    """The figures ``user`` may see now with an id above ``after_id``, ``limit`` of them, in
    the list's representation, as ``created`` items; one query."""
    rows = (
        Measurement.objects.visible_to(user)
        .filter(pk__gt=after_id)
        .order_by("pk")
        .values_list(*LIST_LOOKUPS.values())[: limit + 1]
    )
    figures = list(list_rows(driver_rows(rows)))
    has_more = len(figures) > limit
    figures = figures[:limit]
    items = [FeedItem(row["id"], FigureChange.CREATED, SNAPSHOT, row) for row in figures]
    return SnapshotPage(items, figures[-1]["id"] if figures else after_id, has_more)


def changed_since(position: int) -> bool:
    """Whether the log holds a figure's change after ``position`` (one query)."""
    return Change.objects.filter(id__gt=position, measurement_id__isnull=False).exists()


def pruned_through() -> int:
    """Positions up to here may have been dropped (``prune_changes``); one query."""
    return Horizon.objects.filter(pk=1).values_list("pruned_through", flat=True).first() or 0


def read_page(user, *, since: int, limit: int) -> FeedPage:
    """The figures touched after ``since``, as ``user`` sees them now; three queries at most.

    The log's next rows; the touched figures the user may see, in the list's
    representation; and (from a cursor) which of them the user could see then.
    """
    rows = list(
        Change.objects.filter(id__gt=since, measurement_id__isnull=False)
        .order_by("id")
        .values_list("id", "measurement_id", "reason")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    position = rows[-1][0] if rows else since
    touched: dict[int, tuple[int, str]] = {}
    for row_position, measurement_id, reason in rows:
        touched.pop(measurement_id, None)  # keep them in the order of their last change
        touched[measurement_id] = (row_position, reason)
    if not touched:
        return FeedPage([], position, has_more)

    visible_rows = Measurement.objects.visible_to(user).filter(pk__in=list(touched)).order_by()
    visible = {
        row["id"]: row
        for row in list_rows(driver_rows(visible_rows.values_list(*LIST_LOOKUPS.values())))
    }
    seen_then, seen_since = _could_see(user, since, touched, visible)

    items = []
    for measurement_id, (_position, reason) in touched.items():
        if measurement_id in visible:
            change = FigureChange.UPDATED if measurement_id in seen_then else FigureChange.CREATED
            items.append(FeedItem(measurement_id, change, reason, visible[measurement_id]))
        elif measurement_id in seen_then or measurement_id in seen_since:
            items.append(FeedItem(measurement_id, FigureChange.WITHDRAWN, reason, None))
    return FeedPage(items, position, has_more)


def _could_see(user, since: int, touched, visible) -> tuple[set[int], set[int]]:
    """Which touched figures the user could see at the cursor, and which (of those out of
    view now) at some change since. Nothing from the start: a full pull withdraws nothing.
    """
    if since <= 0:
        return set(), set()
    at_cursor = (
        Change.objects.filter(measurement_id=OuterRef("measurement_id"), id__lte=since)
        .order_by("-id")
        .values("id")[:1]
    )
    hidden = [measurement_id for measurement_id in touched if measurement_id not in visible]
    states = Change.objects.filter(
        Q(measurement_id__in=list(touched), id=Subquery(at_cursor))
        | Q(measurement_id__in=hidden, id__gt=since)
    ).filter(visible_changes_filter(user))
    seen_then: set[int] = set()
    seen_since: set[int] = set()
    for measurement_id, row_position in states.values_list("measurement_id", "id"):
        (seen_then if row_position <= since else seen_since).add(measurement_id)
    return seen_then, seen_since
