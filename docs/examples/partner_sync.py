#!/usr/bin/env python3
"""Keep a SQLite copy of the ICC Portal figures you may see, in sync, every night.

    python partner_sync.py --api https://icc.example.org/api/v1/ --token <your token> \\
        --db icc.sqlite3

(or set ICC_API and ICC_TOKEN; without a token you read what anonymous visitors may
read). Python 3.9+ standard library only: run it from cron or a systemd timer.

How it works: the portal's change feed (``/api/v1/changes/``) lists, in the order they
were committed, every figure created, updated or *withdrawn* from your view since the
cursor you hold (a stage reopened, a figure deleted, a consortium no longer published).
The first run reads the feed from the start, which is a full pull; each run stores the
feed's ``next`` cursor with the figures, in one SQLite transaction, so an interrupted
run leaves the copy as it was and the next run resumes from the same place. If the
portal refuses the cursor (400 ``cursor_expired``, ``cursor_invalid`` or
``cursor_reader_changed``: older than the portal keeps changes, or your access
changed) the copy is rebuilt from a full pull. Figures are stored exactly as
``/api/v1/measurements/`` shows them; ``value`` is a decimal string (read it with
``decimal.Decimal``, never through a float).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import urllib.error
import urllib.parse
import urllib.request

COLUMNS = (
    "id",
    "consortium",
    "solution",
    "kpi",
    "kpi_code",
    "city",
    "country",
    "stage",
    "status",
    "value",
    "boolean_value",
    "text_value",
    "reason",
    "note",
    "evidence_url",
    "as_of",
    "review_state",
    "version",
    "updated_at",
)
REFUSED_CURSORS = {"cursor_expired", "cursor_invalid", "cursor_reader_changed"}


class CursorRefused(Exception):
    """The portal cannot resume from our cursor: rebuild the copy from a full pull."""


def get_json(url: str, token: str | None) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        body = json.loads(error.read() or b"{}")
        if error.code == 400 and body.get("code") in REFUSED_CURSORS:
            raise CursorRefused(body.get("detail", "")) from error
        raise SystemExit(f"{url}: {error.code} {body.get('detail', error.reason)}") from error


def open_copy(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # transactions are begun below
    db.execute(f"CREATE TABLE IF NOT EXISTS figure ({', '.join(COLUMNS)}, PRIMARY KEY (id))")
    db.execute("CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT)")
    return db


def read_feed(db: sqlite3.Connection, api: str, token: str | None, since: str | None) -> dict:
    """Apply every page of the feed after ``since``; the counts of what happened."""
    counts = {"created": 0, "updated": 0, "withdrawn": 0}
    placeholders = ", ".join("?" for _ in COLUMNS)
    while True:
        query = {"page_size": 500, **({"since": since} if since else {})}
        page = get_json(f"{api}changes/?{urllib.parse.urlencode(query)}", token)
        for item in page["results"]:
            counts[item["change"]] += 1
            if item["change"] == "withdrawn":
                db.execute("DELETE FROM figure WHERE id = ?", (item["id"],))
            else:
                figure = item["measurement"]
                db.execute(
                    f"INSERT OR REPLACE INTO figure VALUES ({placeholders})",
                    [figure[column] for column in COLUMNS],
                )
        since = page["next"]
        if not page["has_more"]:
            break
    db.execute("INSERT OR REPLACE INTO sync_state VALUES ('cursor', ?)", (since,))
    return counts


def sync(api: str, token: str | None, path: str) -> dict:
    """One run: resume from the stored cursor, or rebuild from a full pull."""
    api = api.rstrip("/") + "/"
    db = open_copy(path)
    row = db.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
    db.execute("BEGIN")
    try:
        try:
            counts = read_feed(db, api, token, row[0] if row else None)
            counts["full_pull"] = row is None
        except CursorRefused:
            db.execute("DELETE FROM figure")
            counts = read_feed(db, api, token, None)
            counts["full_pull"] = True
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    counts["figures"] = db.execute("SELECT COUNT(*) FROM figure").fetchone()[0]
    db.close()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", default=os.environ.get("ICC_API"), help="…/api/v1/")
    parser.add_argument("--token", default=os.environ.get("ICC_TOKEN"))
    parser.add_argument("--db", default="icc.sqlite3", help="the SQLite copy")
    args = parser.parse_args(argv)
    if not args.api:
        parser.error("give --api (or ICC_API)")
    counts = sync(args.api, args.token, args.db)
    kind = "full pull" if counts["full_pull"] else "changes"
    print(
        f"{kind}: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['withdrawn']} withdrawn; {counts['figures']} figures in {args.db}"
    )


if __name__ == "__main__":
    sys.exit(main())
