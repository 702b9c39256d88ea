"""The loader speaks like the admin: the line and column of a problem, the valid choices, the
key or slug probably meant, the same rules as the admin's forms; warnings where the admin warns.

Each test breaks one thing in a copy of ``data/sern.yaml`` and reads the command's answer.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.models import Consortium

pytestmark = pytest.mark.django_db

SERN_FILE = Path(__file__).resolve().parents[2] / "data" / "sern.yaml"


def broken_copy(tmp_path, old: str, new: str) -> Path:
    text = SERN_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "sern-edited.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def refusal(path: Path) -> str:
    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--no-accounts", str(path), stdout=StringIO())
    assert not Consortium.objects.exists(), "nothing is written"
    return str(error.value)


def test_a_misspelt_key_is_answered_with_its_line_and_the_key_it_probably_meant(tmp_path):
    path = broken_copy(tmp_path, '        target_value: "2"\n', '        traget_value: "2"\n')

    message = refusal(path)

    line = line_of(path, "traget_value")
    assert message.startswith(
        f"{path}, line {line}, column 9: KPI 1.1: unknown key 'traget_value'. "
        "Did you mean 'target_value'? The keys here are: code, data_source, direction"
    )
    assert message.endswith("— nothing was written.")


def test_a_value_outside_the_choices_lists_them_and_suggests_the_closest(tmp_path):
    path = broken_copy(tmp_path, "        rollup: count_met", "        rollup: count-met")

    message = refusal(path)

    line = line_of(path, "rollup: count-met")
    assert (
        f"line {line}, column 17: KPI 1.1: rollup: 'count-met' is not one of sum, mean, "
        "count_met, all, any, none. Did you mean 'count_met'?"
    ) in message


def test_an_unknown_choice_without_a_close_one_still_lists_the_choices(tmp_path):
    path = broken_copy(tmp_path, "target_scope: country", "target_scope: region")
    assert "target_scope: 'region' is not one of city, country, consortium." in refusal(path)


def test_a_misspelt_city_slug_is_answered_with_the_city_probably_meant(tmp_path):
    path = broken_copy(tmp_path, "lead_cities: [ravenna]", "lead_cities: [ravena]")

    message = refusal(path)

    line = line_of(path, "lead_cities: [ravena]")
    assert (
        f"line {line}, column 19: solution 2: unknown city 'ravena' (not in this file's "
        "cities: cervia, ravenna, trollhattan, vanersborg). Did you mean 'ravenna'?"
    ) in message


def test_a_misspelt_kpi_code_in_a_measurement_suggests_the_code(tmp_path):
    path = broken_copy(tmp_path, 'kpi: "2.2"', 'kpi: "2.22"')
    assert "unknown KPI code '2.22'. Did you mean '2.2'?" in refusal(path)


def test_an_unquoted_decimal_is_refused_with_its_line(tmp_path):
    path = broken_copy(tmp_path, 'work_days_per_city: "2.5"', "work_days_per_city: 2.5")

    message = refusal(path)

    line = line_of(path, "work_days_per_city: 2.5")
    assert (
        f"line {line}, column 29: activity 1.2: work_days_per_city: write the decimal 2.5 in "
        'quotes ("2.5")'
    ) in message


def test_a_key_written_twice_is_refused_with_both_lines(tmp_path):
    path = broken_copy(
        tmp_path, "        unit: departments\n", "        unit: departments\n        unit: staff\n"
    )
    first = line_of(path, "unit: departments")
    assert f"key 'unit' appears twice (lines {first} and {first + 1})" in refusal(path)


def test_the_admins_rules_refuse_a_roll_up_that_does_not_fit(tmp_path):
    path = broken_copy(
        tmp_path,
        "        value_type: boolean\n        target_scope: consortium\n        direction: higher\n"
        "        reporting_level: consortium\n        rollup: none",
        "        value_type: boolean\n        target_scope: consortium\n        direction: higher\n"
        "        reporting_level: consortium\n        rollup: sum",
    )
    assert (
        "KPI 3.2: rollup: “Sum” does not fit a yes/no KPI: choose “All cities say yes”, “Any "
        "city says yes”, “No roll-up”."
    ) in refusal(path)


def test_a_lead_city_that_does_not_implement_the_solution_is_refused(tmp_path):
    path = broken_copy(tmp_path, "lead_cities: [ravenna]", "lead_cities: [vanersborg]")
    assert (
        "solution 2: lead_cities: Vänersborg leads the solution but does not implement it"
    ) in refusal(path)


def test_a_city_of_no_membership_is_refused_as_implementing_city(tmp_path):
    path = broken_copy(tmp_path, "    - {city: cervia, role: member}\n", "")
    assert (
        "solution 1: implementing_cities: Cervia is not a member of SERN. Add it to the "
        "consortium first"
    ) in refusal(path)


def test_target_words_that_contradict_the_value_load_with_a_warning(tmp_path):
    path = broken_copy(
        tmp_path, 'target_text: "2 in each city"', 'target_text: "-20% in each city"'
    )
    out = StringIO()

    call_command("load_demo", "--no-accounts", str(path), stdout=out)

    line = line_of(path, "-20% in each city")
    assert (
        f"Warning: {path}, line {line}: KPI 1.1: “Target as worded” says “-20% in each city” "
        "but the target value is 2"
    ) in out.getvalue()


def test_the_demo_files_load_without_a_warning():
    out = StringIO()
    call_command("load_demo", "--no-accounts", stdout=out)
    assert "Warning" not in out.getvalue()


def test_loading_a_file_that_is_not_the_demo_never_prints_the_demo_password(tmp_path, settings):
    settings.DEBUG = True
    own = tmp_path / "our-network.yaml"
    own.write_text(SERN_FILE.read_text(encoding="utf-8"), encoding="utf-8")

    output = StringIO()
    call_command("load_demo", str(own), stdout=output)

    assert settings.DEMO_PASSWORD not in output.getvalue()
    assert "Demo accounts" not in output.getvalue()
