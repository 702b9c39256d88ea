"""A composite KPI and its parts are built on one admin page, and every refusal is shown
beside its field (issue: a 500 on add, "Please correct the error below." with nothing marked
on change)."""

from __future__ import annotations

import pytest

from kpis.models import KPI
from tests.helpers.forms import add_inline_rows, field_errors, page_form, read_admin_form

pytestmark = pytest.mark.django_db

ADD_KPI = "/admin/kpis/kpi/add/"


def letsgov_solution(world):
    from tests.solutions.factories import SolutionFactory

    solution = SolutionFactory(consortium=world.letsgov, number=1, title="Energy communities")
    solution.implementing_cities.set([world.cities.bologna, world.cities.milan])
    return solution


def composite_form(officer, solution, **changes):
    form = page_form(officer, f"{ADD_KPI}?solution={solution.pk}&kind=composite", read_admin_form)
    form.update(
        code=["1.1"],
        name_en=["Energy communities set up and members"],
        value_type=["count"],
        rollup=["none"],
        target_scope=["city"],
    )
    form.update({key: [value] for key, value in changes.items()})
    return form


PART = {
    "unit_en": "communities",
    "value_type": "count",
    "target_value": "2",
    "target_scope": "city",
    "direction": "higher",
    "reporting_level": "city",
    "rollup": "sum",
}


def test_a_composite_kpi_is_added_with_two_parts_that_take_its_solution(officer, setup_world):
    solution = letsgov_solution(setup_world)
    form = composite_form(officer, solution)
    add_inline_rows(
        form,
        "parts",
        [
            {**PART, "code": "1.1a", "name_en": "Energy communities set up"},
            {
                **PART,
                "code": "1.1b",
                "name_en": "Members",
                "unit_en": "households",
                "rollup": "mean",
            },
        ],
    )

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}&kind=composite", form)

    assert response.status_code == 302, field_errors(response.content.decode(), "code")
    composite = KPI.objects.get(solution=solution, code="1.1")
    parts = composite.parts.order_by("code")
    assert [(part.code, part.solution, part.rollup) for part in parts] == [
        ("1.1a", solution, "sum"),
        ("1.1b", solution, "mean"),
    ]
    assert str(parts[0]) == "Let's GOv · 1.1a Energy communities set up"


def test_the_part_form_shows_every_field_a_part_needs(officer, setup_world):
    html = officer.get(f"{ADD_KPI}?kind=composite").content.decode()
    template = html[html.index('id="parts-empty"') :]
    for field in ("code", "name_en", "unit_en", "value_type", "target_value", "target_scope"):
        assert f'name="parts-__prefix__-{field}"' in template
    # A part's row fits the page: its Italian and Swedish words are asked on its own page.
    for field in ("name_it", "unit_sv"):
        assert f'name="parts-__prefix__-{field}"' not in template
    for field in ("direction", "reporting_level", "rollup"):
        assert f'name="parts-__prefix__-{field}"' in template
    assert 'name="parts-__prefix__-solution"' not in template


def test_a_part_with_a_code_already_used_in_the_solution_is_refused_beside_its_code(
    officer, setup_world
):
    solution = letsgov_solution(setup_world)
    KPI.objects.create(solution=solution, code="1.1a", name="Already there")
    form = composite_form(officer, solution)
    add_inline_rows(form, "parts", [{**PART, "code": "1.1a", "name_en": "Communities"}])

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}&kind=composite", form)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "code") == [
        "Code: the solution already has a KPI with this code."
    ]
    assert not KPI.objects.filter(code="1.1").exists()


def test_two_parts_with_one_code_are_refused_beside_the_second(officer, setup_world):
    solution = letsgov_solution(setup_world)
    form = composite_form(officer, solution)
    add_inline_rows(
        form,
        "parts",
        [{**PART, "code": "1.1a", "name_en": "One"}, {**PART, "code": "1.1a", "name_en": "Two"}],
    )

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}&kind=composite", form)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "code") == [
        "Code 1.1a is already used by this KPI or another of its parts."
    ]


def test_a_part_left_empty_is_refused_not_dropped(officer, setup_world):
    solution = letsgov_solution(setup_world)
    form = composite_form(officer, solution)
    add_inline_rows(form, "parts", [{"value_type": "count", "target_scope": "city"}])

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}&kind=composite", form)

    assert response.status_code == 200
    assert "Fill in “Code”, or remove this row." in field_errors(response.content.decode(), "code")


def test_a_part_error_on_the_change_page_is_shown_beside_its_field(officer, setup_world):
    composite = setup_world.sern_composite
    url = f"/admin/kpis/kpi/{composite.pk}/change/"
    form = page_form(officer, url, read_admin_form)
    add_inline_rows(
        form, "parts", [{**PART, "code": "1.5b", "name_en": "Staff", "value_type": "boolean"}]
    )

    response = officer.post(url, form)

    html = response.content.decode()
    assert response.status_code == 200
    # A yes/no part with a target value and a sum: both said beside their fields.
    assert field_errors(html, "target_value") == [
        "A yes/no KPI has no target value: leave it empty. For a yes/no KPI the direction "
        "says which answer is the goal."
    ]
    assert field_errors(html, "rollup") == [
        "“Sum” does not fit a yes/no KPI: choose “All cities say yes”, “Any city says yes”, "
        "“No roll-up”. Otherwise the country and consortium cells stay empty."
    ]
    assert 'type="hidden"' not in html.split("errorlist")[1][:200]


def test_a_part_cannot_have_parts(officer, setup_world):
    part = setup_world.sern_part
    html = officer.get(f"/admin/kpis/kpi/{part.pk}/change/").content.decode()
    assert 'id="parts-group"' not in html
