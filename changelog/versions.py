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

Within a request every version comes from one query (:func:`read_versions`: each
consortium's own newest row and the definitions', an index lookup each), made when the
request first asks and again after it writes the log (:class:`RequestVersions`); the
signed-in user, their roles and an API token's user are kept under the definitions'
version it read, so a page read again costs that query alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.db import connection
from django.utils import timezone

from . import stamp
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

    def everything() -> str:
        """Every consortium's own newest row (its id, slug and programme's slug beside it)
        and the definition rows' newest: what a request may need, in one query."""
        each = newest.format("consortium_id >= c.id AND consortium_id <= c.id")
        return (
            f"SELECT c.id, c.slug, p.slug, ch.id, ch.recorded_at FROM {consortia} c "
            f"LEFT JOIN {programmes} p ON p.id = c.programme_id "
            f"LEFT JOIN {table} ch ON ch.id = ({each}) "
            f"UNION ALL SELECT NULL, NULL, NULL, ch.id, ch.recorded_at FROM {table} ch "
            f"WHERE ch.id = ({newest.format('consortium_id IS NULL')})"
        )

    return {
        "everything": everything(),
        "one": version_of("%(id)s"),
        "slug": version_of(f"(SELECT id FROM {consortia} WHERE slug = %(slug)s)"),
        "many": version_of_many("c.id IN ({ids})"),
        "programme": version_of_many(
            f"c.programme_id = (SELECT id FROM {programmes} WHERE slug = %(slug)s)"
        ),
        "definitions": f"SELECT id, recorded_at FROM {table} WHERE id = {definitions}",
    }


