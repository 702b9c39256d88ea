"""deploy/serve (`make serve`) says what is missing before it installs or starts anything.

The server itself is started and fetched page by page by `make smoke` (.ci/smoke).
"""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / "deploy" / "serve"
NEEDED = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "icc.example.org"}


def serve(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "HOST", "PORT", "WEB_CONCURRENCY"}
    }
    return subprocess.run(
        [str(SERVE), *args], env={**base, **env}, capture_output=True, text=True, timeout=30
    )


def test_refuses_to_start_without_secret_key_in_one_line():
    result = serve("--check-environment", ALLOWED_HOSTS="icc.example.org")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("deploy/serve: set SECRET_KEY (a long random string")
    assert "ALLOWED_HOSTS" not in line
    assert "README, Deploying" in line


def test_names_every_missing_variable_at_once():
    [line] = serve("--check-environment").stderr.splitlines()
    assert "set SECRET_KEY" in line and "and ALLOWED_HOSTS (the host names" in line


def test_refuses_a_port_or_worker_count_it_cannot_read():
    result = serve("--check-environment", **NEEDED, PORT="80a")
    assert (result.returncode, result.stderr) == (
        2,
        "deploy/serve: PORT='80a' is not a port number (1-65535).\n",
    )
    result = serve("--check-environment", **NEEDED, WEB_CONCURRENCY="0")
    assert result.returncode == 2
    assert "WEB_CONCURRENCY='0' is not a number of worker processes" in result.stderr


def test_a_complete_environment_passes_the_check():
    result = serve("--check-environment", **NEEDED, PORT="8080", WEB_CONCURRENCY="3")
    assert (result.returncode, result.stderr) == (0, "")
