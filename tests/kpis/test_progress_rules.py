"""``count_met`` for each direction and for yes/no KPIs, with every figure written out.

The roll-up counts the cities at their own per-city target; the consortium's cell judges
that count as "more is better" whatever the KPI's own direction (a lower-is-better KPI
still wants every city at its target), so its target is the number of cities expected.
"""

from decimal import Decimal

import pytest

from kpis.progress import (
    MISSING,
    Direction,
    KpiRule,
    ProgressStatus,
    Reading,
    assess_consortium,
    roll_up,
)

D = Decimal


def number(value):
    return Reading("reported", value=D(value))


def yes_no(answer):
    return Reading("reported", boolean=answer)


def count_met(direction, value_type="number", target="10"):
    return KpiRule(
        value_type=value_type,
        target_value=None if value_type == "boolean" else D(target),
        target_scope="city",
        direction=direction,
        rollup="count_met",
    )


@pytest.mark.parametrize(
    ("direction", "values", "met"),
    [
        # At the target counts for both directions; one step past it only for one.
        ("higher", ["10", "9.99", "10.01", "3"], 2),
        ("lower", ["10", "9.99", "10.01", "3"], 3),
        ("higher", ["0", "0", "0", "0"], 0),
        ("lower", ["0", "0", "0", "0"], 4),
        ("higher", ["5", "20", "30", "40"], 3),
        ("lower", ["5", "20", "30", "40"], 1),
    ],
)
def test_count_met_counts_cities_at_their_own_target(direction, values, met):
    rolled = roll_up(count_met(direction), [number(v) for v in values])
    assert rolled.reading.status == "reported"
    assert rolled.reading.value == D(met)
    assert rolled.reading.boolean is None
    assert (rolled.reported_count, rolled.expected_count) == (4, 4)


@pytest.mark.parametrize(
    ("direction", "answers", "met"),
    [
        ("higher", [True, True, False], 2),
        ("lower", [True, True, False], 1),
        ("higher", [False, False, False], 0),
        ("lower", [False, False, False], 3),
    ],
)
def test_count_met_on_yes_no_kpis_counts_the_wanted_answer(direction, answers, met):
    rolled = roll_up(count_met(direction, "boolean"), [yes_no(a) for a in answers])
    assert rolled.reading.value == D(met)
    assert rolled.reading.boolean is None
    assert (rolled.reported_count, rolled.expected_count) == (3, 3)


def test_count_met_leaves_out_what_is_not_reported_and_what_does_not_apply():
    readings = [
        number("12"),
        number("8"),
        Reading("reported", text="see the annex"),  # no figure: not at target
        Reading("not_available", text="survey late"),
        Reading("not_applicable"),
        None,
        MISSING,
    ]
    rolled = roll_up(count_met("higher"), readings)
    assert rolled.reading.value == D(1)
    # Reported: 12, 8 and the text; expected: all but the one that does not apply.
    assert (rolled.reported_count, rolled.expected_count) == (3, 6)


def test_count_met_of_a_yes_no_kpi_without_an_answer_is_not_met():
    rolled = roll_up(
        count_met("higher", "boolean"), [Reading("reported", value=D(3)), yes_no(True)]
    )
    assert rolled.reading.value == D(1)


def test_count_met_without_a_target_meets_nothing():
    rule = KpiRule(value_type="number", direction="higher", rollup="count_met")
    assert roll_up(rule, [number("1"), number("100")]).reading.value == D(0)


CITIES = ("ravenna", "cervia", "forli")


