"""A consortium's data version: the newest change-log row that can touch its pages.

Every change writes its change-log row in its own transaction (:mod:`changelog.log`):
a figure's row carries its consortium, and any other change (a KPI, its target, a city,
a membership, a solution, an activity, the roadmap, a role…) writes a *definition* row
without one. So what a consortium's pages show can only have changed when a row of that
consortium, or a definition row, was written: the newer of the two is the consortium's
version. A change in SERN's figures leaves the other consortia at their versions; a
definition change moves every consortium's (coarse, but never stale).

One query, two index lookups (``change_consortium_idx``: ``consortium_id, id``), read
before anything else the version guards. Rows are numbered in commit order, so a reader
that sees version n sees every change up to n, and whatever it reads afterwards is at
least as new: a cache entry keyed by the version can be newer than its key, never older.
A figure whose consortium the log could not tell (its KPI deleted in the same
transaction) is written without one, as a definition row is: it moves every version.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from .models import Change
from .stamp import BEGINNING, Stamp


def _newest(**lookup) -> Coalesce:
    rows = Change.objects.filter(**lookup).order_by("-id").values("id")[:1]
    return Coalesce(Subquery(rows), Value(0))


def consortium_version(consortium_id: int) -> Stamp:
    """The version of one consortium's pages and API reads: position and time. One query."""
    newest = Greatest(_newest(consortium_id=consortium_id), _newest(consortium_id__isnull=True))
    row = Change.objects.filter(id=newest).values_list("id", "recorded_at").first()
    return Stamp(*row) if row is not None else Stamp(0, BEGINNING)


def consortium_version_by_slug(slug: str) -> Stamp:
    """:func:`consortium_version` of the consortium with this slug, in the same one query
    (an unknown slug: the definition rows' version)."""
    Consortium = apps.get_model("cities", "Consortium")
    consortium_id = Subquery(Consortium.objects.filter(slug=slug).values("pk")[:1])
    newest = Greatest(_newest(consortium_id=consortium_id), _newest(consortium_id__isnull=True))
    row = Change.objects.filter(id=newest).values_list("id", "recorded_at").first()
    return Stamp(*row) if row is not None else Stamp(0, BEGINNING)


def consortia_version(consortium_ids) -> Stamp:
    """The newest of several consortia's versions (a city page spans its consortia)."""
    ids = list(consortium_ids)
    newest = Greatest(_newest(consortium_id__in=ids), _newest(consortium_id__isnull=True))
    row = Change.objects.filter(id=newest).values_list("id", "recorded_at").first()
    return Stamp(*row) if row is not None else Stamp(0, BEGINNING)
