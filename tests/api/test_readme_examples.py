"""The README's API examples, run as written against a live server with the SERN demo
data: each ``curl`` command, the pandas script (decimals exact) with the output the README
shows, and ``export_deliverable``. Only the host and the token are put in.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
HOST = "https://icc.example.org"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def shell_blocks(text: str) -> list[str]:
    """The README's ``sh`` code blocks, indented ones (in a list) too, without the indent."""
    blocks = []
    for match in re.finditer(r"^( *)```sh\n(.*?)^ *```", text, flags=re.M | re.S):
        indent = len(match[1])
        blocks.append("\n".join(line[indent:] for line in match[2].splitlines()))
    return blocks


def commands(block: str) -> list[str]:
    """A block's commands (backslash-continued lines joined), without the output shown."""
    joined = block.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def shown_output(block: str) -> list[str]:
    return [line[2:] for line in block.splitlines() if line.startswith("# ")]


@pytest.fixture
def server(live_server):
    """SERN's demo data and a token of Ravenna's coordinator."""
    from rest_framework.authtoken.models import Token

    from cities.models import City
    from tests.cities.factories import CityCoordinatorFactory

    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    coordinator = CityCoordinatorFactory(city=City.objects.get(slug="ravenna")).user
    return live_server.url, Token.objects.create(user=coordinator).key


@pytest.fixture
def reopened(server):
    """Ravenna's final stage reopened: drafts its coordinator may submit."""
    from cities.models import City, Consortium
    from kpis.reporting import review
    from tests.cities.factories import SteeringCommitteeMemberFactory

    sern = Consortium.objects.get(slug="sern")
    review.reopen_stage(
        user=SteeringCommitteeMemberFactory(consortium=sern).user,
        consortium=sern,
        city=City.objects.get(slug="ravenna"),
        stage="final",
        comment="Recount",
    )
    return server


def test_every_curl_example_runs_as_written(reopened):
    url, token = reopened
    examples = [
        command
        for block in shell_blocks(README)
        for command in commands(block)
        if "curl" in command
    ]
    assert len(examples) >= 2
    for command in examples:
        argv = [part.replace(HOST, url) for part in shlex.split(command.replace("$TOKEN", token))]
        assert argv[0] == "curl"
        result = subprocess.run(
            [*argv, "--fail-with-body", "--silent", "--show-error"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert result.stdout.startswith("{"), (command, result.stdout)


def test_the_pandas_example_keeps_decimals_exact_and_prints_what_the_readme_shows(server):
    url, token = server
    (block,) = [block for block in shell_blocks(README) if "pandas_figures.py" in block]
    (command,) = commands(block)
    argv = shlex.split(command.replace("<your token>", token).replace(f"{HOST}", url))
    argv[0] = sys.executable
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == shown_output(block)


def test_export_deliverable_runs_as_written(tmp_path):
    """On a database of its own (the tests' is in memory): migrated, the demo loaded."""
    (command,) = [
        command
        for block in shell_blocks(README)
        for command in commands(block)
        if "export_deliverable" in command
    ]
    command = command.split("#")[0].strip()
    output = ROOT / re.search(r"--output (\S+)", command)[1]
    environment = {
        name: value for name, value in os.environ.items() if name not in ("SECRET_KEY", "DEBUG")
    }
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'example.sqlite3'}"
    python = str(ROOT / ".venv" / "bin" / "python")
    for setup in (["migrate", "-v", "0"], ["load_demo", "--no-accounts"]):
        subprocess.run(
            [python, "manage.py", *setup],
            cwd=ROOT,
            env={**environment, "DEBUG": "1"},
            check=True,
            capture_output=True,
            timeout=300,
        )
    try:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert output.stat().st_size > 1000
    finally:
        output.unlink(missing_ok=True)
