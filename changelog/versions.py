"""A consortium's data version: the newest change-log row that can touch its pages.

Every change writes its change-log row in its own transaction (:mod:`changelog.log`):
a figure's row carries its consortium, and any other change (a KPI, its target, a city,
a membership, a solution, an activity, the roadmap, a role…) writes a *definition* row
without one. So what a consortium's pages show can only have changed when a row of that
consortium, or a definition row, was written: the newer of the two is the consortium's
version. A change in SERN's figures leaves the other consortia at their versions; a
definition change moves every consortium's (coarse, but never stale). The definition
rows alone are the version of what is not one consortium's (the list of consortia).

One query, index lookups only (``change_consortium_idx``: ``consortium_id, id``), read
before anything else the version guards; plain SQL, as it runs on every page. Rows are
numbered in commit order, so a reader that sees version n sees every change up to n, and
whatever it reads afterwards is at least as new: a cache entry keyed by the version can
be newer than its key, never older. A figure whose consortium the log could not tell
(its KPI deleted in the same transaction) is written without one, as a definition row
is: it moves every version.
"""

from __future__ import annotations

import datetime
from functools import cache

from django.apps import apps
from django.db import connection
from django.utils import timezone

from .models import Change
from .stamp import BEGINNING, Stamp


@cache
def _sql() -> dict[str, str]:
    quote = connection.ops.quote_name
    table = quote(Change._meta.db_table)
    consortia = quote(apps.get_model("cities", "Consortium")._meta.db_table)
    # The consortium as a range, not an equality, and ordered as the index is: the
    # planner then walks the index from the consortium's end. (With ``= X``, it drops the
    # constant from the ordering and may walk the whole log backwards by id looking for
    # an old consortium's newest row, when X is a subquery's answer it cannot estimate.)
    newest = f"SELECT id FROM {table} WHERE {{}} ORDER BY consortium_id DESC, id DESC LIMIT 1"
    definitions = f"COALESCE(({newest.format('consortium_id IS NULL')}), 0)"
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"  # SQLite: max(a, b)

    def version_of(consortium: str) -> str:
        condition = f"consortium_id >= {consortium} AND consortium_id <= {consortium}"
        mine = f"COALESCE(({newest.format(condition)}), 0)"
        return f"SELECT id, recorded_at FROM {table} WHERE id = {greatest}({mine}, {definitions})"

    programmes = quote(apps.get_model("cities", "Programme")._meta.db_table)

    def version_of_many(where: str) -> str:
        """The newest row of any consortium ``where`` selects (``c``), or of the definitions:
        each consortium's newest found through the index, as for one."""
        each = newest.format("consortium_id >= c.id AND consortium_id <= c.id")
        mine = f"COALESCE((SELECT MAX(({each})) FROM {consortia} c WHERE {where}), 0)"
        return f"SELECT id, recorded_at FROM {table} WHERE id = {greatest}({mine}, {definitions})"

    return {
        "one": version_of("%(id)s"),
        "slug": version_of(f"(SELECT id FROM {consortia} WHERE slug = %(slug)s)"),
        "many": version_of_many("c.id IN ({ids})"),
        "programme": version_of_many(
            f"c.programme_id = (SELECT id FROM {programmes} WHERE slug = %(slug)s)"
        ),
        "definitions": f"SELECT id, recorded_at FROM {table} WHERE id = {definitions}",
    }


def _stamp(sql: str, params: list | dict) -> Stamp:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return Stamp(0, BEGINNING)
    position, recorded_at = row
    if timezone.is_naive(recorded_at):  # SQLite's raw rows: stored in UTC, read without it
        recorded_at = recorded_at.replace(tzinfo=datetime.UTC)
    return Stamp(position, recorded_at)


def consortium_version(consortium_id: int) -> Stamp:
    """The version of one consortium's pages and API reads: position and time. One query."""
    return _stamp(_sql()["one"], {"id": consortium_id})


def consortium_version_by_slug(slug: str) -> Stamp:
    """:func:`consortium_version` of the consortium with this slug, in the same one query
    (an unknown slug: the definition rows' version)."""
    if "\x00" in slug:  # no slug holds one, and PostgreSQL refuses it in a query
        return definitions_version()
    return _stamp(_sql()["slug"], {"slug": slug})


def consortia_version(consortium_ids) -> Stamp:
    """The newest of several consortia's versions (a city page spans its consortia, a
    programme's page all of its own): one query, however many."""
    ids = sorted({int(pk) for pk in consortium_ids})
    if not ids:
        return definitions_version()
    if len(ids) == 1:
        return consortium_version(ids[0])
    placeholders = ", ".join(["%s"] * len(ids))
    return _stamp(_sql()["many"].replace("{ids}", placeholders), ids)


def programme_version_by_slug(slug: str) -> Stamp:
    """The newest version of every consortium of the programme with this slug (whoever
    may read which), in one query; an unknown slug: the definition rows' version."""
    if "\x00" in slug:
        return definitions_version()
    return _stamp(_sql()["programme"], {"slug": slug})


def definitions_version() -> Stamp:
    """The newest definition row: the version of what is no one consortium's (the list of
    consortia, their sizes, who may read them). One query."""
    return _stamp(_sql()["definitions"], [])