@pytest.mark.parametrize(
    ("direction", "values", "value", "ratio", "status", "at_target"),
    [
        # Lower is better, target 10 per city: only 5 meets it. The consortium's figure is
        # 1 city of 3; the ratio is 1/3 (never 3/1, as "lower" would read it).
        ("lower", ["5", "20", "30"], 1, "0.3333", "behind", 1),
        ("higher", ["5", "20", "30"], 2, "0.6667", "behind", 2),
        ("lower", ["1", "10", "2"], 3, "1", "achieved", 3),
        ("higher", ["10", "11", "99"], 3, "1", "achieved", 3),
    ],
)
def test_consortium_cell_of_count_met_is_judged_as_more_is_better(
    direction, values, value, ratio, status, at_target
):
    rule = count_met(direction)
    cell = assess_consortium(
        rule,
        {city: number(v) for city, v in zip(CITIES, values, strict=True)},
        implementing=CITIES,
        stage="final",
    )
    assert cell.status == ProgressStatus(status)
    assert cell.value == D(value)
    assert cell.target == D(3)
    assert cell.ratio == D(ratio)
    assert (cell.reported_count, cell.expected_count) == (3, 3)
    assert (cell.units_at_target, cell.unit_count) == (at_target, 3)


def test_consortium_cell_of_count_met_with_a_city_missing_is_incomplete_or_behind():
    rule = count_met(Direction.HIGHER)
    incomplete = assess_consortium(
        rule, {"ravenna": number("10"), "cervia": number("12")}, implementing=CITIES, stage="final"
    )
    assert incomplete.status == ProgressStatus.INCOMPLETE
    assert (incomplete.value, incomplete.target) == (D(2), D(3))
    assert (incomplete.reported_count, incomplete.expected_count) == (2, 3)
    behind = assess_consortium(
        rule, {"ravenna": number("9"), "cervia": number("12")}, implementing=CITIES, stage="final"
    )
    # Ravenna is behind already: no figure from Forlì can make every city meet its target.
    assert behind.status == ProgressStatus.BEHIND
    assert (behind.value, behind.units_at_target, behind.unit_count) == (D(1), 1, 3)


# --- Plain values in, rounding out ----------------------------------------------------


def test_numbers_are_decimal_or_int_never_float_or_bool():
    assert Reading("reported", value=3).value == D(3)
    assert KpiRule(value_type="count", target_value=2).target_value == D(2)
    assert Reading("reported").value is None
    for wrong, name in ((1.5, "float"), (True, "bool")):
        with pytest.raises(TypeError) as raised:
            Reading("reported", value=wrong)
        assert str(raised.value) == f"expected Decimal, int or None, got {name}"


def test_ratios_round_half_up_to_four_places():
    from kpis.progress import progress_ratio

    # 1/32 = 0.03125: half up is 0.0313 (half even would say 0.0312).
    assert progress_ratio(D(1), D(32), direction="higher") == D("0.0313")
    assert progress_ratio(D(2), D(3), direction="higher") == D("0.6667")
    assert progress_ratio(D(32), D(1), direction="lower") == D("0.0313")


def test_display_percent_rounds_half_up_and_caps():
    from kpis.progress import display_percent

    assert display_percent(D("0.125")) == 13
    assert display_percent(D("0.005")) == 1
    assert display_percent(D("0.0049")) == 0
    assert display_percent(D("9")) == 150
    assert display_percent(D("-1")) == 0
    assert display_percent(None) is None


# --- A total with figures missing: settled, or incomplete ---------------------------------


def consortium_rule(value_type, rollup, target=None, direction="higher"):
    return KpiRule(
        value_type=value_type,
        target_value=None if target is None else D(target),
        target_scope="consortium",
        direction=direction,
        rollup=rollup,
    )


def consortium_cell(rule, readings):
    units = ("a", "b", "c")[: len(readings)]
    return assess_consortium(
        rule, dict(zip(units, readings, strict=True)), implementing=units, stage="final"
    )


TEXT_ONLY = Reading("reported", text="see the annex")
NOT_APPLICABLE = Reading("not_applicable")


