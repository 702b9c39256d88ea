"""Saving at the same moment on the embedded default (SQLite): a refusal, never a 500.

Real concurrent writers: two gunicorn worker processes, each with its own database
connection, on a throw-away SQLite *file* (the in-memory test database has only one
connection). Each pair of requests is released at the same instant by a barrier.

* Two coordinators of Ravenna change the same figure, both based on the version they
  read: one is stored, the other refused (412 with ``If-Match``, 409 with ``version``
  in the body, 409 on the entry grid), and the stored figure and its history are the
  winner's: no update is lost.
* Coordinators of two cities change their own figures at once: both are stored.

Before SQLite ran its transactions as ``BEGIN IMMEDIATE`` with a busy timeout, about half
of these pairs ended in ``OperationalError: database is locked`` (a 500).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import urlencode

import pytest

from tests.helpers.forms import form_fields
from tests.helpers.live_server import gunicorn, migrate, run_python, server_env

SAME_FIGURE_PAIRS = 50
OTHER_CITY_PAIRS = 20
GRID_PAIRS = 10
API = "/api/v1/measurements/"

#: Refusals of a stale change: the service's "stale", or If-Match checked before it.
REFUSAL_CODES = {"stale", "precondition_failed"}


def build_world() -> None:
    """Run inside the server's environment: the data of the races, printed as JSON.

    Ravenna and Cervia implement one solution with ``OTHER_CITY_PAIRS`` KPIs. Anna and
    Bruno coordinate Ravenna, Carla coordinates Cervia; each has an API token and a
    signed-in session. Every figure is a draft at version 1.
    """
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from kpis.models import Measurement
    from tests.cities.factories import (
        CityCoordinatorFactory,
        CityFactory,
        ConsortiumFactory,
        MembershipFactory,
        UserFactory,
    )
    from tests.kpis.factories import KPIFactory, MeasurementFactory
    from tests.solutions.factories import SolutionFactory

    consortium = ConsortiumFactory(name="Race Network", slug="race")
    ravenna = CityFactory(name="Ravenna", slug="ravenna")
    cervia = CityFactory(name="Cervia", slug="cervia")
    for city in (ravenna, cervia):
        MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, implementing_cities=[ravenna, cervia])
    kpis = [KPIFactory(solution=solution, code=f"1.{n + 1}") for n in range(OTHER_CITY_PAIRS)]

    def figure(kpi, city, stage):
        return MeasurementFactory(
            kpi=kpi,
            city=city,
            stage=stage,
            value=Decimal(1),
            version=1,
            review_state=Measurement.ReviewState.DRAFT,
        ).pk

    people = {}
    for name, city in (("anna", ravenna), ("bruno", ravenna), ("carla", cervia)):
        user = UserFactory(username=name, password=None)
        CityCoordinatorFactory(user=user, city=city)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "icc_portal.signed_in.KeptUserBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people[name] = {
            "token": Token.objects.create(user=user).key,
            "session": session.session_key,
        }
    world = {
        "people": people,
        "same_figure": figure(kpis[0], ravenna, "final"),
        "grid_kpi": kpis[0].pk,
        "other_cities": [
            [figure(kpi, ravenna, "midway"), figure(kpi, cervia, "midway")] for kpi in kpis
        ],
    }
    world["grid_figure"] = figure(kpis[0], ravenna, "baseline")
    print(json.dumps(world))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """gunicorn (2 workers) on a fresh SQLite file holding :func:`build_world`'s data."""
    folder = tmp_path_factory.mktemp("sqlite-race")
    database = folder / "race.sqlite3"
    env = server_env(database, API_THROTTLE_USER="off")
    migrate(env)
    world = json.loads(
        run_python(
            "from tests.kpis.test_entry_concurrency_sqlite import build_world; build_world()", env
        )
    )
    with gunicorn(env, folder, workers=2) as server:
        yield server, world, database


def race(*calls):
    """Run the calls in parallel threads, released together; their results in order."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def api(server, person, method, path, body=None, **headers):
    headers = {"Authorization": f"Token {person['token']}", **headers}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    return server.request(method, path, body=body, headers=headers)


def outcome(response) -> str:
    if response.status in (200, 302):
        return "stored"
    if response.status >= 500:
        return "server error"
    if response.status in (409, 412):
        code = response.json().get("code") if response.body.startswith(b"{") else "stale"
        return "refused" if code in REFUSAL_CODES else f"{response.status} {code}"
    return f"{response.status}"


def history_of(database, measurement_id) -> list[tuple[int, str]]:
    """The figure's history, oldest first: (version, value)."""
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT version, CAST(value AS TEXT) FROM kpis_historicalmeasurement "
            "WHERE id = ? ORDER BY history_id",
            (measurement_id,),
        ).fetchall()


def stored(database, measurement_id) -> tuple[int, str]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT version, CAST(value AS TEXT) FROM kpis_measurement WHERE id = ?",
            (measurement_id,),
        ).fetchone()


def as_number(text: str) -> int:
    return int(float(text))


