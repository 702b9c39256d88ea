"""Nonsense typed into the admin (another consortium's cities in a solution, a lead city
that does not implement it, a KPI whose parts do not fit together, a duplicate code, a
coordinator row without a city, a member city leaving while in a solution, a part of
another solution's composite) is refused with a sentence beside the field it is about.

Each test posts the admin's own form as a programme officer fills it in and reads the
message in the field's row: never a constraint's name, never a server error.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from kpis.models import KPI
from solutions.models import Solution
from tests.helpers.forms import add_inline_rows, field_errors, page_form, read_admin_form

pytestmark = pytest.mark.django_db

ADD_SOLUTION = "/admin/solutions/solution/add/"
ADD_KPI = "/admin/kpis/kpi/add/"


def solution_form(officer, world, **changes):
    form = page_form(officer, f"{ADD_SOLUTION}?consortium={world.letsgov.pk}", read_admin_form)
    form.update(number=["1"], title_en=["Energy communities"])
    form.update(changes)
    return form


def test_cities_of_another_consortium_are_refused_as_lead_and_implementing(officer, setup_world):
    """The pickers offer Let's GOv's members only; cities of SERN sent all the same (an old
    page, a second tab) are refused by name, beside the list they were chosen in."""
    cities = setup_world.cities
    form = solution_form(
        officer,
        setup_world,
        lead_cities=[str(cities.ravenna.pk)],
        implementing_cities=[str(cities.trollhattan.pk), str(cities.bologna.pk)],
    )
    response = officer.post(f"{ADD_SOLUTION}?consortium={setup_world.letsgov.pk}", form)

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "lead_cities") == [
        "Ravenna is not a member of Let's GOv. Add it to the consortium first, or choose one "
        "of its member cities."
    ]
    assert field_errors(html, "implementing_cities") == [
        "Trollhättan is not a member of Let's GOv. Add it to the consortium first, or choose "
        "one of its member cities."
    ]
    assert not Solution.objects.filter(consortium=setup_world.letsgov).exists()


def test_several_outsiders_are_named_together(setup_world):
    """The rule itself, as the admin form and the loader ask it."""
    from solutions.models import solution_city_errors

    cities = setup_world.cities
    errors = solution_city_errors(setup_world.letsgov, [], [cities.trollhattan, cities.ravenna])
    assert [str(message) for error in errors["implementing_cities"] for message in error] == [
        "Ravenna, Trollhättan are not members of Let's GOv. Add them to the consortium first, "
        "or choose among its member cities."
    ]


def test_solution_form_refuses_non_members_when_the_consortium_is_chosen_in_the_form(
    officer, setup_world
):
    """Opened from the solutions list, the form offers every city, each saying its
    consortia; choosing Let's GOv and a SERN city is refused in words."""
    cities = setup_world.cities
    form = page_form(officer, ADD_SOLUTION, read_admin_form)
    form.update(
        consortium=[str(setup_world.letsgov.pk)],
        number=["1"],
        title_en=["Energy communities"],
        lead_cities=[str(cities.ravenna.pk)],
        implementing_cities=[str(cities.ravenna.pk)],
    )
    response = officer.post(ADD_SOLUTION, form)
    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "lead_cities") == [
        "Ravenna is not a member of Let's GOv. Add it to the consortium first, or choose one "
        "of its member cities."
    ]
    # The page comes back offering Let's GOv's members.
    offered = re.findall(r'<select name="lead_cities".*?</select>', html, flags=re.S)[0]
    assert "Bologna" in offered and "Ravenna" not in offered


def test_a_lead_city_that_does_not_implement_the_solution_is_refused(officer, setup_world):
    cities = setup_world.cities
    form = solution_form(
        officer,
        setup_world,
        lead_cities=[str(cities.bologna.pk)],
        implementing_cities=[str(cities.milan.pk)],
    )
    response = officer.post(f"{ADD_SOLUTION}?consortium={setup_world.letsgov.pk}", form)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "lead_cities") == [
        "Bologna leads the solution but does not implement it: tick it among the implementing "
        "cities too, or do not make it a lead city."
    ]