@pytest.mark.parametrize(
    ("rule", "readings", "status", "value"),
    [
        # sum of counts, 10 for the consortium: a missing count adds 0 or more.
        (consortium_rule("count", "sum", "10"), [number("6"), number("5"), None], "achieved", "11"),
        (consortium_rule("count", "sum", "10"), [number("3"), None], "incomplete", "3"),
        (consortium_rule("count", "sum", "10"), [number("3"), TEXT_ONLY], "incomplete", "3"),
        (
            consortium_rule("count", "sum", "10"),
            [number("6"), number("5"), NOT_APPLICABLE],
            "achieved",
            "11",
        ),
        # lower is better: a sum already above 10 stays above it.
        (consortium_rule("count", "sum", "10", "lower"), [number("12"), None], "behind", "12"),
        (consortium_rule("count", "sum", "10", "lower"), [number("3"), None], "incomplete", "3"),
        # a plain number can be negative: 11 and a missing one may still fall below 10.
        (
            consortium_rule("number", "sum", "10"),
            [number("6"), number("5"), None],
            "incomplete",
            "11",
        ),
        # mean of percentages, 50: a missing one lies between 0 and 100.
        (
            consortium_rule("percent", "mean", "50"),
            [number("100"), number("100"), None],
            "achieved",
            "100",
        ),
        (consortium_rule("percent", "mean", "50"), [number("60"), None], "incomplete", "60"),
        (
            consortium_rule("percent", "mean", "50", "lower"),
            [number("0"), number("0"), None],
            "achieved",
            "0",
        ),
        (
            consortium_rule("percent", "mean", "50", "lower"),
            [number("90"), number("90"), None],
            "behind",
            "90",
        ),
    ],
)
def test_a_total_with_missing_figures(rule, readings, status, value):
    cell = consortium_cell(rule, readings)
    assert cell.status == ProgressStatus(status)
    assert cell.value == D(value)


@pytest.mark.parametrize(
    ("rollup", "answers", "status", "answer"),
    [
        ("all", [True, True, None], "incomplete", True),
        ("all", [False, None], "behind", False),
        ("all", [True, True], "achieved", True),
        ("any", [True, None], "achieved", True),
        ("any", [False, None], "incomplete", False),
        ("any", [False, False], "behind", False),
    ],
)
def test_yes_no_totals_with_missing_answers(rollup, answers, status, answer):
    rule = consortium_rule("boolean", rollup)
    readings = [None if a is None else yes_no(a) for a in answers]
    cell = consortium_cell(rule, readings)
    assert cell.status == ProgressStatus(status)
    assert cell.boolean is answer
    assert (cell.reported_count, cell.expected_count) == (
        sum(a is not None for a in answers),
        len(answers),
    )


# --- Targets per unit, judged unit by unit ---------------------------------------------------


def test_each_city_is_judged_from_its_own_baseline():
    rule = KpiRule(value_type="count", target_value=D(10), target_scope="city", rollup="sum")
    readings = {"a": number("5"), "b": number("12")}
    # a: (5 - 2) / (10 - 2) = 0.375 at midway, behind; without its baseline 5/10 = 0.5.
    with_baselines = assess_consortium(
        rule,
        readings,
        implementing=("a", "b"),
        stage="midway",
        baselines_by_city={"a": D(2), "b": D(1)},
    )
    assert with_baselines.status == ProgressStatus.BEHIND
    assert (with_baselines.units_at_target, with_baselines.unit_count) == (1, 2)
    assert (with_baselines.value, with_baselines.target, with_baselines.ratio) == (
        D(17),
        D(20),
        None,
    )
    plain = assess_consortium(rule, readings, implementing=("a", "b"), stage="midway")
    assert plain.status == ProgressStatus.ON_TRACK


COUNTRIES = {"a": "IT", "b": "IT", "c": "SE"}


def test_a_per_country_mean_is_judged_country_by_country():
    rule = KpiRule(value_type="percent", target_value=D(50), target_scope="country", rollup="mean")
    readings = {"a": number("60"), "b": number("40"), "c": number("30")}
    cell = assess_consortium(
        rule, readings, implementing=("a", "b", "c"), stage="final", countries_by_city=COUNTRIES
    )
    # Italy (60 + 40) / 2 = 50 meets 50; Sweden 30 does not.
    assert cell.status == ProgressStatus.BEHIND
    assert (cell.units_at_target, cell.unit_count) == (1, 2)
    assert (cell.value, cell.target) == (D("43.3333"), D(50))
    readings["c"] = number("70")
    cell = assess_consortium(
        rule, readings, implementing=("a", "b", "c"), stage="final", countries_by_city=COUNTRIES
    )
    assert cell.status == ProgressStatus.ACHIEVED
    assert (cell.units_at_target, cell.unit_count) == (2, 2)


