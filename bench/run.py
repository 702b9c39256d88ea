"""Server time of every dashboard page at benchmark size, against a floor.

    make bench                      # or: .venv/bin/python bench/run.py [options]

Builds (once) a database with the SERN demo data and a generated consortium of
``--cities`` cities × ``--solutions`` solutions × ``--kpis`` KPIs with all three
stages (``manage.py generate_bench_data``), then renders each page ``--repeat``
times as a steering committee member, calling the view and rendering its template
in-process (no HTTP, no middleware), and reports per page:

* the median server time (view, queries and template), and the first render's, made
  with the cache of pages kept by data version empty (later renders read it);
* the number of SQL queries (the session and user lookups a real request adds on
  top are not included);
* the queries run while the template renders, which must be 0: every page
  assembles plain objects before it renders;
* the ratio to the *floor*: a bare Django template table with as many cells as the
  overview shows, rendered from a Python list with no database (rendered after each
  overview render, so both see the same machine load).

Besides the pages, the overview's matrix downloaded as an XLSX workbook ("matrix xlsx",
``/consortia/bench/matrix/xlsx/``): its median time and size ("HTML kB" is the file's).

The programme page of a generated programme of 112 cities in 12 consortia
(``generate_bench_data --programme --slug=mission``, 5 solutions × 20 KPIs each, every
fifth KPI with a CITYkeys code all consortia share) is measured beside a floor of its own:
a bare table of as many rows and columns as its tables ("own floor").

Budgets, checked at the end (exit status 1 when broken): the overview and the programme
page within 2× their floors, and no query during any template render. Results go to
``bench/results.json``.

The database is ``BENCH_DATABASE_URL`` if set, else a SQLite file in the system's
temporary folder (kept between runs, so only the first run generates the data).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
OVERVIEW_BUDGET = 2.0
#: The generated programme's slug: its page is /programmes/mission-programme/.
PROGRAMME = "mission"


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    default_db = f"sqlite:///{Path(tempfile.gettempdir()) / 'icc-portal-bench.sqlite3'}"
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", default_db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icc_portal.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Plain static storage: the pages need no collectstatic manifest to render.
    os.environ.setdefault("STATIC_MANIFEST", "0")
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, default=200)
    parser.add_argument("--solutions", type=int, default=5)
    parser.add_argument("--kpis", type=int, default=20, help="KPIs per solution")
    parser.add_argument("--repeat", type=int, default=15, help="renders per page")
    parser.add_argument("--replace", action="store_true", help="regenerate the benchmark data")
    options = parser.parse_args(argv)
    configure()

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", "--no-accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ensure_bench_data(options)
    user = steering_user()
    results = {"environment": environment(options), "floor": None, "pages": []}
    from django.core.cache import cache

    floor = None
    for size, label, path in bench_pages(options):
        cache.clear()  # so "first ms" is a cold render (pages are kept by data version)
        with_floor = (size, label) in (("bench", "overview"), ("programme", "programme"))
        result, page_floor = measure(path, user, options.repeat, with_floor=with_floor)
        if label == "programme":
            result["own_floor"] = page_floor.result()
            result["ratio_to_own_floor"] = round(result["median_ms"] / page_floor.median_ms, 2)
        else:
            floor = page_floor or floor
        result.update(size=size, page=label, path=path)
        results["pages"].append(result)
    results["floor"] = floor.result()
    for result in results["pages"]:
        result["ratio_to_floor"] = round(result["median_ms"] / floor.median_ms, 2)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return check_budgets(results)


def ensure_bench_data(options) -> None:
    from django.core.management import call_command

    from cities.models import Consortium
    from kpis.management.commands.generate_bench_data import analyze
    from kpis.models import KPI

    consortium = Consortium.objects.filter(slug="bench").first()
    wanted_kpis = options.solutions * options.kpis
    stale = consortium is not None and (
        consortium.memberships.count() != options.cities
        or KPI.objects.filter(solution__consortium=consortium).count() != wanted_kpis
    )
    if consortium is None or stale or options.replace:
        print("Generating the benchmark consortium…", flush=True)
        call_command(
            "generate_bench_data",
            "--replace",
            f"--cities={options.cities}",
            f"--solutions={options.solutions}",
            f"--kpis={options.kpis}",
        )
    if not Consortium.objects.filter(programme__slug=f"{PROGRAMME}-programme").exists():
        print("Generating the benchmark programme…", flush=True)
        call_command("generate_bench_data", "--programme", f"--slug={PROGRAMME}")
    analyze()  # after the demo load too, as a production database keeps its statistics


def steering_user():
    """A steering committee member of both consortia: sees drafts, so every marker shows."""
    from django.contrib.auth import get_user_model

    from cities.models import Consortium, SteeringCommitteeMember

    user, _ = get_user_model().objects.get_or_create(username="bench-steering")
    for consortium in Consortium.objects.filter(slug__in=["bench", "sern", f"{PROGRAMME}-01"]):
        SteeringCommitteeMember.objects.get_or_create(user=user, consortium=consortium)
    return user


def bench_pages(options) -> list[tuple[str, str, str]]:
    from cities.models import City
    from kpis.models import KPI

    bench_city = City.objects.filter(memberships__consortium__slug="bench").order_by("name")[1]
    bench_kpi = KPI.objects.filter(solution__consortium__slug="bench").order_by("pk").first()
    sern_kpi = KPI.objects.get(solution__consortium__slug="sern", code="2.4")
    return [
        ("demo", "overview", "/?consortium=sern"),
        ("demo", "city", "/cities/ravenna/"),
        ("demo", "solution", "/solutions/sern/2/"),
        ("demo", "kpi", f"/kpis/{sern_kpi.pk}/"),
        ("demo", "roadmap", "/roadmap/?consortium=sern"),
        ("bench", "overview", "/?consortium=bench"),
        ("bench", "overview (latest)", "/?consortium=bench&stage=latest"),
        ("bench", "city", f"/cities/{bench_city.slug}/"),
        ("bench", "solution", "/solutions/bench/1/"),
        ("bench", "kpi", f"/kpis/{bench_kpi.pk}/"),
        ("bench", "roadmap", "/roadmap/?consortium=bench"),
        # A download, not a page: the overview's matrix as a workbook (kpis/exchange).
        ("bench", "matrix xlsx", "/consortia/bench/matrix/xlsx/?stage=final"),
        # 112 cities in 12 consortia, beside a bare table of its own size.
        ("programme", "programme", f"/programmes/{PROGRAMME}-programme/"),
        ("programme", "programmes API", f"/api/v1/programmes/{PROGRAMME}-programme/"),
    ]


def render(path: str, user):
    """One request: the view (with its queries), then the template. Returns timings."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve

    request = RequestFactory().get(path)
    request.user = user
    user.__dict__.pop("_icc_roles", None)  # a new request reads the user's roles again
    match = resolve(request.path)
    with CaptureQueriesContext(connection) as every_query:
        started = time.perf_counter()
        response = match.func(request, *match.args, **match.kwargs)
        with CaptureQueriesContext(connection) as render_queries:
            if hasattr(response, "render"):  # a template response; a download is ready
                response.render()
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path}: status {response.status_code}")
    return response, elapsed * 1000, len(every_query), len(render_queries)


