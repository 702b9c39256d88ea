"""Commands run as a person runs them in a shell, for tests/test_documented_commands.py.

An environment without what the test run sets (``shell_env``), or with the production
settings of the README's *Deploying* (``production_env``); a command run through bash
from the project folder (``run``); throw-away databases, copies of one migrated database
(SQLite files, or PostgreSQL databases made and dropped by .ci/smoke_setup.py's helpers);
a server started in the background in a process group of its own, polled until ``/``
answers and stopped as a supervisor stops it (``served``); and an interactive command
answered at its prompts on a pseudo-terminal (``converse``).
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.live_server import INHERITED_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
POSTGRES = re.match(r"postgres(ql)?://", os.environ.get("DATABASE_URL", "")) is not None


#: What the test run sets that a shell on a developer's or server's machine would not.
NOT_IN_A_SHELL = (
    *INHERITED_SETTINGS,
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "STATIC_MANIFEST",
    "STATIC_ROOT",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "DJANGO_SETTINGS_MODULE",
)


def shell_env(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_A_SHELL}
    return {**env, **settings}


def production_env(database: str, **settings: str) -> dict[str, str]:
    """What *Deploying* has in the environment (DEBUG off), on ``database``."""
    return shell_env(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="icc.example.org",
        DATABASE_URL=database,
        **settings,
    )


def run(command: str | list[str], env: dict[str, str], **options) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-c", command] if isinstance(command, str) else command,
        cwd=options.pop("cwd", ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=options.pop("timeout", 180),
        **options,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def django_shell(code: str, database: str) -> str:
    return run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        shell_env(DEBUG="1", DATABASE_URL=database),
    ).stdout


def smoke_setup():
    """.ci/smoke_setup.py, whose PostgreSQL helpers make and drop throw-away databases."""
    spec = importlib.util.spec_from_file_location("smoke_setup", ROOT / ".ci" / "smoke_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Databases:
    """Copies of one migrated database: SQLite files, or PostgreSQL databases."""

    folder: Path
    template: str
    made: list[str]

    def new(self) -> str:
        if not POSTGRES:
            copy = self.folder / f"db-{len(self.made)}.sqlite3"
            shutil.copyfile(self.template.removeprefix("sqlite:///"), copy)
            self.made.append(str(copy))
            return f"sqlite:///{copy}"
        return self.postgres(template=self.template)

    def postgres(self, template: str | None = None) -> str:
        setup = smoke_setup()
        name = f"icc_smoke_{secrets.token_hex(6)}"
        clause = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
        connection = setup._server(os.environ["DATABASE_URL"])
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"{clause}')
        connection.close()
        url = setup._with_name(os.environ["DATABASE_URL"], name)
        self.made.append(url)
        return url


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def get(port: int, path: str, **headers: str) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        return Answer(
            answer.status,
            {name.lower(): value for name, value in answer.getheaders()},
            answer.read().decode("utf-8", "replace"),
        )
    finally:
        connection.close()


@contextmanager
def served(
    command: str, env: dict[str, str], log: Path, port: int, **headers: str
) -> Iterator[Callable[..., Answer]]:
    """``command`` started in the background in a process group of its own, until ``/``
    answers 200 (asked with ``headers``); the whole group stopped afterwards."""
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 150
        while True:
            assert process.poll() is None, f"{command} stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"{command}: / never answered:\n{log.read_text()}"
            try:
                if get(port, "/", **headers).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        yield lambda path, **more: get(port, path, **{**headers, **more})
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (make, the server, its workers), as a supervisor stops
    it; what is left of the group after 30 s is killed."""
    os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        process.poll()
        try:
            os.killpg(process.pid, 0)  # anyone of the group still there?
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def converse(command: str, env: dict[str, str], answers: dict[str, str]) -> str:
    """Run ``command`` on a pseudo-terminal, typing each answer once its prompt is shown
    (prompts tried in the order given); the transcript."""
    import pty
    import select

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    transcript, pending = "", ""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 4096).decode("utf-8", "replace")
                except OSError:  # the command ended: its terminal is closed
                    break
                transcript += chunk
                pending += chunk
                for prompt, answer in answers.items():
                    if re.search(re.escape(prompt) + r"[^:\n]*: ?$", pending):
                        time.sleep(0.2)  # getpass switches echo off, flushing early input
                        os.write(controller, f"{answer}\n".encode())
                        pending = ""
                        break
            elif process.poll() is not None:
                break
        assert process.wait(timeout=30) == 0, transcript
        return transcript
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        os.close(controller)