def test_a_per_country_target_needs_the_countries():
    mean = KpiRule(value_type="percent", target_value=D(50), target_scope="country", rollup="mean")
    with pytest.raises(ValueError) as raised:
        assess_consortium(mean, {"a": number("60")}, implementing=("a",), stage="final")
    assert str(raised.value) == "countries_by_city is needed to judge a per-country target"
    total = KpiRule(value_type="count", target_value=D(2), target_scope="country", rollup="sum")
    with pytest.raises(ValueError) as raised:
        assess_consortium(total, {"a": number("6")}, implementing=("a",), stage="final")
    assert str(raised.value) == "countries_by_city is needed to scale a per-country target"


def test_a_per_country_sum_counts_only_countries_whose_cities_apply():
    rule = KpiRule(value_type="count", target_value=D(2), target_scope="country", rollup="sum")
    readings = {"a": number("3"), "b": number("1"), "c": Reading("not_applicable")}
    cell = assess_consortium(
        rule, readings, implementing=("a", "b", "c"), stage="final", countries_by_city=COUNTRIES
    )
    # Sweden's one city does not apply: one country, target 2, Italy's 4 meets it.
    assert (cell.status, cell.value, cell.target) == (ProgressStatus.ACHIEVED, D(4), D(2))
    assert (cell.units_at_target, cell.unit_count) == (1, 1)
    assert (cell.reported_count, cell.expected_count) == (2, 2)


# --- One figure ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "direction", "baseline", "ratio"),
    [
        ("5", "10", "higher", "10", "0.5"),  # a baseline at the target is ignored
        ("5", "10", "higher", "12", "0.5"),  # and one already past it
        ("6", "10", "higher", "2", "0.5"),  # (6 - 2) / (10 - 2)
        ("15", "10", "lower", "10", "0.6667"),  # 10 / 15
        ("15", "10", "lower", "8", "0.6667"),
        ("15", "10", "lower", "30", "0.75"),  # (30 - 15) / (30 - 10)
        ("3", "0", "higher", None, None),
        ("0", "10", "lower", None, None),
    ],
)
def test_progress_ratio_with_and_without_a_baseline(value, target, direction, baseline, ratio):
    from kpis.progress import progress_ratio

    got = progress_ratio(
        D(value), D(target), direction=direction, baseline=None if baseline is None else D(baseline)
    )
    assert got == (None if ratio is None else D(ratio))


def test_an_unreported_cell_keeps_its_reason_and_counts_as_expected_unless_it_does_not_apply():
    from kpis.progress import assess

    rule = KpiRule(value_type="count", target_value=D(2))
    late = assess(rule, Reading("not_available", text="survey late"), stage="final")
    assert (late.status, late.text, late.target, late.expected_count, late.reported_count) == (
        ProgressStatus.NOT_AVAILABLE,
        "survey late",
        D(2),
        1,
        0,
    )
    skipped = assess(rule, Reading("not_applicable"), stage="final")
    assert (skipped.status, skipped.expected_count) == (ProgressStatus.NOT_APPLICABLE, 0)
    missing = assess(rule, None, stage="final")
    assert (missing.status, missing.text, missing.expected_count) == (ProgressStatus.NO_DATA, "", 1)


def test_a_city_cell_only_where_the_city_implements_a_kpi_it_reports():
    from kpis.progress import assess_city

    rule = KpiRule(value_type="count", target_value=D(2))
    cell = assess_city(rule, number("3"), implements=True, stage="final", baseline=D(1))
    assert (cell.status, cell.value, cell.ratio) == (ProgressStatus.ACHIEVED, D(3), D(2))
    behind = assess_city(rule, number("1"), implements=True, stage="final")
    assert (behind.status, behind.ratio) == (ProgressStatus.BEHIND, D("0.5"))
    assert assess_city(rule, number("3"), implements=False, stage="final") is None
    once = KpiRule(value_type="count", target_value=D(2), reporting_level="consortium")
    assert assess_city(once, number("3"), implements=True, stage="final") is None


