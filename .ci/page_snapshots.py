"""Snapshots of every page type, to prove that a move changed no behaviour.

    .venv/bin/python .ci/page_snapshots.py OUT_DIR [--bench] [--only PATTERN]

On a throw-away SQLite database (a temporary folder; DEBUG on, so the demo accounts
exist): migrate, ``load_demo data/sern.yaml data/letsgov.yaml``, then fetch every page
type in-process with Django's test client, as anonymous, coordinator-ravenna, steering,
partner and admin, in en, it and sv. Each response is written to
``OUT_DIR/pages/<reader>/<lang>/<url>.txt``: status, the number of SQL queries the
request ran with every cache empty and again right after (warm), whether the warm answer
is the same, content type, redirect target and body, with per-request noise
normalised (CSRF tokens, CSP nonces, request ids, today's date and the time of day).
Zip downloads (XLSX, DOCX) are written as their member names
and member contents (XML), with timestamps normalised.

Besides the pages: ``OUT_DIR/schema.yaml`` (``manage.py spectacular``, as ``make
schema-check`` generates it) and, with ``--bench``, ``OUT_DIR/bench.txt``: the query
counts per page of ``bench/run.py`` at a small size.

Compare two runs with ``diff -r BEFORE AFTER``: no output means no behaviour change.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = ("anonymous", "coordinator-ravenna", "steering", "partner", "admin")
LANGUAGES = ("en", "it", "sv")
STAGES = ("baseline", "midway", "final")


def configure(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DEBUG"] = "1"
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["LOG_LEVEL"] = "CRITICAL"
    # Rate limits would make the answers depend on how fast a run goes.
    for name in ("ANON", "USER", "WRITE", "SYNC"):
        os.environ[f"API_THROTTLE_{name}"] = "off"
    os.environ.pop("CACHE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "icc_portal.settings"
    import django

    django.setup()


def urls() -> list[str]:
    from cities.models import City, Consortium, Programme
    from kpis.models import KPI, Measurement
    from solutions.models import Solution

    found = ["/", "/?stage=latest"] + [f"/?stage={stage}" for stage in STAGES]
    for consortium in Consortium.objects.order_by("slug"):
        slug = consortium.slug
        found += [f"/?consortium={slug}"]
        found += [f"/?consortium={slug}&stage={stage}" for stage in (*STAGES, "latest")]
        found += [f"/roadmap/?consortium={slug}", f"/consortia/{slug}/deliverable/"]
        found += [f"/consortia/{slug}/deliverable/{fmt}/" for fmt in ("docx", "pdf")]
        found += [f"/consortia/{slug}/matrix/{fmt}/?stage=final" for fmt in ("xlsx", "csv")]
        found += [f"/consortia/{slug}/maturity/xlsx/", f"/consortia/{slug}/changes/"]
        found += [f"/admin/cities/consortium/{consortium.pk}/change/"]
        for stage in STAGES:
            found += [
                f"/consortia/{slug}/report/{stage}/",
                f"/consortia/{slug}/report/{stage}/missing/",
                f"/consortia/{slug}/report/{stage}/review/",
            ]
    for city in City.objects.order_by("slug"):
        found += [f"/cities/{city.slug}/", f"/cities/{city.slug}/changes/"]
        found += [f"/cities/{city.slug}/maturity/{fmt}/" for fmt in ("xlsx", "docx")]
    for stage in STAGES:
        found += [
            f"/cities/ravenna/report/{stage}/",
            f"/cities/ravenna/report/{stage}/missing/",
            f"/cities/ravenna/report/{stage}/review/",
            f"/cities/ravenna/report/{stage}/import/",
            f"/cities/ravenna/report/{stage}/template/xlsx/",
        ]
    for solution in Solution.objects.select_related("consortium").order_by("pk"):
        found.append(f"/solutions/{solution.consortium.slug}/{solution.number}/")
        found.append(f"/admin/solutions/solution/{solution.pk}/change/")
    for kpi in KPI.objects.select_related("solution__consortium").order_by("pk"):
        found.append(f"/kpis/{kpi.pk}/")
    found += ["/kpis/sern/2.2/", "/kpis/2.2/", "/kpis/9.9/", "/cities/nowhere/"]
    for programme in Programme.objects.order_by("slug"):
        found += [f"/programmes/{programme.slug}/", f"/api/v1/programmes/{programme.slug}/"]
    found += ["/programmes/nowhere/"]
    measurement = Measurement.objects.order_by("pk").first()
    found += [f"/measurements/{measurement.pk}/history/", "/roadmap/", "/report/"]
    found += ["/accounts/login/", "/accounts/profile/", "/accounts/api-token/", "/no-such/"]
    api = "/api/v1/"
    for resource in (
        "programmes",
        "consortia",
        "cities",
        "solutions",
        "activities",
        "kpis",
        "measurements",
        "progress",
        "changes",
    ):
        found += [f"{api}{resource}/", f"{api}{resource}/?format=api"]
    found += [
        f"{api}",
        f"{api}measurements.csv?stage=final",
        f"{api}progress.csv",
        f"{api}measurements/?city=ravenna&stage=final",
        f"{api}progress/?consortium=sern&stage=final",
        f"{api}changes/?page_size=5",
        f"{api}cities/ravenna/",
        f"{api}measurements/{measurement.pk}/",
        f"{api}health/",
        f"{api}no-such/",
        "/api/schema/",
        "/api/docs/",
        "/admin/",
        "/admin/kpis/kpi/",
        "/admin/kpis/measurement/",
        "/admin/cities/city/",
    ]
    return found


NOISE = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'), r"\1CSRF"),
    (re.compile(r'(csrfToken["\']?\s*[:=]\s*["\'])[^"\']*'), r"\1CSRF"),
    (re.compile(r'(nonce=")[^"]*'), r"\1NONCE"),
    (re.compile(r"('nonce-)[^']*"), r"\1NONCE"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "HEX32"),
    # Django's debug 404 page names the view that raised it (its module moves with it).
    (re.compile(r'(<th scope="row">Raised by:</th>\s*<td>)[^<]*'), r"\1VIEW"),
]


def normalise(text: str) -> str:
    for pattern, replacement in NOISE:
        text = pattern.sub(replacement, text)
    today = datetime.datetime.now(datetime.UTC).date()
    for spelling in {
        today.isoformat(),
        today.strftime("%d/%m/%Y"),
        today.strftime("%d.%m.%Y"),
        today.strftime("%Y%m%d"),
        f"{today.day} {today:%B %Y}",
        f"{today:%b}. {today.day}, {today.year}",
        f"{today:%B} {today.day}, {today.year}",
        f"{today.day}/{today.month}/{today.year}",
    }:
        text = text.replace(spelling, "TODAY")
    text = re.sub(r"TODAY[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?", "TODAY NOW", text)
    text = re.sub(r"\b\d{1,2}[:.]\d\d( [ap]\.m\.)?", "HH:MM", text)
    text = re.sub(r"\b\d{1,2}( [ap]\.m\.)", "HH:MM", text)
    return text


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content[:2] == b"PK":
        parts = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in sorted(archive.namelist()):
                member = archive.read(name)
                try:
                    parts.append(f"== {name}\n{normalise(member.decode())}")
                except UnicodeDecodeError:
                    parts.append(f"== {name} sha1 {hashlib.sha1(member).hexdigest()}")
        return "\n".join(parts)
    if content[:4] == b"%PDF":
        return f"PDF of {len(content) // 1024} kB"
    try:
        text = content.decode()
    except UnicodeDecodeError:
        return f"binary {kind} sha1 {hashlib.sha1(content).hexdigest()}"
    if "json" in kind:
        try:
            text = json.dumps(json.loads(text), indent=1, ensure_ascii=False, sort_keys=True)
        except ValueError:
            pass
    return normalise(text)


def file_name(url: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._=-]+", "_", url.strip("/")) or "_root"
    return name + ".txt"


def counted(queries: list):
    """A database execute wrapper that notes each query (Django resets its own query log
    at every request start, so the log cannot count a request's queries)."""

    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def snapshot_pages(out: Path, only: str | None) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    every = urls()
    if only:
        every = [url for url in every if re.search(only, url)]
    users = {user.username: user for user in get_user_model().objects.all()}
    count = 0
    for reader in READERS:
        for language in LANGUAGES:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if reader != "anonymous":
                client.force_login(users[reader])
            folder = out / "pages" / reader / language
            folder.mkdir(parents=True, exist_ok=True)
            for url in every:
                # Cold (nothing kept: the counts kept for a minute would make a run's
                # answers depend on its speed), then warm (what the first one kept).
                for cache in settings.CACHES:
                    caches[cache].clear()
                cold, warm = [], []
                with connection.execute_wrapper(counted(cold)):
                    response = client.get(url)
                text = body_text(response)
                with connection.execute_wrapper(counted(warm)):
                    again = client.get(url)
                same = again.status_code == response.status_code and body_text(again) == text
                head = [
                    f"GET {url}",
                    f"status {response.status_code}",
                    f"queries {len(cold)} cold, {len(warm)} warm",
                    f"warm answer {'the same' if same else 'DIFFERS'}",
                    f"type {response.get('Content-Type', '')}",
                ]
                if response.has_header("Location"):
                    head.append(f"location {response['Location']}")
                if response.has_header("Content-Disposition"):
                    head.append(f"disposition {response['Content-Disposition']}")
                (folder / file_name(url)).write_text("\n".join(head) + "\n\n" + text)
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bench", action="store_true", help="also the bench query counts")
    parser.add_argument("--only", help="only the URLs this regular expression finds")
    options = parser.parse_args(argv)
    out = options.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / "snapshots.sqlite3"
        configure(database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", "data/sern.yaml", "data/letsgov.yaml", stdout=io.StringIO())
        count = snapshot_pages(out, options.only)
        print(f"{count} responses written under {out / 'pages'}")
        if options.only:
            return 0
        environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}
        subprocess.run(
            [python, "manage.py", "spectacular", "--validate", "--fail-on-warn"]
            + ["--file", str(out / "schema.yaml")],
            cwd=ROOT,
            env=environment,
            check=True,
        )
        print(f"schema written to {out / 'schema.yaml'}")
        if options.bench:
            bench_database = Path(work) / "bench.sqlite3"
            bench_environment = {**os.environ, "BENCH_DATABASE_URL": f"sqlite:///{bench_database}"}
            bench_environment.pop("DATABASE_URL", None)
            subprocess.run(
                [python, "bench/run.py", "--cities=12", "--solutions=2", "--kpis=4"]
                + ["--repeat=1"],
                cwd=ROOT,
                env=bench_environment,
                stdout=subprocess.DEVNULL,
                check=False,
            )
            results = json.loads((ROOT / "bench" / "results.json").read_text())
            lines = [
                f"{page['size']:<6} {page['page']:<20} {page['path']:<45} "
                f"queries {page['queries']} during render {page['queries_during_render']}"
                for page in results["pages"]
            ]
            (out / "bench.txt").write_text("\n".join(lines) + "\n")
            print(f"bench query counts written to {out / 'bench.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
