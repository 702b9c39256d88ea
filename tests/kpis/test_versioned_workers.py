"""Two gunicorn workers on one database: a figure written through one is on the very next
page and progress answer of either, whether the workers share one Redis or each keeps its
own cache in memory.

The kept pages and API answers are keyed by the consortium's data version, which the
write moves in its own transaction: a worker that kept the old page looks under a new
key on its next request. With Redis the second worker also finds what the first kept
(``test_both_workers_keep_their_answers_in_one_redis``). The Redis half needs a Redis
server (``TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/5``, as
``tests/api/test_shared_cache.py``) and is skipped when none answers.
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.helpers.live_server import gunicorn, migrate, run_python, server_env
from tests.helpers.redis_server import REDIS_URL, redis_or_skip

PAGE = "/kpis/sern/2.2/"
PROGRESS = "/api/v1/progress/?consortium=sern&stage=baseline&kpi=2.2&city=ravenna"
VALUE = "7777"

PREPARE = """
from django.core.management import call_command
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token
from cities.models import City, CityCoordinator
call_command("load_demo", "--no-accounts", verbosity=0)
user = get_user_model().objects.create(username="sern-coord-ravenna")
CityCoordinator.objects.create(user=user, city=City.objects.get(slug="ravenna"))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "icc_portal.signed_in.KeptUserBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(Token.objects.create(user=user).key, session.session_key)
"""

WRITE_BODY = """{"figures": [{"kpi": %d, "city": "ravenna", "stage": "baseline",
 "status": "reported", "value": "%s"}]}"""


@pytest.fixture
def world(tmp_path):
    path = tmp_path / "portal.sqlite3"
    env = server_env(path)
    migrate(env)
    token, session = run_python(PREPARE, env).split()[-2:]
    kpi = run_python(
        "from kpis.models import KPI\n"
        "print(KPI.objects.get(solution__consortium__slug='sern', code='2.2').pk)",
        env,
    ).split()[-1]
    return path, token, session, int(kpi)


def reads(server, token: str, session: str) -> tuple[str, str]:
    page = server.request("GET", PAGE, headers={"Cookie": f"sessionid={session}"})
    progress = server.request("GET", PROGRESS, headers={"Authorization": f"Token {token}"})
    assert page.status == 200 and progress.status == 200, (page.status, progress.status)
    return page.body.decode(), progress.body.decode()


def answered_by(server, path: str, since: int) -> set[int]:
    time.sleep(0.2)  # the access log is written after the answer
    return {pid for pid, _status, _method, url in server.served()[since:] if url == path}


def write_then_read_everywhere(server, world) -> None:
    _path, token, session, kpi = world
    # Both workers read (and keep) the page and the progress answer without the figure.
    for _ in range(40):
        page, progress = reads(server, token, session)
        assert VALUE not in page and f'"{VALUE}' not in progress
        if len(answered_by(server, PAGE.split("?")[0], 0)) == 2:
            break
    assert len(answered_by(server, PAGE, 0)) == 2, "one worker answered every read"

    written = server.request(
        "POST",
        "/api/v1/measurements/bulk/",
        body=WRITE_BODY % (kpi, VALUE),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    assert written.status == 200, written.body
    since = len(server.served())

    # Every read after the write, whichever worker answers it, has the figure.
    for _ in range(40):
        page, progress = reads(server, token, session)
        assert VALUE in page
        assert f'"value":"{VALUE}"' in progress.replace(" ", "")
        if len(answered_by(server, PAGE, since)) == 2:
            break
    assert len(answered_by(server, PAGE, since)) == 2, "one worker answered every read"


def test_a_figure_written_through_one_worker_is_read_from_both_with_redis(world, tmp_path):
    client = redis_or_skip()
    prefix = f"icc-test-{uuid.uuid4().hex[:12]}"
    env = server_env(world[0], CACHE_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
    try:
        with gunicorn(env, tmp_path, workers=2) as server:
            write_then_read_everywhere(server, world)
        keys = {key.decode() for key in client.scan_iter(f"{prefix}:*")}
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    # What the workers kept is in Redis: the KPI page's body and the progress answers.
    assert any(":page:kpi:" in key for key in keys), keys
    assert any(":api-answer:" in key for key in keys), keys


def test_a_figure_written_through_one_worker_is_read_from_both_with_local_memory(world, tmp_path):
    env = server_env(world[0])
    with gunicorn(env, tmp_path, workers=2) as server:
        write_then_read_everywhere(server, world)
