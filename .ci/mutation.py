#!/usr/bin/env python
"""Mutation score (``make mutation``): mutmut, one module at a time.

The modules: the four rules, the change log and data versions, the versioned pages, the
stored API answers and ETags, the change feed and its cursors, the spreadsheet reader and
the bulk writes.

The shared settings (what mutmut copies, pytest's options) are ``[tool.mutmut]`` in
pyproject.toml; each module is mutated on its own and its mutants run only against the
tests that cover it (``MODULES`` below; within those, mutmut runs per mutant only the
tests that call the mutated function). One worker by default (``MUTATION_CHILDREN=2``
for two), so the machine stays usable. The score per module (killed/total, %) is printed
as a table and written to ``mutation-score.txt`` (or the file given as first argument).

Each module's verdicts are kept in ``.mutation/<module>.json`` (mutant -> status) beside
its survivors' diffs (``.mutation/<module>.txt``). ``--survivors`` tests again only the
mutants that survived last time, or that no test reached (after tests were added; the
module's own code must be unchanged, else run it whole), so a module of 400 mutants is
re-scored in minutes; the table is always made from every mutant's latest verdict.

Usage: .venv/bin/python .ci/mutation.py [OUTPUT] [--only NAME ...] [--survivors]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: name -> (files to mutate, the tests that cover them)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "progress": (
        ["kpis/progress/"],
        ["tests/kpis/test_progress.py", "tests/kpis/test_progress_rules.py"],
    ),
    "entry rules": (
        ["kpis/reporting/rules.py", "icc_portal/numbers.py"],
        [
            "tests/kpis/test_entry_rules.py",
            "tests/kpis/test_entry_service.py",
            "tests/kpis/test_entry_forms.py",
            "tests/api/test_plain_numbers.py",
        ],
    ),
    "access": (
        ["cities/access.py"],
        [
            "tests/cities/test_access.py",
            "tests/test_permissions.py",
            "tests/changelog/test_log.py",
            "tests/kpis/test_changes_visibility.py",
            "tests/kpis/test_history.py",
        ],
    ),
    "review": (
        ["kpis/reporting/review.py"],
        [
            "tests/kpis/test_review.py",
            "tests/kpis/test_review_rules.py",
            "tests/kpis/test_history.py",
        ],
    ),
    "changelog": (
        [
            "changelog/log.py",
            "changelog/signals.py",
            "changelog/stamp.py",
            "changelog/versions.py",
            "changelog/management/commands/prune_changes.py",
        ],
        [
            "tests/changelog/test_log.py",
            "tests/changelog/test_versions.py",
            "tests/kpis/test_versioned_pages.py",
            "tests/kpis/test_versioned_admin_and_loader.py",
            "tests/kpis/test_versions_moved.py",
            "tests/api/test_changes_feed.py",
            "tests/api/test_feed_under_change.py",
        ],
    ),
    "versioned pages": (
        ["kpis/dashboards/versioned.py", "changelog/kept.py"],
        [
            "tests/test_cache_outage.py",
            "tests/kpis/test_versioned_pages.py",
            "tests/kpis/test_versioned_etags.py",
            "tests/kpis/test_versioned_workers.py",
            "tests/kpis/test_readers_in_sequence.py",
            "tests/kpis/test_versions_moved.py",
            "tests/api/test_answers_in_sequence.py",
            "tests/changelog/test_kept.py",
            "tests/kpis/test_whole_page_kept.py",
            "tests/kpis/test_parts_kept.py",
            "tests/kpis/test_pages_programme.py",
            "tests/kpis/test_page_recipes.py",
        ],
    ),
    "api answers": (
        ["icc_portal/api/conditional.py"],
        [
            "tests/api/test_conditional_reads.py",
            "tests/api/test_same_second_writes.py",
            "tests/api/test_stage_reviews.py",
            "tests/api/test_answers_in_sequence.py",
            "tests/api/test_shared_cache.py",
            "tests/api/test_query_budgets.py",
        ],
    ),
    "feed": (
        ["kpis/api/feed.py", "kpis/api/changes.py", "icc_portal/api/cursors.py"],
        [
            "tests/api/test_changes_feed.py",
            "tests/api/test_feed_under_change.py",
            "tests/api/test_feed_snapshot.py",
            "tests/api/test_cursor_pages.py",
        ],
    ),
    "spreadsheets": (
        ["kpis/exchange/reading.py", "kpis/exchange/imports.py"],
        [
            "tests/exchange/test_import.py",
            "tests/exchange/test_bad_files.py",
            "tests/exchange/test_import_api.py",
            "tests/exchange/test_template_version.py",
            "tests/exchange/test_csv_reader.py",
            "tests/exchange/test_bounded_uploads.py",
            "tests/exchange/test_import_hidden_characters.py",
            "tests/api/test_codes_in_writes.py",
            "tests/exchange/test_file_kinds.py",
            "tests/exchange/test_template_facts.py",
            "tests/exchange/test_import_rows.py",
        ],
    ),
    "bulk writes": (
        ["kpis/api/bulk.py"],
        ["tests/api/test_bulk_writes.py", "tests/kpis/test_versions_moved.py"],
    ),
}

RUNNER = r"""
import sys
from pathlib import Path
import mutmut.configuration as configuration
config = configuration._load_config()
config.source_paths = [Path(p) for p in {sources!r}]
config.resolved_mutated_source_paths = [
    Path.cwd().resolve(strict=True) / "mutants" / p for p in config.source_paths
]
config.pytest_add_cli_args_test_selection = {tests!r}
configuration._config = config
from mutmut.__main__ import cli
sys.argv = ["mutmut", *{argv!r}]
cli()
"""

RESULT = re.compile(r"^\s*(\S+__mutmut_\d+): (.+)$")


def _slug(name: str) -> str:
    return name.replace(" ", "-")


def sources_digest(name: str) -> str:
    """What the module's mutants were made from: a kept verdict holds only while it holds."""
    digest = hashlib.sha256()
    for source in MODULES[name][0]:
        path = ROOT / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def kept_verdicts(name: str) -> dict[str, str]:
    """The module's verdicts from its last run, if its code is unchanged since."""
    path = ROOT / ".mutation" / f"{_slug(name)}.json"
    if not path.exists():
        return {}
    kept = json.loads(path.read_text())
    return kept["verdicts"] if kept.get("sources") == sources_digest(name) else {}


