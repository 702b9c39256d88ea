"""The data version: the newest row of the change log, read in one query.

Every change the API shows writes a row (:mod:`changelog.log`), in commit order, so the
highest ``id`` changes whenever anything a response shows may have changed, and its
time is when that happened. The ETags and ``Last-Modified`` of the API's lists across
consortia are computed from it (:mod:`icc_portal.api.conditional`); a read of one
consortium, and the pages, use that consortium's version instead
(:mod:`changelog.versions`), which a change elsewhere leaves alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import Change

#: ``changed_at`` of a database with no change at all.
BEGINNING = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class Stamp:
    position: int
    changed_at: datetime.datetime


def current() -> Stamp:
    """The newest change: its position and when it was recorded. One query."""
    row = Change.objects.order_by("-id").values_list("id", "recorded_at").first()
    if row is None:
        return Stamp(0, BEGINNING)
    return Stamp(*row)
