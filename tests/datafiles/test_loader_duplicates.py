"""The loader refuses what it cannot keep apart: it writes by natural keys (slugs, numbers,
codes), so two entries of one file with the same key would become one row silently. Each
such key met twice is refused with both lines, and nothing is written.

Each test edits a copy of ``data/sern.yaml`` and reads the command's answer.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.models import Consortium

pytestmark = pytest.mark.django_db

SERN_FILE = Path(__file__).resolve().parents[2] / "data" / "sern.yaml"


def edited_copy(tmp_path, old: str, new: str, count: int = 1) -> Path:
    text = SERN_FILE.read_text(encoding="utf-8")
    assert text.count(old) >= count
    path = tmp_path / "sern-edited.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def lines_of(path: Path, needle: str) -> list[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if line == needle]


def refusal(path: Path) -> str:
    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--no-accounts", str(path), stdout=StringIO())
    assert not Consortium.objects.exists(), "nothing is written"
    return str(error.value)


def test_an_activity_code_used_twice_in_one_solution_is_refused_with_both_lines(tmp_path):
    path = edited_copy(
        tmp_path,
        '      - code: "1.2"\n        title: Transnational',
        '      - code: "1.1"\n        title: Transnational',
    )

    message = refusal(path)

    first, again = lines_of(path, '      - code: "1.1"')[:2]
    assert (
        f"line {again}, column 15: activity 1.1: activity code '1.1' used twice in solution 1 "
        f"in this file (lines {first} and {again}): the second entry would overwrite the first."
    ) in message


def test_a_solution_number_used_twice_is_refused_with_both_lines(tmp_path):
    path = edited_copy(tmp_path, "  - number: 2\n    title:", "  - number: 1\n    title:")

    message = refusal(path)

    first, again = lines_of(path, "  - number: 1")[1:3]  # the first is an ambition statement
    assert (
        f"solution 1: solution number 1 used twice in this file (lines {first} and {again})"
    ) in message


def test_a_kpi_code_used_twice_names_both_lines(tmp_path):
    path = edited_copy(
        tmp_path,
        '      - code: "1.4"\n        # seed (table)',
        '      - code: "1.1"\n        # seed (table)',
    )

    message = refusal(path)

    kpi_lines = [line for line in lines_of(path, '      - code: "1.1"') if line > 205]
    assert f"KPI 1.1: KPI code '1.1' used twice in this file (lines {kpi_lines[0]} and " in message


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("  - slug: cervia\n", "  - slug: ravenna\n", "city slug 'ravenna' used twice"),
        (
            "    - {city: cervia, role: member}",
            "    - {city: ravenna, role: member}",
            "member city 'ravenna' used twice",
        ),
        (
            "ambition_statements:\n  - number: 1\n",
            "ambition_statements:\n  - number: 2\n",
            "ambition statement number 2 used twice",
        ),
        (
            "    - number: 2\n      name:",
            "    - number: 1\n      name:",
            "phase number 1 used twice",
        ),
        (
            "    - city: vanersborg\n      ambition:",
            "    - city: trollhattan\n      ambition:",
            "three-year plan of city 'trollhattan' used twice",
        ),
        (
            "    - number: 2\n      text:",
            "    - number: 1\n      text:",
            "lesson number 1 used twice",
        ),
    ],
    ids=["city", "member", "ambition-statement", "phase", "plan", "lesson"],
)
def test_every_other_key_used_twice_is_refused_too(tmp_path, old, new, words):
    path = edited_copy(tmp_path, old, new)

    message = refusal(path)

    assert words in message and "(lines " in message


def test_a_figure_given_twice_is_refused_with_both_lines(tmp_path):
    text = SERN_FILE.read_text(encoding="utf-8")
    start = text.index('  - kpi: "2.1"\n    city: trollhattan\n    stage: final\n')
    end = text.index("  - kpi:", start + 10)
    path = tmp_path / "sern-edited.yaml"
    path.write_text(text[:end] + text[start:end] + text[end:], encoding="utf-8")

    message = refusal(path)

    first, again = lines_of(path, '  - kpi: "2.1"')[:2]
    assert (
        f"measurement 'KPI 2.1, trollhattan, final' used twice in this file "
        f"(lines {first} and {again})"
    ) in message