class Floor:
    """A bare template table with as many cells as the overview, from a Python list.

    Rendered right after each overview render, so both see the same machine load.
    """

    def __init__(self, rows: int, columns: int) -> None:
        from django.template import engines

        self.rows, self.columns = rows, columns
        self.template = engines["django"].from_string(
            "<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>"
            "{% endfor %}</tr>{% endfor %}</table>"
        )
        self.data = {"rows": [[f"{r}.{c}" for c in range(columns)] for r in range(rows)]}
        self.timings: list[float] = []

    def render(self) -> float:
        started = time.perf_counter()
        self.template.render(self.data)
        return (time.perf_counter() - started) * 1000

    @property
    def median_ms(self) -> float:
        return round(statistics.median(self.timings), 1)

    def result(self) -> dict:
        return {
            "cells": self.rows * self.columns,
            "rows": self.rows,
            "columns": self.columns,
            "median_ms": self.median_ms,
        }


def measure(path: str, user, repeat: int, *, with_floor: bool = False) -> tuple[dict, Floor]:
    """Render a page ``repeat`` times after two warm-up renders; with ``with_floor``, render
    the floor for its matrix after each timed render."""
    timings, query_counts, render_counts = [], [], []
    first_ms = None
    floor = None
    for attempt in range(repeat + 2):
        response, elapsed, queries, render_queries = render(path, user)
        if first_ms is None:
            first_ms = elapsed
            if with_floor and response.context_data.get("report") is not None:
                floor = Floor(*response.context_data["report"].table_shape)
            elif with_floor:
                matrix = response.context_data["matrix"]
                floor = Floor(len(matrix.kpi_rows), len(matrix.columns))
        if attempt < 2:
            continue
        timings.append(elapsed)
        query_counts.append(queries)
        render_counts.append(render_queries)
        if floor is not None:
            floor.timings.append(floor.render())
    result = {
        "median_ms": round(statistics.median(timings), 1),
        "first_ms": round(first_ms, 1),
        "queries": max(query_counts),
        "queries_during_render": max(render_counts),
        "html_kb": round(len(response.content) / 1024),
    }
    return result, floor