def test_racing_api_changes_of_one_figure_one_wins_one_is_refused(live):
    server, world, database = live
    anna, bruno = world["people"]["anna"], world["people"]["bruno"]
    url = f"{API}{world['same_figure']}/"
    tally, winners = Counter(), []
    for pair in range(SAME_FIGURE_PAIRS):
        current = api(server, anna, "GET", url)
        etag, version = current.headers["etag"], current.json()["version"]
        if pair % 2:  # the version read, in the body: a stale one is a 409
            condition, headers = {"version": version}, {}
        else:  # the ETag read, in If-Match: a stale one is a 412
            condition, headers = {}, {"If-Match": etag}
        answers = race(
            partial(
                api, server, anna, "PATCH", url, {"value": 1000 + pair, **condition}, **headers
            ),
            partial(
                api, server, bruno, "PATCH", url, {"value": 2000 + pair, **condition}, **headers
            ),
        )
        tally.update(outcome(answer) for answer in answers)
        winners += [as_number(a.json()["value"]) for a in answers if a.status == 200]
        for answer in answers:
            if answer.status in (409, 412):
                assert (
                    answer.headers["etag"] == f'"measurement-{world["same_figure"]}-v{version + 1}"'
                )

    history = history_of(database, world["same_figure"])
    lost = len(winners) - sum(
        1 for (_, value), won in zip(history[1:], winners, strict=False) if as_number(value) == won
    )
    figures = {**tally, "lost updates": lost}
    print(f"\n{SAME_FIGURE_PAIRS} racing API pairs on one figure: {figures}")
    assert tally == {"stored": SAME_FIGURE_PAIRS, "refused": SAME_FIGURE_PAIRS}, figures
    assert lost == 0 and len(history) == 1 + SAME_FIGURE_PAIRS, history
    assert stored(database, world["same_figure"]) == (
        1 + SAME_FIGURE_PAIRS,
        history[-1][1],
    )
    assert as_number(history[-1][1]) == winners[-1]
    assert "database is locked" not in server.errors()
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_api_changes_of_different_cities_at_once_are_all_stored(live):
    server, world, database = live
    anna, carla = world["people"]["anna"], world["people"]["carla"]
    tally, lost = Counter(), 0
    for pair, (ravenna_id, cervia_id) in enumerate(world["other_cities"]):
        sent = {ravenna_id: 100 + pair, cervia_id: 200 + pair}
        answers = race(
            partial(
                api,
                server,
                anna,
                "PATCH",
                f"{API}{ravenna_id}/",
                {"value": sent[ravenna_id], "version": 1},
            ),
            partial(
                api,
                server,
                carla,
                "PATCH",
                f"{API}{cervia_id}/",
                {"value": sent[cervia_id], "version": 1},
            ),
        )
        tally.update(outcome(answer) for answer in answers)
        for figure_id, answer in zip(sent, answers, strict=True):
            if answer.status == 200 and stored(database, figure_id) != (2, str(sent[figure_id])):
                lost += 1
    figures = {**tally, "lost updates": lost}
    print(f"\n{OTHER_CITY_PAIRS} API pairs of different cities: {figures}")
    assert tally == {"stored": 2 * OTHER_CITY_PAIRS} and lost == 0, figures
    for ravenna_id, cervia_id in world["other_cities"]:
        assert len(history_of(database, ravenna_id)) == len(history_of(database, cervia_id)) == 2


def test_racing_grid_saves_of_one_figure_one_wins_one_is_refused(live):
    server, world, database = live
    kpi = world["grid_kpi"]
    url = "/cities/ravenna/report/baseline/"
    tally = Counter()

    def open_grid(person):
        page = server.request("GET", url, headers={"Cookie": f"sessionid={person['session']}"})
        assert page.status == 200, page.body[:500]
        csrf = page.headers["set-cookie"].split("csrftoken=")[1].split(";")[0]
        return form_fields(page.body.decode()), csrf

    def save(person, form, csrf, value):
        form = {**form, f"kpi{kpi}-value": str(value)}
        return server.request(
            "POST",
            url,
            body=urlencode(form),
            headers={
                "Cookie": f"sessionid={person['session']}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )

    people = world["people"]["anna"], world["people"]["bruno"]
    for pair in range(GRID_PAIRS):
        (anna_form, anna_csrf), (bruno_form, bruno_csrf) = map(open_grid, people)
        answers = race(
            partial(save, people[0], anna_form, anna_csrf, 1000 + pair),
            partial(save, people[1], bruno_form, bruno_csrf, 2000 + pair),
        )
        tally.update(outcome(answer) for answer in answers)
        for answer in answers:
            if answer.status == 409:
                assert "saved this figure" in answer.body.decode()
    history = history_of(database, world["grid_figure"])
    lost = tally["stored"] - (len(history) - 1)
    figures = {**tally, "lost updates": lost}
    print(f"\n{GRID_PAIRS} racing grid pairs on one figure: {figures}")
    assert tally == {"stored": GRID_PAIRS, "refused": GRID_PAIRS} and lost == 0, figures
    assert [version for version, _ in history] == list(range(1, GRID_PAIRS + 2))
    assert stored(database, world["grid_figure"]) == history[-1]