def run_module(name: str, children: str, only_survivors: bool) -> dict[str, str]:
    """Every mutant of the module -> its latest status (killed, survived, timeout…)."""
    sources, tests = MODULES[name]
    tests = [t for t in tests if (ROOT / t).exists()]
    verdicts = kept_verdicts(name) if only_survivors else {}
    # "no tests": no test of the list called the mutated code; one added since may.
    again = sorted(m for m, status in verdicts.items() if status in ("survived", "no tests"))
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def mutmut(*argv: str, **kwargs) -> subprocess.CompletedProcess:
        code = RUNNER.format(sources=sources, tests=tests, argv=list(argv))
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, **kwargs)

    if verdicts:
        print(f"== {name}: {len(again)} survivors of {len(verdicts)} tested again", flush=True)
        if again:
            mutmut("run", "--max-children", children, *again, check=False)
    else:
        print(f"== mutating {name}: {' '.join(sources)} against {' '.join(tests)}", flush=True)
        mutmut("run", "--max-children", children, check=False)
    listing = mutmut("results", "--all", "true", capture_output=True, text=True).stdout
    fresh = {}
    for line in listing.splitlines():
        match = RESULT.match(line)
        if match:
            fresh[match.group(1)] = match.group(2).strip()
    if verdicts:
        fresh = {**verdicts, **{m: fresh[m] for m in again if m in fresh}}
    survivors = sorted(m for m, status in fresh.items() if status == "survived")
    # The survivors' diffs, to judge which are equivalent: .mutation/<module>.txt.
    diffs = [mutmut("show", mutant, capture_output=True, text=True).stdout for mutant in survivors]
    keep = ROOT / ".mutation"
    keep.mkdir(exist_ok=True)
    (keep / f"{_slug(name)}.txt").write_text("\n".join(diffs))
    (keep / f"{_slug(name)}.json").write_text(
        json.dumps({"sources": sources_digest(name), "verdicts": fresh}, indent=1, sort_keys=True)
    )
    return fresh


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", nargs="?", default="mutation-score.txt")
    parser.add_argument("--only", action="append", choices=sorted(MODULES))
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="test again only each module's last survivors (its code unchanged since)",
    )
    args = parser.parse_args()
    children = os.environ.get("MUTATION_CHILDREN", "1")
    rows = []
    for name in args.only or MODULES:
        by_status: dict[str, list[str]] = {}
        for mutant, status in run_module(name, children, args.survivors).items():
            by_status.setdefault(status, []).append(mutant)
        total = sum(len(v) for v in by_status.values())
        killed = len(by_status.get("killed", [])) + len(by_status.get("timeout", []))
        survived = sorted(by_status.get("survived", []))
        other = {k: len(v) for k, v in by_status.items() if k not in ("killed", "survived")}
        rows.append((name, killed, total, survived, other))
    lines = [f"{'module':<18}{'killed':>8}{'total':>8}{'score':>9}  other"]
    for name, killed, total, _survived, other in rows:
        score = f"{100 * killed / total:.1f} %" if total else "-"
        extra = ", ".join(f"{k}: {v}" for k, v in sorted(other.items()))
        lines.append(f"{name:<18}{killed:>8}{total:>8}{score:>9}  {extra}")
    lines.append("")
    for name, _killed, _total, survived, _other in rows:
        if survived:
            lines.append(f"survivors in {name} ({len(survived)}):")
            lines.extend(f"  {mutant}" for mutant in survived)
    report = "\n".join(lines) + "\n"
    print(report)
    Path(args.output).write_text(report)
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