def environment(options) -> dict:
    import django
    from django.db import connection

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "cities": options.cities,
        "solutions": options.solutions,
        "kpis_per_solution": options.kpis,
        "repeat": options.repeat,
    }


def print_table(results: dict) -> None:
    floor = results["floor"]
    env = results["environment"]
    print(
        f"\nBenchmark: {env['cities']} cities × {env['solutions']} solutions × "
        f"{env['kpis_per_solution']} KPIs, 3 stages ({env['database']}; median of "
        f"{env['repeat']} renders after 2 warm-up ones, as a steering committee member)"
    )
    print(
        f"Floor: bare template table of {floor['cells']:,} cells "
        f"({floor['rows']} × {floor['columns']}): {floor['median_ms']} ms\n"
    )
    header = (
        f"{'size':<6} {'page':<18} {'median ms':>10} {'first ms':>9} {'queries':>8} "
        f"{'in render':>10} {'× floor':>8} {'HTML kB':>8}  path"
    )
    print(header)
    print("-" * len(header))
    for page in results["pages"]:
        print(
            f"{page['size']:<6} {page['page']:<18} {page['median_ms']:>10} "
            f"{page['first_ms']:>9} {page['queries']:>8} {page['queries_during_render']:>10} "
            f"{page['ratio_to_floor']:>8} {page['html_kb']:>8}  {page['path']}"
        )
    for page in results["pages"]:
        if "own_floor" in page:
            own = page["own_floor"]
            print(
                f"{page['page']}: own floor, a bare table of {own['cells']:,} cells "
                f"({own['rows']} × {own['columns']}): {own['median_ms']} ms; "
                f"page at {page['ratio_to_own_floor']}× it"
            )
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def check_budgets(results: dict) -> int:
    problems = []
    for page in results["pages"]:
        if page["queries_during_render"]:
            problems.append(f"{page['path']} ran {page['queries_during_render']} queries in render")
        if page["size"] == "bench" and page["page"] == "overview":
            if page["ratio_to_floor"] > OVERVIEW_BUDGET:
                problems.append(
                    f"overview at {page['ratio_to_floor']}× its floor (budget {OVERVIEW_BUDGET}×)"
                )
        if page.get("ratio_to_own_floor", 0) > OVERVIEW_BUDGET:
            problems.append(
                f"{page['page']} at {page['ratio_to_own_floor']}× its own floor "
                f"(budget {OVERVIEW_BUDGET}×)"
            )
    for problem in problems:
        print(f"BUDGET BROKEN: {problem}", file=sys.stderr)
    if not problems:
        print(
            f"Budgets hold: overview and programme within {OVERVIEW_BUDGET}× their floors, "
            "no query in render."
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
