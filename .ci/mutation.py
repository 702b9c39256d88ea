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

Usage: .venv/bin/python .ci/mutation.py [OUTPUT] [--only NAME ...]
"""

from __future__ import annotations

import argparse
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
        ],
    ),
    "api answers": (
        ["icc_portal/api/conditional.py"],
        [
            "tests/api/test_conditional_reads.py",
            "tests/api/test_answers_in_sequence.py",
            "tests/api/test_shared_cache.py",
        ],
    ),
    "feed": (
        ["kpis/api/feed.py", "kpis/api/changes.py", "icc_portal/api/cursors.py"],
        [
            "tests/api/test_changes_feed.py",
            "tests/api/test_feed_under_change.py",
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


def run_module(name: str, children: str) -> dict[str, list[str]]:
    sources, tests = MODULES[name]
    tests = [t for t in tests if (ROOT / t).exists()]
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def mutmut(*argv: str, **kwargs) -> subprocess.CompletedProcess:
        code = RUNNER.format(sources=sources, tests=tests, argv=list(argv))
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, **kwargs)

    print(f"== mutating {name}: {' '.join(sources)} against {' '.join(tests)}", flush=True)
    mutmut("run", "--max-children", children, check=False)
    listing = mutmut("results", "--all", "true", capture_output=True, text=True).stdout
    by_status: dict[str, list[str]] = {}
    for line in listing.splitlines():
        match = RESULT.match(line)
        if match:
            by_status.setdefault(match.group(2).strip(), []).append(match.group(1))
    # The survivors' diffs, to judge which are equivalent: .mutation/<module>.txt.
    diffs = [
        mutmut("show", mutant, capture_output=True, text=True).stdout
        for mutant in sorted(by_status.get("survived", []))
    ]
    keep = ROOT / ".mutation" / f"{name.replace(' ', '-')}.txt"
    keep.parent.mkdir(exist_ok=True)
    keep.write_text(listing + "\n" + "\n".join(diffs))
    return by_status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", nargs="?", default="mutation-score.txt")
    parser.add_argument("--only", action="append", choices=sorted(MODULES))
    args = parser.parse_args()
    children = os.environ.get("MUTATION_CHILDREN", "1")
    rows = []
    for name in args.only or MODULES:
        by_status = run_module(name, children)
        total = sum(len(v) for v in by_status.values())
        killed = len(by_status.get("killed", [])) + len(by_status.get("timeout", []))
        survived = sorted(by_status.get("survived", []))
        other = {k: len(v) for k, v in by_status.items() if k not in ("killed", "survived")}
        rows.append((name, killed, total, survived, other))
    lines = [f"{'module':<18}{'killed':>8}{'total':>8}{'score':>9}  other"]
    for name, killed, total, _survived, other in rows:
        score = f"{100 * killed / total:.1f} %" if total else "-"
        extra = ", ".join(f"{k}: {v}" for k, v in sorted(other.items()) if k != "timeout")
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
