"""The matrix assembly over plain values: no database (KPIs and solutions are built, not saved)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from icc_portal.codes import natural_key
from kpis import vocabulary
from kpis.dashboards import build
from kpis.dashboards.figures import Formatter
from kpis.dashboards.readers import Member
from kpis.managers import driver_bool, driver_decimal
from tests.kpis.factories import KPIFactory

SE, IT = "SE", "IT"
CITIES = [
    Member(1, "Trollhättan", "trollhattan", SE, None, "member"),
    Member(2, "Vänersborg", "vanersborg", SE, None, "member"),
    Member(3, "Ravenna", "ravenna", IT, None, "member"),
]
SOLUTION = SimpleNamespace(pk=10, number=1, title="Digital Transformation Plan")


def kpi(pk, code="1.1", **fields):
    defaults = {"target_value": Decimal(2), "target_scope": "city", "rollup": "sum"}
    return KPIFactory.build(pk=pk, code=code, solution_id=SOLUTION.pk, **{**defaults, **fields})


def row(city, kpi_id, stage="final", value=None, status="reported", review="approved", text=""):
    return (city, kpi_id, stage, status, value, None, review, text)


def matrix(kpis, rows, stage="final", implementing=(1, 3), baselines=()):
    return build.build_matrix(
        cities=CITIES,
        solutions=[SOLUTION],
        kpis=kpis,
        implementing={SOLUTION.pk: set(implementing)},
        rows=rows,
        baselines=baselines,
        stage=stage,
        formatter=Formatter(),  # no memo: every test builds afresh
    )


def labels(built):
    return [column.label for column in built.columns]


def test_codes_sort_naturally():
    codes = ["1.10", "1.2", "1.3a", "1.3", "2.1", "1.1"]

    assert sorted(codes, key=natural_key) == ["1.1", "1.2", "1.3", "1.3a", "1.10", "2.1"]


def test_default_stage_is_the_latest_with_figures():
    assert vocabulary.default_stage({"baseline", "midway"}) == "midway"
    assert vocabulary.default_stage(set()) == "final"
    assert vocabulary.parse_stage("someday", default="midway") == "midway"
    assert vocabulary.parse_stage("latest", default="midway") == "latest"


def test_only_implementing_cities_get_columns_and_others_no_cell():
    built = matrix([kpi(1)], [row(1, 1, value=3)], implementing=(1,))

    assert labels(built) == ["Trollhättan", "Consortium"]


def test_city_outside_the_solution_has_no_cell():
    other = SimpleNamespace(pk=11, number=2, title="Open data")
    kpis = [kpi(1), KPIFactory.build(pk=2, code="2.1", solution_id=11, target_value=Decimal(1))]
    built = build.build_matrix(
        cities=CITIES,
        solutions=[SOLUTION, other],
        kpis=kpis,
        implementing={10: {1, 3}, 11: {3}},
        rows=[row(3, 2, value=1)],
        stage="final",
        formatter=Formatter(),
    )

    cell = built.cell("2.1", "Trollhättan")
    assert cell.status == "none"
    assert cell.html == '<td class="none"></td>'


def test_country_columns_appear_only_for_a_per_country_target():
    assert "SE total" not in labels(matrix([kpi(1)], []))

    built = matrix([kpi(1, target_scope="country")], [row(1, 1, value=2), row(3, 1, value=1)])

    assert labels(built) == ["Ravenna", "IT total", "Trollhättan", "SE total", "Consortium"]
    assert built.cell("1.1", "SE total").status == "achieved"
    assert built.cell("1.1", "IT total").status == "behind"
    assert built.cell("1.1", "Trollhättan").status == "qualitative"


def test_city_figure_is_judged_from_its_baseline():
    built = matrix([kpi(1, target_value=Decimal(10))], [row(1, 1, value=6)], baselines=[(1, 1, 2)])

    cell = built.cell("1.1", "Trollhättan")
    assert cell.ratio == Decimal("0.5")  # (6 - 2) / (10 - 2), not 6 / 10
    assert cell.percent == "50 %"
    assert cell.status == "behind"


def test_midway_is_on_track_at_half_the_target():
    built = matrix([kpi(1, target_value=Decimal(10))], [row(1, 1, "midway", value=5)], "midway")

    assert built.cell("1.1", "Trollhättan").status == "on_track"


def test_not_available_is_never_zero():
    built = matrix([kpi(1)], [row(1, 1, status="not_available")])

    cell = built.cell("1.1", "Trollhättan")
    assert cell.status == "not_available"
    assert cell.figure == ""
    assert "<b>" not in cell.html


def test_latest_view_takes_each_citys_latest_figure_and_marks_its_stage():
    rows = [row(1, 1, "midway", value=3), row(3, 1, "midway", value=1), row(3, 1, value=2)]

    built = matrix([kpi(1)], rows, stage="latest")

    assert built.cell("1.1", "Trollhättan").stage == "midway"
    assert built.cell("1.1", "Trollhättan").status == "achieved"
    assert built.cell("1.1", "Ravenna").stage == ""
    assert built.cell("1.1", "Ravenna").figure == "2"


def test_unapproved_figures_are_marked_and_so_are_the_totals_that_include_them():
    built = matrix([kpi(1)], [row(1, 1, value=3, review="draft"), row(3, 1, value=1)])

    assert built.cell("1.1", "Trollhättan").review == "draft"
    assert built.cell("1.1", "Ravenna").review == ""
    assert built.cell("1.1", "Consortium").review == "mixed"
    assert built.has_unapproved


def test_count_met_total_says_how_many_cities_met_their_target():
    built = matrix([kpi(1, rollup="count_met")], [row(1, 1, value=3), row(3, 1, value=1)])

    cell = built.cell("1.1", "Consortium")
    assert (cell.figure, cell.target, cell.status) == ("1", "2", "behind")
    assert "city at its target" in cell.note


def test_kpi_the_consortium_reports_once_has_one_cell_and_a_spanning_note():
    once = kpi(
        2, code="1.2", target_scope="consortium", reporting_level="consortium", target_value=6
    )
    once.target_value = Decimal(6)

    built = matrix([kpi(1), once], [row(None, 2, value=3)])

    assert built.cell("1.2", "Consortium").figure == "3"
    assert built.cell("1.2", "Consortium").status == "behind"
    assert built.cell("1.2", "Trollhättan").status == "none"
    assert 'class="reported-once" colspan="2"' in built.kpi_rows[1].cells_html


def test_only_cities_reporting_a_city_level_kpi_get_columns():
    once = kpi(1, target_scope="consortium", reporting_level="consortium")

    assert labels(matrix([once], [])) == ["Consortium"]


def test_composite_kpi_is_a_heading_with_its_parts_under_it():
    parent = kpi(1, code="1.3", target_value=None, rollup="none")
    parts = [kpi(2, code="1.3a", parent_id=1), kpi(3, code="1.3b", parent_id=1)]

    built = matrix([parts[1], parent, parts[0]], [row(1, 2, value=1)])

    assert [(r.kind, r.code) for r in built.rows] == [
        ("solution", "1"),
        ("composite", "1.3"),
        ("kpi", "1.3a"),
        ("kpi", "1.3b"),
    ]


def test_summary_counts_each_column_by_status():
    kpis = [kpi(1), kpi(2, code="1.2"), kpi(3, code="1.3")]
    rows = [row(1, 1, value=3), row(1, 2, value=0), row(1, 3, status="not_available")]

    summary = matrix(kpis, rows).summaries[labels(matrix(kpis, rows)).index("Trollhättan")]

    assert {status: count for status, _label, count in summary.counts} == {
        "achieved": 1,
        "on_track": 0,
        "behind": 1,
        "starting_point": 0,
        "no_baseline": 0,
        "qualitative": 0,
        "incomplete": 0,
        "not_available": 1,
        "not_applicable": 0,
        "no_data": 0,
    }
    assert '<span class="count-word">Behind</span>: 1' in summary.html


def test_text_answers_are_escaped_in_the_cells():
    built = matrix(
        [kpi(1, value_type="text", target_value=None)], [row(1, 1, text="<script>x</script>")]
    )

    html = built.kpi_rows[0].cells_html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_figures_are_written_in_the_users_language():
    with translation.override("it"):
        formatter = Formatter()
        assert formatter.number(Decimal("1234.5000")) == "1.234,5"
        assert formatter.percent(Decimal("1.2345")) == "123 %"
    assert Formatter().number(Decimal("10.0000")) == "10"


def test_ratio_is_shown_uncapped():
    built = matrix([kpi(1)], [row(1, 1, value=10)])

    assert built.cell("1.1", "Trollhättan").percent == "500 %"
    assert built.cell("1.1", "Trollhättan").bar == 150  # only a bar is capped


def build_with_memo(kpis, rows):
    return build.build_matrix(
        cities=CITIES,
        solutions=[SOLUTION],
        kpis=kpis,
        implementing={SOLUTION.pk: {1, 3}},
        rows=rows,
        stage="final",
    )


def test_a_matrix_is_built_from_its_inputs_alone():
    """Nothing is kept between builds (pages are kept by data version instead)."""
    first = build_with_memo([kpi(1)], [row(1, 1, value=3)])

    assert build_with_memo([kpi(1)], [row(1, 1, value=3)]) is not first
    assert build_with_memo([kpi(1)], [row(1, 1, value=1)]).cell("1.1", "Trollhättan") != (
        first.cell("1.1", "Trollhättan")
    )
    changed_target = build_with_memo([kpi(1, target_value=Decimal(5))], [row(1, 1, value=3)])
    assert changed_target.cell("1.1", "Trollhättan").status == "behind"


def test_judged_cells_follow_the_target_and_the_language():
    first = build_with_memo([kpi(1)], [row(1, 1, value=3)])
    assert first.cell("1.1", "Trollhättan").status == "achieved"

    raised = build_with_memo([kpi(1, target_value=Decimal(4))], [row(1, 1, value=3)])
    assert raised.cell("1.1", "Trollhättan").status == "behind"

    missing = [row(1, 1, status="not_available")]
    with translation.override("en"):
        english = build_with_memo([kpi(1)], missing).cell("1.1", "Trollhättan")
    with translation.override("it"):
        italian = build_with_memo([kpi(1)], missing).cell("1.1", "Trollhättan")
    assert (english.label, italian.label) == ("Not available", "Non disponibile")


def test_driver_values_become_decimals_and_booleans():
    assert driver_decimal(10) == Decimal(10)
    assert driver_decimal(12.5) == Decimal("12.5")
    assert driver_decimal(0.1) == Decimal("0.1")
    assert driver_decimal("3.2500") == Decimal("3.25")
    assert driver_decimal(None) is None
    assert (driver_bool(1), driver_bool(0), driver_bool(None)) == (True, False, None)


def test_link_maker_reverses_once_for_many_links():
    city_url = build.link_maker("city-detail")
    kpi_url = build.link_maker("kpi-detail", numeric=True)

    assert city_url("ravenna") == "/cities/ravenna/"
    assert kpi_url(42) == "/kpis/42/"
