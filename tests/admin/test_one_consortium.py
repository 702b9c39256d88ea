"""One consortium at a time: pickers offer the edited consortium's rows, lists say whose rows
they show, numbers read without padding zeros and yes/no answers as words."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest

from tests.helpers.forms import read_admin_form

pytestmark = pytest.mark.django_db


def autocomplete(client, field: str, term: str, referer: str, model: str = "kpis.kpi"):
    app_label, model_name = model.split(".")
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field, "term": term},
        HTTP_REFERER=f"http://testserver{referer}",
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_composite_picker_offers_the_edited_consortiums_kpis_only(officer, setup_world):
    from tests.kpis.factories import KPIFactory
    from tests.solutions.factories import SolutionFactory

    letsgov_solution = SolutionFactory(consortium=setup_world.letsgov, number=1, title="Energy")
    KPIFactory(solution=letsgov_solution, code="1.5", name="Communities")
    part = setup_world.sern_part

    found = autocomplete(officer, "parent", "1.5", f"/admin/kpis/kpi/{part.pk}/change/")

    assert found == ["SERN · 1.5 Plans implemented and staff contributing"]
    # Without a consortium to go by, every consortium's KPIs come (parts never: a part has
    # no parts), each saying whose it is.
    everywhere = autocomplete(officer, "parent", "1.5", "/admin/kpis/kpi/add/")
    assert sorted(everywhere) == [
        "Let's GOv · 1.5 Communities",
        "SERN · 1.5 Plans implemented and staff contributing",
    ]
    # On an add page that names its solution, its consortium's.
    add_page = f"/admin/kpis/kpi/add/?solution={letsgov_solution.pk}"
    assert autocomplete(officer, "parent", "1.5", add_page) == ["Let's GOv · 1.5 Communities"]


def test_city_pickers_of_a_figure_offer_the_consortiums_members(officer, setup_world):
    from tests.kpis.factories import MeasurementFactory

    figure = MeasurementFactory(
        kpi=setup_world.sern_part, city=setup_world.cities.ravenna, value=Decimal("1")
    )
    page = f"/admin/kpis/measurement/{figure.pk}/change/"

    assert autocomplete(officer, "city", "", page, model="kpis.measurement") == [
        "Ravenna",
        "Trollhättan",
    ]
    # Adding a member city to a consortium chooses among every city, on purpose.
    membership_page = f"/admin/cities/consortium/{setup_world.letsgov.pk}/change/"
    assert len(autocomplete(officer, "city", "", membership_page, "cities.membership")) == 5


def test_the_solution_page_offers_the_consortiums_cities_and_kpis_only(officer, setup_world):
    solution = setup_world.sern_solution
    html = officer.get(f"/admin/solutions/solution/{solution.pk}/change/").content.decode()
    form = read_admin_form(html)
    offered = re.findall(r'<select name="implementing_cities".*?</select>', html, flags=re.S)[0]
    assert "Ravenna" in offered and "Trollhättan" in offered
    assert "Bologna" not in offered
    assert form["consortium"] == [str(setup_world.sern.pk)]
    # The KPIs are listed, each opening on its own page; no picker of any consortium's KPIs.
    assert f'href="/admin/kpis/kpi/{setup_world.sern_part.pk}/change/"' in html
    assert re.search(r'<td class="field-composite">\s*<p>1.5</p>', html)
    assert 'name="kpis-0-parent"' not in html
    assert f'href="/admin/kpis/kpi/add/?solution={solution.pk}"' in html


def test_a_solution_add_page_without_a_consortium_says_each_citys_consortia(officer, setup_world):
    html = unescape(officer.get("/admin/solutions/solution/add/").content.decode())
    offered = re.findall(r'<select name="lead_cities".*?</select>', html, flags=re.S)[0]
    assert "Bologna (Let's GOv)" in offered
    assert "Ravenna (SERN)" in offered


def test_the_kpi_list_shows_consortium_and_plain_targets(officer, setup_world):
    from tests.kpis.factories import KPIFactory

    KPIFactory(solution=setup_world.sern_solution, code="1.1", target_value=Decimal("5.0000"))
    html = officer.get("/admin/kpis/kpi/").content.decode()
    row = re.findall(r"<tr>.*?1\.1</a>.*?</tr>", html, flags=re.S)[0]
    assert '<td class="field-consortium_solution">SERN · 1</td>' in row
    assert '<td class="field-target">5</td>' in row
    assert "5.0000" not in html


def test_the_measurement_list_says_yes_and_no_in_words(officer, setup_world):
    from kpis.models import KPI
    from tests.kpis.factories import KPIFactory, MeasurementFactory

    survey = KPIFactory(
        solution=setup_world.sern_solution,
        code="1.2",
        value_type=KPI.ValueType.BOOLEAN,
        target_value=None,
        rollup=KPI.Rollup.ANY,
    )
    MeasurementFactory(kpi=survey, city=setup_world.cities.ravenna, value=None, boolean_value=True)
    MeasurementFactory(
        kpi=setup_world.sern_part, city=setup_world.cities.ravenna, value=Decimal("12.5000")
    )

    html = officer.get("/admin/kpis/measurement/").content.decode()

    answers = re.findall(r'<td class="field-answer">(.*?)</td>', html)
    assert sorted(answers) == ["12.5", "Yes"]
    assert '<td class="field-consortium">SERN</td>' in html


def test_the_user_list_shows_roles_cities_and_consortia_and_filters_by_them(officer, setup_world):
    from tests.helpers import personas

    personas.coordinator("coord-bologna", setup_world.cities.bologna)
    personas.steering("sern-steering", setup_world.sern)

    html = unescape(officer.get("/admin/auth/user/").content.decode())
    row = re.findall(r"<tr>.*?coord-bologna.*?</tr>", html, flags=re.S)[0]
    assert '<td class="field-roles">City coordinator</td>' in row
    assert '<td class="field-cities">Bologna</td>' in row
    assert '<td class="field-consortia">Let\'s GOv</td>' in row

    by_consortium = officer.get(f"/admin/auth/user/?consortium={setup_world.sern.pk}")
    assert [user.username for user in by_consortium.context["cl"].result_list] == ["sern-steering"]
    by_role = officer.get("/admin/auth/user/?role=coordinator")
    assert [user.username for user in by_role.context["cl"].result_list] == ["coord-bologna"]


def test_the_delete_confirmation_names_the_solutions_city_links(officer, setup_world):
    solution = setup_world.sern_solution
    solution.lead_cities.set([setup_world.cities.ravenna])
    html = unescape(
        officer.get(f"/admin/solutions/solution/{solution.pk}/delete/").content.decode()
    )
    assert "Lead city: Ravenna leads SERN · 1. Digital Transformation Plan" in html
    assert "Implementing city: Trollhättan implements SERN · 1. Digital Transformation Plan" in html
    assert "object (" not in html


def test_forms_show_stored_numbers_without_padding_zeros(officer, setup_world):
    from tests.kpis.factories import KPIFactory, MeasurementFactory

    kpi = KPIFactory(solution=setup_world.sern_solution, code="1.1", target_value=Decimal("5"))
    figure = MeasurementFactory(
        kpi=setup_world.sern_part, city=setup_world.cities.ravenna, value=Decimal("12.5")
    )
    kpi_page = officer.get(f"/admin/kpis/kpi/{kpi.pk}/change/").content.decode()
    figure_page = officer.get(f"/admin/kpis/measurement/{figure.pk}/change/").content.decode()

    assert re.search(r'name="target_value" value="5"', kpi_page)
    assert re.search(r'name="value" value="12.5"', figure_page)
    assert "5.0000" not in kpi_page and "12.5000" not in figure_page
