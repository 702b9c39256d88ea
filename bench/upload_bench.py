"""What a hostile upload costs: each file refused within 1 s and 50 MB of memory.

    make bench                      # or: .venv/bin/python bench/upload_bench.py [--repeat N]

Posts each file to ``POST /api/v1/imports/`` (dry run) in-process, as the coordinator of
Vänersborg on its final-results page of the SERN demo data, and measures per file:

* the median wall time of the request (``--repeat`` runs);
* the growth of the process's resident memory during the request (sampled every 2 ms
  from ``/proc/self/statm``: C allocations such as the XML parser's count too);
* the peak of Python's own allocations during one more request (``tracemalloc``, run
  apart because tracing slows the request down).

The files are those of issue 19: an XLSX template of some 8 KB with one cell at row
100,000 (its declared size says so), the same with its declared size rewritten to hide
the far row (so the streaming reader must stop by itself), a template with 50,000 filled
rows, and a CSV of 50,000 lines; and a template of some 20 kB with 300,000 shared
strings, which openpyxl reads whole before any sheet. Each must be refused (400) in at
most 1 s with at most 50 MB of growth; the exit status is 1 otherwise. Results go to
``bench/results.json`` under ``"uploads"`` (the other benches' figures are kept).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import statistics
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, configure  # noqa: E402

MAX_SECONDS = 1.0
MAX_GROWTH_MB = 50.0
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per file")
    options = parser.parse_args(argv)
    configure()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", "--no-accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = coordinator()
    files = hostile_files(user)
    results = []
    for label, name, content in files:
        result = measure(user, name, content, options.repeat)
        result.update(file=label, kilobytes=round(len(content) / 1024, 1))
        results.append(result)
    write_results(results)
    print_table(results)
    broken = [
        result["file"]
        for result in results
        if result["status"] != 400
        or result["median_s"] > MAX_SECONDS
        or max(result["rss_growth_mb"], result["python_peak_mb"]) > MAX_GROWTH_MB
    ]
    for label in broken:
        print(f"BUDGET BROKEN: {label}: not refused within {MAX_SECONDS} s / {MAX_GROWTH_MB} MB")
    return 1 if broken else 0


def coordinator():
    from django.contrib.auth import get_user_model

    from cities.models import City, CityCoordinator

    user, _ = get_user_model().objects.get_or_create(username="bench-coordinator-vanersborg")
    CityCoordinator.objects.get_or_create(user=user, city=City.objects.get(slug="vanersborg"))
    return user


def hostile_files(user) -> list[tuple[str, str, bytes]]:
    """The template of the page, then the files of issue 19 made from it."""
    from openpyxl import load_workbook

    from cities.models import City
    from kpis.exchange.template import template_csv_rows, template_workbook
    from kpis.reporting.grid import city_grid

    grid = city_grid(user, City.objects.get(slug="vanersborg"), "final")
    rows = grid.enterable_rows
    template = template_workbook(grid, rows)

    far = load_workbook(io.BytesIO(template))
    far.worksheets[0]["G100000"] = 1
    far_row = save(far)

    many = load_workbook(io.BytesIO(template))
    sheet = many.worksheets[0]
    for number in range(5, 5 + 50_000):
        sheet.cell(row=number, column=7, value=number)
    many_rows = save(many)

    first = next(iter(template_csv_rows(grid, rows)))
    columns = ("city", "consortium", "stage", "kpi_id", "version", "value")
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(columns)
    for number in range(50_000):
        writer.writerow([first[key] if key != "value" else number for key in columns])
    return [
        ("XLSX, one cell at row 100,000", "far.xlsx", far_row),
        ("the same, declared size hiding it", "far-hidden.xlsx", hide_size(far_row)),
        ("XLSX, 300,000 shared strings", "strings.xlsx", with_shared_strings(template, 300_000)),
        ("XLSX, 50,000 rows", "rows.xlsx", many_rows),
        ("CSV, 50,000 lines", "rows.csv", stream.getvalue().encode()),
    ]


def save(workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def hide_size(content: bytes) -> bytes:
    """The workbook with its first sheet's declared size rewritten to the template's own."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:P18"', data)
            target.writestr(member, data)
    return stream.getvalue()


def with_shared_strings(content: bytes, count: int) -> bytes:
    """The workbook with a table of ``count`` one-letter shared strings (as Excel writes
    text): a few kB that openpyxl, unbounded, takes some 16 s to read."""
    strings = b"<si><t>a</t></si>" * count
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    kind = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relation = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml":
                override = b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                data = data.replace(b"</Types>", override + kind + b'"/></Types>')
            if member.filename == "xl/_rels/workbook.xml.rels":
                link = b'<Relationship Id="rIdStrings" Type="' + relation
                data = data.replace(
                    b"</Relationships>", link + b'" Target="sharedStrings.xml"/></Relationships>'
                )
            target.writestr(member.filename, data)
        table = b'<?xml version="1.0"?><sst xmlns="' + main + b'">' + strings + b"</sst>"
        target.writestr("xl/sharedStrings.xml", table)
    return stream.getvalue()


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


class PeakRss:
    """The highest resident memory seen while the block runs, sampled on a thread."""

    def __enter__(self):
        self.start = self.peak = rss_bytes()
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.002)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / (1024 * 1024)


def post(user, name: str, content: bytes):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    stream = io.BytesIO(content)
    stream.name = name
    data = {"file": stream, "city": "vanersborg", "stage": "final", "dry_run": "true"}
    return client.post("/api/v1/imports/", data, format="multipart")


def measure(user, name: str, content: bytes, repeat: int) -> dict:
    post(user, name, content)  # warm: imports, translations, the first queries
    times, growths, status, code = [], [], None, ""
    for _ in range(repeat):
        with PeakRss() as rss:
            started = time.perf_counter()
            response = post(user, name, content)
            times.append(time.perf_counter() - started)
        growths.append(rss.growth_mb)
        status = response.status_code
        code = response.json().get("code", "") if status == 400 else ""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    post(user, name, content)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return {
        "status": status,
        "code": code,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "rss_growth_mb": round(max(growths), 1),
        "python_peak_mb": round(peak / (1024 * 1024), 1),
    }


def write_results(results: list[dict]) -> None:
    try:
        stored = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        stored = {}
    stored["uploads"] = {
        "budget": {"seconds": MAX_SECONDS, "growth_mb": MAX_GROWTH_MB},
        "files": results,
    }
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")


def print_table(results: list[dict]) -> None:
    print(f"\nHostile uploads, POST /api/v1/imports/ (budget {MAX_SECONDS} s, {MAX_GROWTH_MB} MB)")
    header = f"{'file':<36} {'kB':>7} {'status':>6} {'code':<14} {'median s':>8} {'max s':>6}"
    print(header + f" {'RSS +MB':>8} {'Python peak MB':>14}")
    for result in results:
        print(
            f"{result['file']:<36} {result['kilobytes']:>7} {result['status']:>6} "
            f"{result['code']:<14} {result['median_s']:>8} {result['max_s']:>6} "
            f"{result['rss_growth_mb']:>8} {result['python_peak_mb']:>14}"
        )
    print(f'Results: {RESULTS} ("uploads")')


if __name__ == "__main__":
    sys.exit(main())
