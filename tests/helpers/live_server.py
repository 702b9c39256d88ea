"""The portal served by real gunicorn workers, for tests that need more than one process.

Two things cannot be seen through Django's test client: several database connections
writing at once, and state that several worker processes must share (throttles, cached
counts). These helpers set up a throw-away SQLite *file* database, start gunicorn on a
socket this process opened (so there is no port to race for), and send plain HTTP
requests, each over a fresh connection as separate clients would.

The gunicorn access log names the worker process (``%(p)s``) that answered each request,
so a test can see that both workers took part.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Settings a test server must not inherit from the environment the tests run in.
INHERITED_SETTINGS = (
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "CACHE_BACKEND",
    "CACHE_LOCATION",
    "CACHE_KEY_PREFIX",
    "WEB_CONCURRENCY",
    "API_THROTTLE_ANON",
    "API_THROTTLE_USER",
    "API_THROTTLE_READ",
    "API_THROTTLE_WRITE",
    "API_THROTTLE_SYNC",
)


def server_env(database: Path, **settings: str) -> dict[str, str]:
    """A production-like environment (``DEBUG`` off) on the SQLite file ``database``."""
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_SETTINGS}
    env.update(
        DEBUG="0",
        SECRET_KEY="live-server-tests-only-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_MANIFEST="0",  # plain static files storage: no collectstatic needed
        DATABASE_URL=f"sqlite:///{database}",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="icc_portal.settings",
    )
    env.update(settings)
    return env


def run_python(code: str, env: Mapping[str, str]) -> str:
    """Run ``code`` with Django set up under ``env``; its standard output."""
    prelude = "import django; django.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def migrate(env: Mapping[str, str]) -> None:
    run_python(
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)", env
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    port: int
    access_log: Path
    error_log: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """One request over a fresh connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            if isinstance(body, str):
                body = body.encode()
            connection.request(method, path, body=body, headers=dict(headers or {}))
            answer = connection.getresponse()
            return Response(
                answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
            )
        finally:
            connection.close()

    def served(self) -> list[tuple[int, int, str, str]]:
        """Every request answered so far: (worker pid, status, method, path)."""
        rows = []
        for line in self.access_log.read_text().splitlines():
            pid, status, method, path = line.split(" ", 3)
            rows.append((int(pid.strip("<>")), int(status), method, path))
        return rows

    def errors(self) -> str:
        return self.error_log.read_text()


@contextmanager
def gunicorn(env: Mapping[str, str], log_dir: Path, *, workers: int = 2) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers; yields once every worker has answered.

    The listening socket is opened here and handed over (``fd://``): there is no free
    port to guess, and connections made before the workers are up simply wait.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    access_log, error_log = log_dir / "access.log", log_dir / "error.log"
    access_log.touch()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "icc_portal.wsgi:application",
        f"--bind=fd://{listener.fileno()}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=60",
        f"--access-logfile={access_log}",
        "--access-logformat=%(p)s %(s)s %(m)s %(U)s",
        "--error-logfile=-",
    ]
    if _gunicorn_has_setting("control_socket_disable"):  # newer gunicorn: one per user by default
        command.append("--no-control-socket")
    # gunicorn's own log and Django's (tracebacks of a 500) both go to the error log.
    log = error_log.open("w")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": str(workers)},  # as deploy/serve says it
        pass_fds=[listener.fileno()],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(listener.getsockname()[1], access_log, error_log)
    try:
        _wait_for_workers(server, process, workers)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        listener.close()
        log.close()


def _gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def _wait_for_workers(server: Server, process: subprocess.Popen, workers: int) -> None:
    """Until every worker has answered a page that is not throttled (the login page).

    Requests are sent in parallel bursts so that a busy worker leaves the next one to
    another; gives up after a minute with gunicorn's own log.
    """
    from concurrent.futures import ThreadPoolExecutor

    deadline = time.monotonic() + 60
    with ThreadPoolExecutor(workers * 2) as pool:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{server.errors()}")
            list(pool.map(lambda _: server.request("GET", "/accounts/login/"), range(workers * 2)))
            pids = {pid for pid, status, _, _ in server.served() if status == 200}
            if len(pids) >= workers:
                return
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn workers did not all answer:\n{server.errors()}")
