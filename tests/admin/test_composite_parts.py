"""Composite KPIs as the seed has them: a part's code is its composite's and one letter,
the composite's page asks only what applies to it and lists its parts, "Part of" names
the parent field, and the KPI list shows the direction (issue 24)."""

from __future__ import annotations

import pytest

from kpis.models import KPI
from tests.helpers.forms import add_inline_rows, field_errors, page_form, read_admin_form

pytestmark = pytest.mark.django_db

PART = {
    "unit": "plans",
    "value_type": "count",
    "target_value": "2",
    "target_scope": "city",
    "direction": "higher",
    "reporting_level": "city",
    "rollup": "sum",
}


def test_a_part_coded_off_its_composite_is_refused_beside_its_code(officer, setup_world):
    composite = setup_world.sern_composite
    url = f"/admin/kpis/kpi/{composite.pk}/change/"
    form = page_form(officer, url, read_admin_form)
    add_inline_rows(form, "parts", [{**PART, "code": "2.9c", "name_en": "Staff"}])

    response = officer.post(url, form)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "code") == [
        "A part's code is its composite's code and one letter: “1.5a”, “1.5b”… under 1.5."
    ]
    assert not KPI.objects.filter(code="2.9c").exists()


def test_the_refusal_is_translated(officer, setup_world):
    composite = setup_world.sern_composite
    url = f"/admin/kpis/kpi/{composite.pk}/change/"
    officer.cookies["django_language"] = "it"
    form = page_form(officer, url, read_admin_form)
    add_inline_rows(form, "parts", [{**PART, "code": "1.5bb", "name_en": "Staff"}])

    html = officer.post(url, form).content.decode()

    assert field_errors(html, "code") == [
        "Il codice di una parte è quello del suo KPI composito più una lettera: “1.5a”, "
        "“1.5b”… sotto 1.5."
    ]


def test_a_part_coded_from_its_composite_is_saved(officer, setup_world):
    composite = setup_world.sern_composite
    url = f"/admin/kpis/kpi/{composite.pk}/change/"
    form = page_form(officer, url, read_admin_form)
    add_inline_rows(form, "parts", [{**PART, "code": "1.5b", "name_en": "Staff"}])

    assert officer.post(url, form).status_code == 302
    assert composite.parts.filter(code="1.5b").exists()


def test_the_composite_page_asks_only_what_applies_and_lists_its_parts(officer, setup_world):
    html = officer.get(f"/admin/kpis/kpi/{setup_world.sern_composite.pk}/change/").content.decode()
    for field in ("value_type", "target_value", "target_scope", "direction", "rollup", "parent"):
        assert f'name="{field}"' not in html
    assert 'name="name_en"' in html and 'name="name_it"' in html
    assert 'value="1.5a"' in html  # its part, in the parts table


def test_a_part_page_names_its_composite_part_of(officer, setup_world):
    html = officer.get(f"/admin/kpis/kpi/{setup_world.sern_part.pk}/change/").content.decode()
    assert "Part of" in html
    assert "Composite KPI:" not in html
    assert 'name="value_type"' in html


def test_the_kpi_list_has_a_direction_column(officer, setup_world):
    html = officer.get("/admin/kpis/kpi/").content.decode()
    assert "column-direction" in html


NOT_FOR_A_COMPOSITE = (
    "value_type",
    "target_value",
    "target_scope",
    "direction",
    "reporting_level",
    "rollup",
    "parent",
)


def test_a_composite_added_as_one_is_asked_only_what_applies_and_saved_with_its_parts(
    officer, setup_world
):
    solution = setup_world.sern_solution
    url = f"/admin/kpis/kpi/add/?solution={solution.pk}&kind=composite"
    html = officer.get(url).content.decode()
    for field in NOT_FOR_A_COMPOSITE:
        assert f'name="{field}"' not in html
    assert 'name="parts-__prefix__-rollup"' in html  # each part asks its own
    assert "figures are entered for each of its parts" in html

    form = page_form(officer, url, read_admin_form)
    form.update(code=["1.6"], name_en=["Plans and the staff behind them"])
    add_inline_rows(
        form,
        "parts",
        [
            {**PART, "code": "1.6a", "name_en": "Plans", "unit_en": "plans"},
            {**PART, "code": "1.6b", "name_en": "Staff", "unit_en": "people", "rollup": "mean"},
        ],
    )
    assert officer.post(url, form).status_code == 302
    composite = KPI.objects.get(solution=solution, code="1.6")
    parts = composite.parts.order_by("code")
    assert [(part.code, part.unit, part.rollup) for part in parts] == [
        ("1.6a", "plans", "sum"),
        ("1.6b", "people", "mean"),
    ]


def test_a_composite_without_parts_is_refused_and_says_so(officer, setup_world):
    solution = setup_world.sern_solution
    url = f"/admin/kpis/kpi/add/?solution={solution.pk}&kind=composite"
    form = page_form(officer, url, read_admin_form)
    form.update(code=["1.6"], name_en=["Plans and the staff behind them"])

    html = officer.post(url, form).content.decode()

    assert "A composite KPI is made of its parts: add them below, at least one." in html
    assert not KPI.objects.filter(solution=solution, code="1.6").exists()


def test_a_single_kpi_is_asked_everything_and_the_composite_has_its_own_link(officer, setup_world):
    solution = setup_world.sern_solution
    html = officer.get(f"/admin/kpis/kpi/add/?solution={solution.pk}").content.decode()
    for field in NOT_FOR_A_COMPOSITE:
        assert f'name="{field}"' in html
    assert 'name="parts-__prefix__-code"' not in html
    composite_link = "/admin/kpis/kpi/add/?kind=composite"
    assert composite_link in officer.get("/admin/kpis/kpi/").content.decode()
    solution_page = officer.get(f"/admin/solutions/solution/{solution.pk}/change/")
    assert f"/admin/kpis/kpi/add/?solution={solution.pk}&amp;kind=composite" in (
        solution_page.content.decode()
    )