def test_a_sound_solution_is_saved_with_its_cities(officer, setup_world):
    cities = setup_world.cities
    form = solution_form(
        officer,
        setup_world,
        lead_cities=[str(cities.bologna.pk)],
        implementing_cities=[str(cities.bologna.pk), str(cities.milan.pk)],
    )
    response = officer.post(f"{ADD_SOLUTION}?consortium={setup_world.letsgov.pk}", form)
    assert response.status_code == 302
    solution = Solution.objects.get(consortium=setup_world.letsgov, number=1)
    assert set(solution.implementing_cities.values_list("slug", flat=True)) == {"bologna", "milan"}


def kpi_form(officer, solution, **changes):
    form = page_form(officer, f"{ADD_KPI}?solution={solution.pk}", read_admin_form)
    form.update(code=["1.1"], name_en=["Survey done"])
    form.update({key: [value] for key, value in changes.items()})
    return form


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"value_type": "boolean", "rollup": "sum"},
            "rollup",
            "“Sum” does not fit a yes/no KPI: choose “All cities say yes”, “Any city says "
            "yes”, “No roll-up”. Otherwise the country and consortium cells stay empty.",
        ),
        (
            {"value_type": "text", "rollup": "mean"},
            "rollup",
            "“Mean” does not fit a text KPI: choose “No roll-up”. Otherwise the country and "
            "consortium cells stay empty.",
        ),
        (
            {"value_type": "count", "rollup": "all"},
            "rollup",
            "“All cities say yes” does not fit a count KPI: choose “Sum”, “Mean”, “Number of "
            "cities that met their target”, “No roll-up”. Otherwise the country and consortium "
            "cells stay empty.",
        ),
        (
            {"value_type": "text", "rollup": "none", "target_value": "3"},
            "target_value",
            "A text KPI has no target value: leave it empty. For a yes/no KPI the direction "
            "says which answer is the goal.",
        ),
        (
            {"value_type": "percent", "target_value": "120"},
            "target_value",
            "A percentage target is at most 100.",
        ),
        (
            {"reporting_level": "consortium", "target_scope": "city"},
            "target_scope",
            "The consortium reports this KPI once, so its target is for the whole consortium: "
            "choose “Consortium-wide”, or let each city report.",
        ),
        (
            {"value_type": "boolean", "rollup": "all", "target_basis": "change"},
            "target_basis",
            "A yes/no KPI cannot have a target relative to the baseline: only a count, number "
            "or percentage changes by a percentage. Choose “A figure to reach”.",
        ),
        (
            {"rollup": "count_met", "target_scope": "country", "target_value": "2"},
            "rollup",
            "Counting the cities that met their target needs a target value for each city: "
            "set the target value and choose “Each city” as its scope.",
        ),
    ],
)
def test_a_kpi_that_does_not_fit_together_is_refused_beside_the_field(
    officer, setup_world, changes, field, message
):
    solution = setup_world.sern_solution
    form = kpi_form(officer, solution, **changes)

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}", form)

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, field) == [message]
    assert "Constraint “" not in html and "is violated" not in html
    assert not KPI.objects.filter(solution=solution, code="1.1").exists()


def test_target_as_worded_that_contradicts_the_value_is_saved_with_a_warning(officer, setup_world):
    solution = setup_world.sern_solution
    form = kpi_form(officer, solution, target_value="20", target_text_en="-20% in each city")
    response = officer.post(f"{ADD_KPI}?solution={solution.pk}", form, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert KPI.objects.filter(solution=solution, code="1.1").exists()
    assert (
        "“Target as worded” says “-20% in each city” but the target value is 20: the entry "
        "grid shows the words, the dashboards judge against the value. Make them agree, or "
        "leave the words empty to have them said from the value."
    ) in messages


def test_a_target_relative_to_each_citys_baseline_is_saved_through_the_admin(officer, setup_world):
    """ "−20 % from each city's baseline", typed as a programme officer would: the KPI is
    saved with the basis, and its change page shows it chosen."""
    solution = setup_world.sern_solution
    form = kpi_form(
        officer,
        solution,
        value_type="percent",
        direction="lower",
        target_basis="change",
        target_value="-20",
        target_scope="city",
        rollup="mean",
    )

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}", form)

    assert response.status_code == 302, field_errors(response.content.decode(), "target_basis")
    kpi = KPI.objects.get(solution=solution, code="1.1")
    assert (kpi.target_basis, kpi.target_value) == ("change", -20)
    page = officer.get(f"/admin/kpis/kpi/{kpi.pk}/change/").content.decode()
    assert re.search(r'<option value="change" selected>', page)
    assert 'name="target_value" value="-20' in page


