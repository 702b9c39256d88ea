"""gunicorn's configuration file for deploy/serve: the background task worker beside it.

Documents too large to make within a request (kpis/exchange/background.py) are made by
django-tasks' database worker, ``manage.py db_worker``. gunicorn's master process starts
it once it is ready to serve and stops it when it stops (SIGTERM: the worker finishes
the document it is making, then exits), so the server keeps the one process id that
whoever started it stops it by. The tasks wait in the database: one enqueued while no
worker runs is made when one starts again. ``SERVE_TASK_WORKER=0`` starts none (run
``manage.py db_worker`` under your own supervisor instead).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_worker: subprocess.Popen | None = None


def when_ready(server) -> None:
    global _worker
    if os.environ.get("SERVE_TASK_WORKER", "1").strip().lower() in ("0", "false", "no", "off"):
        server.log.info("task worker: not started (SERVE_TASK_WORKER=0)")
        return
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload"]
    _worker = subprocess.Popen(command, cwd=ROOT)  # noqa: S603 (our own manage.py)
    server.log.info("task worker: manage.py db_worker, process %s", _worker.pid)


def on_exit(server) -> None:
    if _worker is None or _worker.poll() is not None:
        return
    _worker.terminate()
    try:
        _worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        _worker.kill()
