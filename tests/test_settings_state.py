"""Where state lives: the database's options and the cache, as the environment sets them.

Settings are read once per process, so each case imports them in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Variables of this environment that would change the answers.
UNSET = ("DATABASE_URL", "CACHE_URL", "REDIS_URL", "CACHE_BACKEND", "CACHE_LOCATION")


def settings_with(**env: str) -> subprocess.CompletedProcess:
    """Import the settings under ``env`` (DEBUG on); prints DATABASES, CACHES and sessions."""
    base = {key: value for key, value in os.environ.items() if key not in UNSET}
    code = (
        "import json\nfrom icc_portal import settings as s\n"
        "print(json.dumps({'DATABASES': s.DATABASES, 'CACHES': s.CACHES, "
        "'SESSION_ENGINE': getattr(s, 'SESSION_ENGINE', None)}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(**env: str) -> dict:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_takes_the_write_lock_up_front_and_waits_for_it():
    options = read_settings(DATABASE_URL="sqlite:////tmp/icc.sqlite3")["DATABASES"]["default"][
        "OPTIONS"
    ]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    pragmas = {part.strip() for part in options["init_command"].split(";")}
    assert {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"} <= pragmas


def test_the_embedded_default_is_sqlite_with_those_options():
    database = read_settings()["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_options_are_left_alone():
    database = read_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/icc")["DATABASES"][
        "default"
    ]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert not database.get("OPTIONS")
