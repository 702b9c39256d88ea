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
answer or socket error during it fails the run. Results: the ``http`` part of
``bench/results.json`` (and ``--out``).

Without ``wrk`` it says how to install it and stops (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    ("/?consortium=sern", "/?consortium=sern", "session", "table 31x8", 0.5),
    ("/cities/ravenna/", "/cities/ravenna/", "session", "table 31x8", 0.5),
    ("/kpis/sern/2.2/", "/kpis/sern/2.2/", "session", "table 31x8", 0.5),
    ("table 100x211", "/bench/table/100x211/", "session", None, None),
    ("/?consortium=bench", "/?consortium=bench", "session", "table 100x211", 1.0),
    (
        "measurements 100",
        "/api/v1/measurements/?page_size=100",
        "token",
        "health (token)",
        0.5,
    ),
    ("progress sern", "/api/v1/progress/?consortium=sern", "token", "health (token)", 0.5),
    ("progress bench", "/api/v1/progress/?consortium=bench", "token", "health (token)", 1 / 3),
    # The generated programme (112 cities in 12 consortia): its page beside a bare table of
    # its tables' size (ProgrammeReport.table_shape), its API list beside the health floor.
    ("table 264x5", "/bench/table/264x5/", "session", None, None),
    ("/programmes/mission/", "/programmes/mission-programme/", "session", "table 264x5", 0.5),
    ("programmes list", "/api/v1/programmes/", "token", "health (token)", 0.5),
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
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
session.create()
print(Token.objects.get_or_create(user=partner)[0].key, session.session_key)
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
    token, session = manage(env, "shell", "-v", "0", "-c", PREPARE).split()[-2:]

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
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    try:
        wait_until_up(base)
        for label, path, who, _anchor, _aim in URLS:  # each URL answers, and is warm
            for _ in range(4):
                status = fetch(base, path, headers_for(who, token, session))
                if status != 200:
                    raise SystemExit(f"{label} ({path}) answered {status}, not 200")
        rounds = []
        for _number in range(options.rounds):
            rounds.append(
                {
                    label: drive(wrk, base, path, headers_for(who, token, session), options)
                    for label, path, who, _anchor, _aim in URLS
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    report = {"environment": environment(env, options), "results": summarise(rounds)}
    write(report, options.out)
    print_table(report)
    return check(report["results"])


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
    for label, path, _who, anchor, aim in URLS:
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
    print(f'Results: {RESULTS} ("http")')


def check(results: list[dict]) -> int:
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
