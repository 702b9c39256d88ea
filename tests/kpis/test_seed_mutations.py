"""Proof that the seed tests notice any single value of data/sern.yaml changing.

For every measurement field (status, value, yes/no, text answer, reason, note, as-of date)
and every KPI's value type, target, target scope, direction, reporting level and roll-up,
a copy of data/sern.yaml with that one value changed is loaded (inside a savepoint, rolled
back after) and every test of ``test_seed_figures.py`` is run against it: at least one must
fail. A change they all pass with *survived*.

Slow (a few minutes: one load per change), so it runs only with ``ICC_SEED_MUTATIONS=1``:
``make seed-mutations``. It prints caught/total.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import transaction

from cities.models import Consortium
from kpis.models import Measurement
from tests.kpis import test_seed_figures as seed_tests

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("ICC_SEED_MUTATIONS") != "1",
        reason="slow: make seed-mutations (ICC_SEED_MUTATIONS=1) runs it",
    ),
]

SOURCE = Path(__file__).resolve().parents[2] / "data" / "sern.yaml"

STATUSES = ["reported", "not_available", "not_applicable", "not_reported"]
OTHER = {
    "value_type": {"count": "number", "number": "count", "text": "number", "boolean": "text"},
    "target_scope": {"city": "country", "country": "consortium", "consortium": "city"},
    "direction": {"higher": "lower", "lower": "higher"},
    "reporting_level": {"city": "consortium", "consortium": "city"},
    "rollup": {"sum": "mean", "mean": "sum", "count_met": "sum", "none": "sum"},
}


def changed(field: str, value):
    """One plausible slip in a value: another status, one more, a word changed."""
    if field == "status":
        return STATUSES[(STATUSES.index(value) + 1) % len(STATUSES)]
    if field in ("value", "target_value"):
        return str(int(value) + 1) if value is not None else "1"
    if field == "boolean":
        return not value
    if field == "as_of":
        return value.replace(day=value.day - 1 if value.day > 1 else 2)
    if field in OTHER:
        return OTHER[field][value]
    return f"{value} (changed)"


def mutations(data: dict):
    """(label, mutated data) for every seed value, one at a time."""
    for index, measurement in enumerate(data["measurements"]):
        where = (
            f"{measurement.get('city') or 'consortium'} {measurement['kpi']} {measurement['stage']}"
        )
        for field in ("status", "value", "boolean", "text", "reason", "note", "as_of"):
            if field not in measurement:
                continue
            copy = _deep(data)
            copy["measurements"][index][field] = changed(field, measurement[field])
            yield f"{where}: {field} {measurement[field]!r}", copy
    for s_index, solution in enumerate(data["solutions"]):
        for k_index, kpi in enumerate(solution.get("kpis", [])):
            for field in ("value_type", "target_value", "target_scope", "direction"):
                yield from _kpi_change(data, s_index, k_index, kpi, field)
            for field in ("reporting_level", "rollup"):
                yield from _kpi_change(data, s_index, k_index, kpi, field)


def _kpi_change(data, s_index, k_index, kpi, field):
    if field not in kpi and field != "target_value":
        return
    copy = _deep(data)
    copy["solutions"][s_index]["kpis"][k_index][field] = changed(field, kpi.get(field))
    yield f"KPI {kpi['code']}: {field} {kpi.get(field)!r}", copy


def _deep(data):
    return yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))


class _Rollback(Exception):
    pass


def _calls():
    """Every test of test_seed_figures.py with its parameters: (name, function, kwargs)."""
    for name, function in inspect.getmembers(seed_tests, inspect.isfunction):
        if not name.startswith("test_"):
            continue
        cases = [{}]
        for mark in getattr(function, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names = (
                [n.strip() for n in mark.args[0].split(",")]
                if isinstance(mark.args[0], str)
                else list(mark.args[0])
            )
            rows = [row if len(names) > 1 else (row,) for row in mark.args[1]]
            cases = [
                {**case, **dict(zip(names, row, strict=True))} for case in cases for row in rows
            ]
        for case in cases:
            yield name, function, case


def _fails(path: Path) -> bool:
    """Whether some seed test fails with the data of ``path`` loaded."""
    try:
        with transaction.atomic():
            try:
                call_command("load_demo", str(path), "--no-accounts", stdout=open(os.devnull, "w"))
            except Exception:
                return True  # the file no longer loads: as loud as a failing test
            sern = Consortium.objects.get(slug="sern")
            rows = Measurement.objects.filter(kpi__solution__consortium=sern)
            stored = {
                seed_tests._key(row.city.slug if row.city else None, row.kpi.code, row.stage): row
                for row in rows.select_related("kpi", "city")
            }
            for _name, function, case in _calls():
                wanted = inspect.signature(function).parameters
                kwargs = {**case, "sern": sern, "stored": stored}
                try:
                    function(**{key: kwargs[key] for key in wanted})
                except AssertionError:
                    return True
            raise _Rollback
    except _Rollback:
        return False


def test_every_single_change_to_the_seed_data_is_caught(capsys):
    data = yaml.safe_load(SOURCE.read_text())
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "sern.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        assert not _fails(path), "the seed tests fail on an unchanged copy: nothing to prove"
        total, survivors = 0, []
        limit = int(os.environ.get("ICC_SEED_MUTATIONS_LIMIT", "0")) or None
        for label, mutated in mutations(data):
            if limit is not None and total >= limit:
                break
            total += 1
            path.write_text(yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False))
            if not _fails(path):
                survivors.append(label)
    with capsys.disabled():
        print(f"\n{total - len(survivors)}/{total} single changes to data/sern.yaml caught")
        for label in survivors:
            print(f"  survived: {label}")
    assert survivors == []