@pytest.mark.parametrize(
    ("scope", "rollup", "level", "target"),
    [
        ("city", "sum", "country", "6"),  # 2 x 3 cities
        ("city", "sum", "consortium", "6"),
        ("country", "sum", "consortium", "8"),  # 2 x 4 countries
        ("country", "sum", "country", "2"),
        ("consortium", "sum", "country", None),  # a larger unit's target is not applied
        ("city", "mean", "consortium", "2"),
        ("city", "none", "consortium", None),
        ("city", "count_met", "consortium", "3"),
    ],
)
def test_group_target(scope, rollup, level, target):
    from kpis.progress import group_target

    rule = KpiRule(value_type="count", target_value=D(2), target_scope=scope, rollup=rollup)
    got = group_target(rule, level=level, city_count=3, country_count=4)
    assert got == (None if target is None else D(target))


# --- roll_up for every rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("readings", "status", "expected"),
    [
        ([Reading("not_applicable"), Reading("not_applicable")], "not_applicable", 0),
        ([Reading("not_applicable"), Reading("not_available", text="x"), None], "not_available", 2),
        ([Reading("not_applicable"), None], "not_reported", 1),
        ([], "not_reported", 0),
    ],
)
def test_nothing_reported(readings, status, expected):
    rolled = roll_up(KpiRule(value_type="count", rollup="sum"), readings)
    assert rolled.reading.status == status
    assert (rolled.reading.value, rolled.reading.boolean) == (None, None)
    assert (rolled.reported_count, rolled.expected_count) == (0, expected)


@pytest.mark.parametrize(
    ("rollup", "value", "boolean"),
    [
        ("sum", "6", None),
        ("mean", "2", None),
        ("all", None, False),
        ("any", None, True),
        ("none", None, None),
    ],
)
def test_roll_up_rules(rollup, value, boolean):
    readings = [
        Reading("reported", value=D(1), boolean=True),
        Reading("reported", value=D(2), boolean=False),
        Reading("reported", value=D(3)),
        Reading("reported", text="words only"),
    ]
    rolled = roll_up(KpiRule(value_type="number", rollup=rollup), readings)
    assert rolled.reading.status == "reported"
    assert rolled.reading.value == (None if value is None else D(value))
    assert rolled.reading.boolean is boolean
    assert (rolled.reported_count, rolled.expected_count) == (4, 4)


def test_a_mean_is_rounded_half_up_to_four_places():
    rule = KpiRule(value_type="number", rollup="mean")
    readings = [number("0.0001"), number("0"), number("0"), number("0"), number("0.0001")]
    # 0.0002 / 5 = 0.00004 -> 0.0000; 0.0005 / 2 = 0.00025 -> 0.0003
    assert roll_up(rule, readings).reading.value == D("0.0000")
    assert roll_up(rule, [number("0.0005"), number("0")]).reading.value == D("0.0003")
    assert roll_up(rule, [number("1"), number("2"), number("2")]).reading.value == D("1.6667")


def test_which_groups_have_a_cell():
    from kpis.progress import assess_country

    rule = KpiRule(value_type="count", target_value=D(2), target_scope="country", rollup="sum")
    readings = {"a": number("1"), "b": number("2"), "c": number("5")}
    italy = assess_country(
        rule,
        readings,
        country="IT",
        countries_by_city=COUNTRIES,
        implementing=("a", "b", "c"),
        stage="final",
    )
    assert (italy.status, italy.value, italy.target) == (ProgressStatus.ACHIEVED, D(3), D(2))
    assert (italy.reported_count, italy.expected_count) == (2, 2)
    assert (
        assess_country(
            rule,
            readings,
            country="IT",
            countries_by_city=COUNTRIES,
            implementing=("c",),
            stage="final",
        )
        is None
    )
    once = KpiRule(value_type="count", target_value=D(6), reporting_level="consortium")
    assert (
        assess_country(
            once,
            readings,
            country="IT",
            countries_by_city=COUNTRIES,
            implementing=("a",),
            stage="final",
        )
        is None
    )
    assert assess_consortium(rule, readings, implementing=(), stage="final") is None
    # A KPI the consortium reports once is judged on its own reading, from its baseline.
    cell = assess_consortium(
        once,
        readings,
        implementing=("a",),
        stage="midway",
        consortium_reading=number("4"),
        baseline=D(2),
    )
    assert (cell.status, cell.value, cell.target, cell.ratio) == (
        ProgressStatus.ON_TRACK,
        D(4),
        D(6),
        D("0.5"),
    )


