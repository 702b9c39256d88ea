"""HTTP throughput of the pages and API lists as users meet them, beside bare anchors.

    make bench                      # runs bench/run.py, then this
    .venv/bin/python bench/http_bench.py [--seconds 8] [--rounds 3] [--out FILE]

Serves the portal with gunicorn (2 sync workers, ``DEBUG=0``, persistent database
connections, throttles lifted) under ``bench.settings``, which adds the anchors to the
portal's URLs (never in production): a bare view (``HttpResponse`` through the same
middleware) and bare Django template tables of 31 × 8, 100 × 211 and 264 × 5 cells (the
sizes of the SERN overview, of the 200-city one and of the programme page's tables). The
database is ``BENCH_DATABASE_URL``, else ``DATABASE_URL`` when it is PostgreSQL, else the
SQLite file of ``bench/run.py``; it gets the SERN demo data, the generated ``bench``
consortium and the generated programme of 112 cities in 12 consortia
(``mission-programme``; both kept between runs).

A steering committee member of both consortia reads the pages with a session cookie; a
partner token reads the API. ``wrk -t2 -c16`` (Debian package ``wrk``) drives each URL in
turn for ``--seconds``, in ``--rounds`` interleaved rounds (a burst of load from
elsewhere hits every URL alike); each figure is the median over the rounds. Ratios are
taken within the run: a page to its bare table, an API list to the health floor, the
health floor to the bare view. Every URL must answer 200 before the run, and any non-2xx
answer or socket error during it fails the run.

Under writes: in each round the SERN pages are driven again while a coordinator saves a
SERN figure through the API every second (``+w`` in the table; each save moves SERN's
version, so each page is built again once per save), beside the same round's quiet
table. Cold: for the SERN overview, the 200-city overview and the programme page, a
figure of their consortium is saved and the page read once (the first render at the new
version) and again, ``--cold`` times; the medians are reported. A refused save fails the
run. Results: the ``http`` part of ``bench/results.json`` (and ``--out``).

Without ``wrk`` it says how to install it and stops (exit status 2).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results.json"

#: (label, path, who reads it, anchor it is compared with, the least ratio the issue asks)
URLS = [
    ("bare view", "/bench/bare/", "session", None, None),
    ("health (token)", "/api/v1/health/", "token", "bare view", 0.6),
    ("table 31x8", "/bench/table/31x8/", "session", None, None),
    ("/?consortium=sern", "/?consortium=sern", "session", "table 31x8", 0.8),
    ("/cities/ravenna/", "/cities/ravenna/", "session", "table 31x8", 0.8),
    ("/kpis/sern/2.2/", "/kpis/sern/2.2/", "session", "table 31x8", 0.8),
    ("table 100x211", "/bench/table/100x211/", "session", None, None),
    ("/?consortium=bench", "/?consortium=bench", "session", "table 100x211", 1.0),
    (
        "measurements 100",
        "/api/v1/measurements/?page_size=100",
        "token",
        "health (token)",
        0.8,
    ),
    ("progress sern", "/api/v1/progress/?consortium=sern", "token", "health (token)", 0.8),
    # A page of the 200-city consortium's progress: kept under its ETag once built, as
    # SERN's is (the same page size), so it aims as high (it was 1/3 when built each time).
    ("progress bench", "/api/v1/progress/?consortium=bench", "token", "health (token)", 0.8),
    # The generated programme (112 cities in 12 consortia): its page beside a bare table of
    # its tables' size (ProgrammeReport.table_shape), its API list beside the health floor.
    ("table 264x5", "/bench/table/264x5/", "session", None, None),
    ("/programmes/mission/", "/programmes/mission-programme/", "session", "table 264x5", 0.5),
    ("programmes list", "/api/v1/programmes/", "token", "health (token)", 0.8),
]

#: The SERN pages again while a coordinator saves a SERN figure every second (each save
#: moves SERN's version: the pages are built again once per save), beside the same quiet
#: table of that round.
UNDER_WRITES = [
    ("/?consortium=sern +w", "/?consortium=sern", "session", "table 31x8", 0.6),
    ("/cities/ravenna/ +w", "/cities/ravenna/", "session", "table 31x8", 0.6),
    ("/kpis/sern/2.2/ +w", "/kpis/sern/2.2/", "session", "table 31x8", 0.6),
]

#: The first render after a change (cold): a figure saved in the consortium, then the
#: page read once, timed; then read again (warm). (label, path, the consortium written)
COLD = [
    ("/?consortium=sern", "/?consortium=sern", "sern"),
    ("/?consortium=bench", "/?consortium=bench", "bench"),
    ("/programmes/mission/", "/programmes/mission-programme/", "mission"),
]

PREPARE = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token
from cities.models import Consortium, Partner, SteeringCommitteeMember
from kpis.management.commands.generate_bench_data import analyze
analyze()  # the planner's statistics, as the database keeps them in time on its own
User = get_user_model()
reader, _ = User.objects.get_or_create(username="bench-steering")
partner, _ = User.objects.get_or_create(username="bench-partner")
for consortium in Consortium.objects.filter(slug__in=["sern", "bench"]):
    SteeringCommitteeMember.objects.get_or_create(user=reader, consortium=consortium)
    Partner.objects.get_or_create(user=partner, consortium=consortium)
session = SessionStore()
session[SESSION_KEY] = str(reader.pk)
session[BACKEND_SESSION_KEY] = "icc_portal.signed_in.KeptUserBackend"
session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
session.create()
# A coordinator who saves figures while the pages are read: a city of SERN, of the
# benchmark consortium and of one consortium of the programme, each with its final stage
# open (reopened by an admin when approved), and a number KPI of each to write.
import json
from cities.models import City, CityCoordinator
from kpis.models import KPI, Measurement
from kpis.reporting import review
admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
writer, _ = User.objects.get_or_create(username="bench-writer")
consortia = {
    "sern": Consortium.objects.get(slug="sern"),
    "bench": Consortium.objects.get(slug="bench"),
    "mission": Consortium.objects.filter(programme__slug="mission-programme").order_by("slug")[0],
}
targets = {}
for name, consortium in consortia.items():
    city = City.objects.filter(memberships__consortium=consortium).order_by("slug")[0]
    CityCoordinator.objects.get_or_create(user=writer, city=city)
    kpi = KPI.objects.filter(
        solution__consortium=consortium, value_type__in=["count", "number"], parent=None
    ).exclude(target_scope="consortium").order_by("solution__number", "code")[0]
    approved = Measurement.objects.filter(
        kpi__solution__consortium=consortium, city=city, stage="final", review_state="approved"
    )
    if approved.exists():
        review.reopen_stage(
            user=admin, consortium=consortium, city=city, stage="final", comment="bench writes"
        )
    figure = Measurement.objects.filter(kpi=kpi, city=city, stage="final").first()
    targets[name] = {"kpi": kpi.pk, "city": city.slug, "version": figure.version if figure else 0}
print(json.dumps({
    "token": Token.objects.get_or_create(user=partner)[0].key,
    "session": session.session_key,
    "writer": Token.objects.get_or_create(user=writer)[0].key,
    "targets": targets,
}))
"""


