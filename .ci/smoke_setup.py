"""The server side of `make smoke` (.ci/smoke): a throw-away database and the smoke accounts.

    python .ci/smoke_setup.py create-database postgres://user@host:5432/any
        creates a PostgreSQL database with a name of its own on that server and prints
        its URL;
    python .ci/smoke_setup.py drop-database <the URL printed>
        drops it again (also while a connection is left open);
    python .ci/smoke_setup.py accounts
        creates the accounts the smoke client logs in with (password: SMOKE_PASSWORD),
        in the database of DATABASE_URL, through the project's own models.

With DEBUG off (as the smoke test serves) `load_demo` refuses the demo accounts, rightly:
their password is published. These are made here instead, with a random password.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# username -> what the account is (read by .ci/smoke.py as well)
ACCOUNTS = {
    "smoke-admin": "admin (superuser)",
    "smoke-coordinator": "coordinator of Ravenna",
    "smoke-steering": "SERN steering committee member",
}


def _server(url: str):
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(url: str) -> None:
    name = f"icc_smoke_{secrets.token_hex(6)}"
    connection = _server(url)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    print(_with_name(url, name))


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("icc_smoke_"):
        raise SystemExit(f"refusing to drop {name!r}: not a smoke-test database")
    connection = _server(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def create_accounts() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icc_portal.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from cities.models import City, CityCoordinator, Consortium, SteeringCommitteeMember

    password = os.environ["SMOKE_PASSWORD"]
    User = get_user_model()

    def account(username: str, **flags):
        user = User(username=username, email=f"{username}@example.org", **flags)
        user.set_password(password)
        user.save()
        return user

    account("smoke-admin", is_staff=True, is_superuser=True)
    CityCoordinator.objects.create(
        user=account("smoke-coordinator"), city=City.objects.get(slug="ravenna")
    )
    SteeringCommitteeMember.objects.create(
        user=account("smoke-steering"), consortium=Consortium.objects.get(slug="sern")
    )
    for username, role in ACCOUNTS.items():
        print(f"{username}: {role}")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or ["help"]
    if command == "create-database":
        create_database(*arguments)
    elif command == "drop-database":
        drop_database(*arguments)
    elif command == "accounts":
        create_accounts()
    else:
        raise SystemExit(__doc__)