def _aware(recorded_at: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(recorded_at):  # SQLite's raw rows: stored in UTC, read without it
        return recorded_at.replace(tzinfo=datetime.UTC)
    return recorded_at


def _stamp(sql: str, params: list | dict) -> Stamp:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return Stamp(0, BEGINNING)
    position, recorded_at = row
    return Stamp(position, _aware(recorded_at))


def _newer(first: Stamp, second: Stamp) -> Stamp:
    return first if first.position >= second.position else second


@dataclass(frozen=True)
class Versions:
    """Every version a request may ask for, read together (:func:`read_versions`).

    ``definitions`` is the definition rows' newest; ``own`` each consortium's own newest
    row (its version is the newer of the two); ``slugs`` and ``programmes`` find
    consortia by slug and by their programme's slug.
    """

    definitions: Stamp
    own: dict[int, Stamp] = field(default_factory=dict)
    slugs: dict[str, int] = field(default_factory=dict)
    programmes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def of(self, consortium_ids: Iterable[int]) -> Stamp:
        """The newest of these consortia's versions (none: the definitions')."""
        version = self.definitions
        for pk in consortium_ids:
            version = _newer(version, self.own.get(int(pk), version))
        return version

    def of_slug(self, slug: str) -> Stamp:
        pk = self.slugs.get(slug)
        return self.definitions if pk is None else self.of([pk])

    def of_programme(self, slug: str) -> Stamp:
        return self.of(self.programmes.get(slug, ()))

    @property
    def newest(self) -> Stamp:
        """The newest row of the whole log: every row carries a consortium or is a
        definition row (a consortium deleted writes one after its own rows)."""
        return self.of(self.own)


def read_versions() -> Versions:
    """Every consortium's version and the definitions', in one query: an index lookup per
    consortium (``change_consortium_idx``), however long the log."""
    with connection.cursor() as cursor:
        cursor.execute(_sql()["everything"])
        rows = cursor.fetchall()
    definitions, own, slugs, programmes = Stamp(0, BEGINNING), {}, {}, {}
    for pk, slug, programme, position, recorded_at in rows:
        stamp = Stamp(0, BEGINNING) if position is None else Stamp(position, _aware(recorded_at))
        if pk is None:
            definitions = stamp
            continue
        own[pk], slugs[slug] = stamp, pk
        if programme is not None:
            programmes[programme] = (*programmes.get(programme, ()), pk)
    return Versions(definitions, own, slugs, programmes)


class RequestVersions:
    """The versions of one request: read at most once (:func:`read_versions`), and read
    again after the request itself writes the log (its own change must show).

    ``wrote`` says the request has written: what it builds afterwards may hold rows of
    a transaction not yet committed, so it is not kept for other readers
    (:func:`changelog.kept.kept`).
    """

    __slots__ = ("_versions", "wrote")

    def __init__(self) -> None:
        self._versions: Versions | None = None
        self.wrote = False

    def get(self) -> Versions:
        if self._versions is None:
            self._versions = read_versions()
        return self._versions

    def forget(self) -> None:
        self._versions = None
        self.wrote = True


#: The versions of the request being served (set by
#: :class:`changelog.middleware.RequestVersionsMiddleware`); None outside a request (a
#: command, a task, a test calling a view directly).
_request: ContextVar[RequestVersions | None] = ContextVar("icc_request_versions", default=None)


def begin_request() -> tuple[RequestVersions, object]:
    """A new request's versions, and the token that ends them (:func:`end_request`)."""
    current = RequestVersions()
    return current, _request.set(current)


def end_request(token) -> None:
    _request.reset(token)


def request_versions() -> Versions | None:
    """The versions of the request being served (one query for the whole request), or None
    outside a request."""
    current = _request.get()
    return None if current is None else current.get()


def written() -> None:
    """The log was written: the request's versions are read again when next asked for."""
    current = _request.get()
    if current is not None:
        current.forget()


def request_wrote() -> bool:
    current = _request.get()
    return current is not None and current.wrote


def consortium_version(consortium_id: int) -> Stamp:
    """The version of one consortium's pages and API reads: position and time. One query
    (none more within a request that read its versions)."""
    known = request_versions()
    if known is not None:
        return known.of([consortium_id])
    return _stamp(_sql()["one"], {"id": consortium_id})


def consortium_version_by_slug(slug: str) -> Stamp:
    """:func:`consortium_version` of the consortium with this slug, in the same one query
    (an unknown slug: the definition rows' version)."""
    if "\x00" in slug:  # no slug holds one, and PostgreSQL refuses it in a query
        return definitions_version()
    known = request_versions()
    if known is not None:
        return known.of_slug(slug)
    return _stamp(_sql()["slug"], {"slug": slug})


def consortia_version(consortium_ids) -> Stamp:
    """The newest of several consortia's versions (a city page spans its consortia, a
    programme's page all of its own): one query, however many."""
    ids = sorted({int(pk) for pk in consortium_ids})
    if not ids:
        return definitions_version()
    if len(ids) == 1:
        return consortium_version(ids[0])
    known = request_versions()
    if known is not None:
        return known.of(ids)
    placeholders = ", ".join(["%s"] * len(ids))
    return _stamp(_sql()["many"].replace("{ids}", placeholders), ids)


def programme_version_by_slug(slug: str) -> Stamp:
    """The newest version of every consortium of the programme with this slug (whoever
    may read which), in one query; an unknown slug: the definition rows' version."""
    if "\x00" in slug:
        return definitions_version()
    known = request_versions()
    if known is not None:
        return known.of_programme(slug)
    return _stamp(_sql()["programme"], {"slug": slug})


def _newest_of(column: str, extra: str = "") -> str:
    """The newest row with ``column`` equal to a parameter (given twice), as a subquery:
    a range and the index's order, so the planner walks the index from that end (see
    :func:`_sql`)."""
    table = connection.ops.quote_name(Change._meta.db_table)
    return (
        f"(SELECT id FROM {table} WHERE {column} >= %s AND {column} <= %s{extra} "
        f"ORDER BY {column} DESC, id DESC LIMIT 1)"
    )


def part_version(
    *,
    solutions: Iterable[int] = (),
    cities: Iterable[int] = (),
    own_figures_of: Iterable[int] = (),
    consortia: Iterable[int] = (),
) -> Stamp:
    """The version of a part of a page that shows only some of a consortium's figures: the
    newest of the definition rows and of the rows of these ``solutions`` (any figure of
    their KPIs), these ``cities`` (their figures, in any consortium), the consortia's own
    figures (no city) in ``own_figures_of``, and whole ``consortia`` (from the request's
    versions). A figure saved elsewhere in the consortium leaves it where it was. One
    query, an index lookup each (``change_solution_idx``, ``change_city_idx``,
    ``change_unit_idx``)."""
    terms, params = [], []
    for column, ids, extra in (
        ("solution_id", solutions, ""),
        ("city_id", cities, ""),
        ("consortium_id", own_figures_of, " AND city_id IS NULL"),
    ):
        for pk in sorted({int(pk) for pk in ids}):
            terms.append(f"COALESCE({_newest_of(column, extra)}, 0)")
            params += [pk, pk]
    table = connection.ops.quote_name(Change._meta.db_table)
    whole = consortia_version(consortia) if consortia else definitions_version()
    if not terms:
        return whole
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    if len(terms) == 1:
        terms.append("0")
    sql = f"SELECT id, recorded_at FROM {table} WHERE id = {greatest}({', '.join(terms)})"
    return _newer(_stamp(sql, params), whole)


def solution_versions(solution_ids: Iterable[int]) -> dict[int, Stamp]:
    """Each solution's own version: the newer of its newest row (any figure of its KPIs)
    and the definitions'. One query, an index lookup each (``change_solution_idx``)."""
    ids = sorted({int(pk) for pk in solution_ids})
    definitions = definitions_version()
    if not ids:
        return {}
    table = connection.ops.quote_name(Change._meta.db_table)
    newest = _newest_of("solution_id")
    first = f"SELECT CAST(%s AS BIGINT) AS sid, {newest} AS newest"
    others = [f"SELECT CAST(%s AS BIGINT), {newest}"] * (len(ids) - 1)
    sql = (
        f"SELECT v.sid, ch.id, ch.recorded_at FROM ({' UNION ALL '.join([first, *others])}) v "
        f"LEFT JOIN {table} ch ON ch.id = v.newest"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pk in ids for value in (pk, pk, pk)])
        rows = cursor.fetchall()
    found = {
        int(sid): Stamp(position, _aware(recorded_at))
        for sid, position, recorded_at in rows
        if position is not None
    }
    return {pk: _newer(found.get(pk, definitions), definitions) for pk in ids}


def newest_version() -> Stamp:
    """The newest change of all (the API's lists across consortia): from the request's
    versions, else :func:`changelog.stamp.current` (one query)."""
    known = request_versions()
    return stamp.current() if known is None else known.newest


def definitions_version() -> Stamp:
    """The newest definition row: the version of what is no one consortium's (the list of
    consortia, their sizes, who may read them). One query."""
    known = request_versions()
    if known is not None:
        return known.definitions
    return _stamp(_sql()["definitions"], [])