@pytest.mark.parametrize(
    ("rule", "readings", "stage", "status"),
    [
        # lower is better, 10, midway: 30 and 30 are behind (10/30); a missing 0 would
        # bring the mean to 20 (10/20 = 0.5, on track), a missing 100 keeps it behind.
        (
            consortium_rule("percent", "mean", "10", "lower"),
            ["30", "30", None],
            "midway",
            "incomplete",
        ),
        # two missing percentages: (0 + 0 + 0) / 3 is behind, (0 + 100 + 100) / 3 is met.
        (consortium_rule("percent", "mean", "60"), ["0", None, None], "final", "incomplete"),
        (consortium_rule("percent", "mean", "60"), ["90", "90", None], "final", "achieved"),
    ],
)
def test_both_ends_of_missing_percentages(rule, readings, stage, status):
    units = ("a", "b", "c")
    cell = assess_consortium(
        rule,
        {u: None if v is None else number(v) for u, v in zip(units, readings, strict=True)},
        implementing=units,
        stage=stage,
    )
    assert cell.status == ProgressStatus(status)


def test_countries_are_judged_from_their_cities_baselines():
    rule = KpiRule(value_type="count", target_value=D(10), target_scope="country", rollup="sum")
    readings = {"a": number("3"), "b": number("4"), "c": number("12")}
    baselines = {"a": D(3), "b": D(3), "c": D(1)}
    cell = assess_consortium(
        rule,
        readings,
        implementing=("a", "b", "c"),
        stage="midway",
        countries_by_city=COUNTRIES,
        baselines_by_city=baselines,
    )
    # Italy: 7 from a baseline of 6 towards 10 is (7 - 6) / (10 - 6) = 0.25, behind at
    # midway (without the baseline 0.7 would be on track); Sweden's 12 meets 10.
    assert cell.status == ProgressStatus.BEHIND
    assert (cell.units_at_target, cell.unit_count) == (1, 2)


def test_a_countrys_own_baseline():
    from kpis.progress import assess_country

    rule = KpiRule(value_type="count", target_value=D(10), target_scope="country", rollup="sum")
    cell = assess_country(
        rule,
        {"a": number("3"), "b": number("4")},
        country="IT",
        countries_by_city=COUNTRIES,
        implementing=("a", "b"),
        stage="midway",
        baseline=D(6),
    )
    assert (cell.status, cell.value, cell.ratio) == (ProgressStatus.BEHIND, D(7), D("0.25"))


def test_group_target_counts_one_country_unless_told():
    from kpis.progress import group_target

    rule = KpiRule(value_type="count", target_value=D(2), target_scope="country", rollup="sum")
    assert group_target(rule, level="consortium", city_count=3) == D(2)


def test_a_country_judges_its_cities_from_their_own_baselines():
    from kpis.progress import assess_country

    rule = KpiRule(value_type="count", target_value=D(10), target_scope="city", rollup="sum")
    arguments = {
        "country": "IT",
        "countries_by_city": COUNTRIES,
        "implementing": ("a", "b"),
        "stage": "midway",
    }
    readings = {"a": number("5"), "b": number("12")}
    # a: (5 - 2) / (10 - 2) = 0.375, behind at midway; 5 / 10 = 0.5 without its baseline.
    cell = assess_country(rule, readings, baselines_by_city={"a": D(2), "b": D(1)}, **arguments)
    assert (cell.status, cell.units_at_target, cell.unit_count) == (ProgressStatus.BEHIND, 1, 2)
    assert assess_country(rule, readings, **arguments).status == ProgressStatus.ON_TRACK