def test_a_duplicate_kpi_code_is_a_sentence_beside_the_code(officer, setup_world):
    solution = setup_world.sern_solution
    form = kpi_form(officer, solution, code="1.5")
    response = officer.post(f"{ADD_KPI}?solution={solution.pk}", form)
    assert field_errors(response.content.decode(), "code") == [
        "Code: the solution already has a KPI with this code."
    ]


def test_a_refusal_by_the_database_itself_comes_back_as_the_form_with_a_sentence(
    officer, setup_world, monkeypatch
):
    """The constraints are the last line: should validation miss one, no 500 either."""
    from icc_portal.validation import FieldRules

    solution = setup_world.sern_solution
    form = kpi_form(officer, solution, value_type="text", target_value="3")
    monkeypatch.setattr(KPI, "rule_errors", lambda self: {})
    monkeypatch.setattr(FieldRules, "validate_constraints", lambda self, exclude=None: None)

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}", form)

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "target_value") == [
        "Target value: a yes/no or text KPI has no target value; leave it empty."
    ]
    assert 'value="Survey done"' in html  # what was typed is still there
    assert not KPI.objects.filter(solution=solution, code="1.1").exists()


def test_a_user_saved_with_an_empty_coordinated_city_row_is_refused(officer, setup_world):
    from tests.cities.factories import UserFactory

    user = UserFactory(username="new-coordinator")
    url = f"/admin/auth/user/{user.pk}/change/"
    form = add_inline_rows(
        page_form(officer, url, read_admin_form), "coordinated_cities", [{"city": ""}]
    )

    response = officer.post(url, form)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "city") == [
        "Fill in “City”, or remove this row."
    ]
    assert not user.coordinated_cities.exists()


def test_a_member_city_still_in_a_solution_cannot_leave_the_consortium(officer, setup_world):
    url = f"/admin/cities/consortium/{setup_world.sern.pk}/change/"
    form = page_form(officer, url, read_admin_form)
    index = next(
        key.split("-")[1]
        for key, value in form.items()
        if key.endswith("-city") and value == [str(setup_world.cities.ravenna.pk)]
    )
    form[f"memberships-{index}-DELETE"] = ["on"]

    response = officer.post(url, form)

    assert response.status_code == 200
    assert (
        "Ravenna still takes part in solution 1: take it off that solution's cities first."
        in unescape(response.content.decode())
    )
    assert setup_world.sern.memberships.filter(city=setup_world.cities.ravenna).exists()


def test_a_part_of_a_composite_in_another_solution_is_refused_beside_the_composite(
    officer, setup_world
):
    from tests.solutions.factories import SolutionFactory

    solution = SolutionFactory(consortium=setup_world.letsgov, number=1, title="Energy")
    form = kpi_form(officer, solution, parent=str(setup_world.sern_composite.pk))

    response = officer.post(f"{ADD_KPI}?solution={solution.pk}", form)

    assert field_errors(response.content.decode(), "parent") == [
        "A part belongs to the same solution as its composite KPI."
    ]


def test_open_data_for_an_unpublished_consortium_is_refused_beside_the_switch(officer, setup_world):
    letsgov = setup_world.letsgov
    letsgov.is_published = False
    letsgov.save()
    url = f"/admin/cities/consortium/{letsgov.pk}/change/"
    form = page_form(officer, url, read_admin_form)
    form["open_data"] = ["on"]

    response = officer.post(url, form)

    assert field_errors(response.content.decode(), "open_data") == [
        "Publish the consortium first: only its published figures can be open data."
    ]
    letsgov.refresh_from_db()
    assert (letsgov.open_data, letsgov.open_data_since) == (False, None)
    assert officer.get("/open-data/letsgov/catalog").status_code == 404