def database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{Path(tempfile.gettempdir()) / 'icc-portal-bench.sqlite3'}"


def environment_variables() -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_MANIFEST": "0",  # plain static storage: no collectstatic manifest needed
        "CONN_MAX_AGE": "600",
        "API_THROTTLE_USER": "off",
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_WRITE": "off",
        "API_THROTTLE_SYNC": "off",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def headers_for(who: str, token: str, session: str) -> dict[str, str]:
    if who == "token":
        return {"Authorization": f"Token {token}"}
    return {"Cookie": f"sessionid={session}"}


def fetch(base: str, path: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_up(base: str) -> None:
    for _ in range(150):
        try:
            fetch(base, "/bench/bare/", {})
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """req/s, p50/p99 (ms), requests, non-2xx/3xx answers and socket errors of a wrk run."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1])
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1])
    requests = int(re.search(r"(\d+) requests in", output)[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": rps,
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "requests": requests,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def drive(wrk: str, base: str, path: str, headers: dict[str, str], options) -> dict:
    command = [wrk, f"-t{options.threads}", f"-c{options.connections}"]
    command += [f"-d{options.seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, base + path], check=True, capture_output=True, text=True
    ).stdout
    return parse_wrk(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="load per URL and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--out", type=Path, help="also write the results here")
    parser.add_argument("--cold", type=int, default=5, help="first renders timed per page")
    options = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "bench/http_bench.py needs wrk, the HTTP load generator: install the Debian "
            "package (apt-get install wrk) and run it again. The in-process figures above "
            "need no wrk; `make bench-api` measures the API lists with locust instead.",
            file=sys.stderr,
        )
        return 2
    env = environment_variables()
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_demo", "--no-accounts")
    manage(env, "generate_bench_data")  # leaves an existing benchmark consortium alone
    manage(env, "generate_bench_data", "--programme", "--slug=mission")  # and programme
    prepared = json.loads(manage(env, "shell", "-v", "0", "-c", PREPARE).splitlines()[-1])
    token, session = prepared["token"], prepared["session"]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "icc_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        # WEB_CONCURRENCY: the settings read sessions from the cache only when every
        # worker reads the same one (with no CACHE_URL, from the database).
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "WEB_CONCURRENCY": str(options.workers),
        },
    )
    try:
        wait_until_up(base)
        for label, path, who, _anchor, _aim in URLS:  # each URL answers, and is warm
            for _ in range(4):
                status = fetch(base, path, headers_for(who, token, session))
                if status != 200:
                    raise SystemExit(f"{label} ({path}) answered {status}, not 200")
        writers = {
            name: Writer(base, prepared["writer"], target)
            for name, target in prepared["targets"].items()
        }
        writer = writers["sern"]
        rounds = []
        for _number in range(options.rounds):
            each = {
                label: drive(wrk, base, path, headers_for(who, token, session), options)
                for label, path, who, _anchor, _aim in URLS
            }
            with writer.saving_every_second():
                for label, path, who, _anchor, _aim in UNDER_WRITES:
                    each[label] = drive(wrk, base, path, headers_for(who, token, session), options)
            rounds.append(each)
        cold = first_renders(base, writers, session, options.cold)
    finally:
        server.terminate()
        server.wait(timeout=30)

    report = {
        "environment": environment(env, options),
        "results": summarise(rounds),
        "writes": {
            "saved": sum(each.saved for each in writers.values()),
            "refused": sum(each.refused for each in writers.values()),
        },
        "cold": cold,
    }
    write(report, options.out)
    print_table(report)
    return check(report["results"], report)


class Writer:
    """A coordinator saving one figure of a consortium through the API, every second while
    ``saving_every_second`` lasts, each save a new value (so each moves the version)."""

    def __init__(self, base: str, token: str, target: dict) -> None:
        self.base, self.token = base, token
        self.target = {"kpi": target["kpi"], "city": target["city"]}
        self.version = target.get("version", 0)  # the figure's, as the last save left it
        self.saved = self.refused = 0
        self.value = 0

    def save(self) -> float:
        """One save; its time in milliseconds."""
        self.value += 1
        figure = {
            **self.target,
            "stage": "final",
            "status": "reported",
            "value": self.value,
            "version": self.version,
        }
        request = urllib.request.Request(
            self.base + "/api/v1/measurements/bulk/",
            data=json.dumps({"figures": [figure]}).encode(),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.loads(response.read())
                ok = response.status == 200
            self.version = answer["results"][0]["measurement"]["version"]
        except urllib.error.HTTPError as error:
            ok = False
            print(f"a save was refused: {error.code} {error.read()[:300]!r}", file=sys.stderr)
        self.saved += ok
        self.refused += not ok
        return (time.perf_counter() - started) * 1000

    @contextlib.contextmanager
    def saving_every_second(self):
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                started = time.monotonic()
                self.save()
                stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=60)


def timed_read(base: str, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    status = fetch(base, path, headers)
    if status != 200:
        raise SystemExit(f"{path} answered {status}, not 200")
    return (time.perf_counter() - started) * 1000


def first_renders(base: str, writers: dict, session: str, times: int) -> list[dict]:
    """Each page of :data:`COLD`: a figure of its consortium saved, then the page read by
    one client (the first render at the new version: ``cold``), then again (``warm``);
    medians over ``times``. The reads go to whichever worker answers: with the cache in
    each worker's memory the other worker's first read would be cold again, so what is
    timed is the first read after the change, as a reader meets it."""
    headers = headers_for("session", "", session)
    report = []
    for label, path, consortium in COLD:
        writer = writers[consortium]
        colds, warms = [], []
        for _ in range(times):
            writer.save()
            colds.append(timed_read(base, path, headers))
            warms.append(timed_read(base, path, headers))
        report.append(
            {
                "label": label,
                "path": path,
                "cold_ms": round(statistics.median(colds), 1),
                "warm_ms": round(statistics.median(warms), 1),
            }
        )
    return report


def environment(env: dict[str, str], options) -> dict:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "cache": (env.get("CACHE_URL") or env.get("REDIS_URL") or "locmem://").split(":", 1)[0],
        "gunicorn_workers": options.workers,
        "wrk": f"-t{options.threads} -c{options.connections}",
        "seconds_per_url": options.seconds,
        "rounds": options.rounds,
    }


def summarise(rounds: list[dict[str, dict]]) -> list[dict]:
    """Each URL over the rounds: medians; its ratio to its anchor, round by round, then
    the median of those (both ran within seconds of each other)."""
    results = []
    for label, path, _who, anchor, aim in URLS + UNDER_WRITES:
        runs = [runs[label] for runs in rounds]
        result = {
            "label": label,
            "path": path,
            "rps": round(statistics.median(run["rps"] for run in runs), 1),
            "p50_ms": statistics.median(run["p50_ms"] for run in runs),
            "p99_ms": statistics.median(run["p99_ms"] for run in runs),
            "requests": sum(run["requests"] for run in runs),
            "non_2xx": sum(run["non_2xx"] + run["socket_errors"] for run in runs),
            "rounds_rps": [run["rps"] for run in runs],
            "anchor": anchor,
            "aim": round(aim, 2) if aim else None,
            "ratio": None,
        }
        if anchor:
            ratios = [
                run["rps"] / each[anchor]["rps"] for run, each in zip(runs, rounds, strict=True)
            ]
            result["ratio"] = round(statistics.median(ratios), 2)
        results.append(result)
    return results


def write(report: dict, out: Path | None) -> None:
    try:
        results = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        results = {}
    results["http"] = report
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if out:
        out.write_text(json.dumps(report, indent=2) + "\n")


def print_table(report: dict) -> None:
    environment = report["environment"]
    print(
        f"\nHTTP — gunicorn {environment['gunicorn_workers']} workers, DEBUG=0, "
        f"{environment['database']}, cache {environment['cache']}, wrk {environment['wrk']}, "
        f"{environment['rounds']} rounds of {environment['seconds_per_url']} s (medians), "
        f"{environment['cpus']} CPUs, load {environment['load_average']}"
    )
    print(f"{'URL':<20}{'req/s':>9}{'p99 ms':>9}{'ratio':>7}  {'aim':<5}{'non-2xx':>8}  anchor")
    for result in report["results"]:
        ratio = f"{result['ratio']:.2f}" if result["ratio"] is not None else "—"
        aim = f"{result['aim']:.2f}" if result["aim"] else ""
        print(
            f"{result['label']:<20}{result['rps']:>9.1f}{result['p99_ms']:>9.0f}{ratio:>7}  "
            f"{aim:<5}{result['non_2xx']:>8}  {result['anchor'] or 'anchor'}"
        )
    writes = report["writes"]
    print(
        f"+w: while a coordinator saved a SERN figure every second "
        f"({writes['saved']} saves in all, {writes['refused']} refused)"
    )
    print(f"\n{'first render after a save':<28}{'cold ms':>9}{'warm ms':>9}")
    for result in report["cold"]:
        print(f"{result['label']:<28}{result['cold_ms']:>9.1f}{result['warm_ms']:>9.1f}")
    print(f'Results: {RESULTS} ("http")')


def check(results: list[dict], report: dict | None = None) -> int:
    """A failed request fails the run; the ratios the issue aims at are reported (a shared
    machine's load moves them), not enforced."""
    failed = [result["label"] for result in results if result["non_2xx"]]
    short = [
        result["label"]
        for result in results
        if result["aim"] is not None
        and result["ratio"] is not None
        and result["ratio"] < result["aim"]
    ]
    if short:
        print(f"Below the aim: {', '.join(short)}")
    if failed:
        print(f"Non-2xx answers or socket errors: {', '.join(failed)}")
        return 1
    refused = (report or {}).get("writes", {}).get("refused", 0)
    if refused:
        print(f"{refused} saves were refused")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
