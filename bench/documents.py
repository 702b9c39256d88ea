"""The consortium's documents at programme size: the deliverable and the maturity tables.

    make bench                      # or: .venv/bin/python bench/documents.py [options]

On the database of ``bench/run.py`` (``BENCH_DATABASE_URL``, else the SQLite file in the
temporary folder), for two generated consortia of ``--solutions`` × ``--kpis`` KPIs at
all three stages: ``bench-docs`` of ``--cities``/10 cities (1×) and ``bench`` of
``--cities`` cities (10×, the 200-city consortium of the page benchmark). For each,
as a steering committee member (drafts shown), once each with the cache empty:

* the deliverable page (``/consortia/<slug>/deliverable/``, the view and its template),
  which is always made within the request;
* the deliverable as DOCX and PDF and the maturity tables as XLSX, DOCX and PDF, made as
  the background task makes them (:mod:`kpis.exchange.documents`);

and reports the wall time, the CPU time of this process (what the work costs, whatever
else the machine is doing), the peak of memory allocated while making it (tracemalloc,
which slows the run: times are taken in a separate run without it), the number of SQL
queries and the size. Budget (exit status 1 when broken): the deliverable page of the
10× consortium within 5 s of CPU time. ``--no-pdf`` leaves the PDFs out (at 10× they
take minutes). Results go to the ``documents`` part of ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, configure, steering_user  # noqa: E402

PAGE_BUDGET_S = 5.0
DOCUMENTS = [
    ("deliverable", "page"),
    ("deliverable", "docx"),
    ("deliverable", "pdf"),
    ("maturity", "xlsx"),
    ("maturity", "docx"),
    ("maturity", "pdf"),
]


def ensure(slug: str, cities: int, options) -> None:
    from django.core.management import call_command

    from cities.models import Consortium
    from kpis.models import KPI

    consortium = Consortium.objects.filter(slug=slug).first()
    wanted = options.solutions * options.kpis
    if (
        consortium is None
        or consortium.memberships.count() != cities
        or KPI.objects.filter(solution__consortium=consortium).count() != wanted
    ):
        print(f"Generating {slug} ({cities} cities)…", flush=True)
        call_command(
            "generate_bench_data",
            "--replace",
            f"--slug={slug}",
            f"--cities={cities}",
            f"--solutions={options.solutions}",
            f"--kpis={options.kpis}",
        )


def make(kind: str, fmt: str, user, consortium) -> int:
    """Make one document as a user meets it; its size in bytes."""
    if fmt == "page":
        from django.test import RequestFactory

        from kpis.exchange.views import DeliverableView

        request = RequestFactory().get(f"/consortia/{consortium.slug}/deliverable/")
        request.user = user
        user.__dict__.pop("_icc_roles", None)
        response = DeliverableView.as_view()(request, slug=consortium.slug).render()
        assert response.status_code == 200, response.status_code
        return len(response.content)
    from kpis.exchange.documents import MAKERS

    return len(MAKERS[kind](user, consortium, fmt).content)


def measure(kind: str, fmt: str, user, consortium) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        size = make(kind, fmt, user, consortium)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cache.clear()
    tracemalloc.start()
    make(kind, fmt, user, consortium)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "document": f"{kind} {fmt}",
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(peak / 1e6, 1),
        "queries": len(queries),
        "kb": round(size / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, default=200, help="cities at 10×")
    parser.add_argument("--solutions", type=int, default=5)
    parser.add_argument("--kpis", type=int, default=20, help="KPIs per solution")
    parser.add_argument("--no-pdf", action="store_true", help="leave the PDFs out")
    options = parser.parse_args(argv)
    configure()

    from django.core.management import call_command

    from cities.models import Consortium, SteeringCommitteeMember
    from kpis.exchange.pdf import pdf_available

    call_command("migrate", verbosity=0, interactive=False)
    sizes = [("1×", "bench-docs", max(1, options.cities // 10)), ("10×", "bench", options.cities)]
    user = steering_user()
    pdf_available()  # WeasyPrint's first import is no document's cost
    results = []
    warmed = False
    for scale, slug, cities in sizes:
        ensure(slug, cities, options)
        consortium = Consortium.objects.select_related("programme").get(slug=slug)
        SteeringCommitteeMember.objects.get_or_create(user=user, consortium=consortium)
        if not warmed:  # nor loading the templates once
            make("deliverable", "page", user, consortium)
            warmed = True
        for kind, fmt in DOCUMENTS:
            if fmt == "pdf" and (options.no_pdf or not pdf_available()):
                continue
            result = measure(kind, fmt, user, consortium)
            result.update(scale=scale, consortium=slug, cities=cities)
            results.append(result)
            print(
                f"{scale:<4} {cities:>4} cities  {result['document']:<17} "
                f"{result['wall_s']:>8} s wall {result['cpu_s']:>8} s CPU "
                f"{result['peak_mb']:>8} MB {result['queries']:>4} queries {result['kb']:>7} kB",
                flush=True,
            )
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored["documents"] = results
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")
    page = next(r for r in results if r["scale"] == "10×" and r["document"] == "deliverable page")
    if page["cpu_s"] > PAGE_BUDGET_S:
        print(
            f"BUDGET BROKEN: the deliverable page of {page['cities']} cities took "
            f"{page['cpu_s']} s of CPU (budget {PAGE_BUDGET_S} s)",
            file=sys.stderr,
        )
        return 1
    print(f"Budget holds: the deliverable page of {page['cities']} cities within 5 s of CPU.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
