"""Targets relative to each unit's baseline (``target_basis`` change), worked out figure
by figure: both directions, the baseline stage, a unit without a baseline, and each
roll-up (sum, mean, count_met; per city, per country, consortium-wide). The rule is
written at the top of :mod:`kpis.progress`.
"""

from decimal import Decimal

import pytest

from kpis.progress import (
    MISSING,
    KpiRule,
    ProgressStatus,
    Reading,
    Stage,
    assess,
    assess_consortium,
    assess_country,
    changed_target,
    roll_up,
)

D = Decimal
ACHIEVED, ON_TRACK, BEHIND = ProgressStatus.ACHIEVED, ProgressStatus.ON_TRACK, ProgressStatus.BEHIND
NO_BASELINE, STARTING_POINT = ProgressStatus.NO_BASELINE, ProgressStatus.STARTING_POINT
INCOMPLETE = ProgressStatus.INCOMPLETE


def number(value):
    return Reading("reported", value=D(value))


def change(percent, *, direction="higher", value_type="count", scope="city", rollup="sum"):
    return KpiRule(
        value_type=value_type,
        target_value=D(percent),
        target_scope=scope,
        direction=direction,
        rollup=rollup,
        target_basis="change",
    )


# One unit: its own target is baseline x (1 + change / 100)


@pytest.mark.parametrize(
    ("baseline", "percent", "target"),
    [("72.5", "-20", "58"), ("1", "50", "1.5"), ("10", "50", "15"), ("3", "0", "3")],
)
def test_a_units_own_target_is_its_baseline_changed_by_the_percentage(baseline, percent, target):
    assert changed_target(D(baseline), D(percent)) == D(target)


def test_plus_fifty_percent_is_met_by_a_final_ten_from_one_and_missed_from_ten():
    rule = change(50)

    from_one = assess(rule, number(10), stage=Stage.FINAL, baseline=D(1))
    from_ten = assess(rule, number(10), stage=Stage.FINAL, baseline=D(10))

    assert (from_one.status, from_one.target, from_one.baseline) == (ACHIEVED, D("1.5"), D(1))
    assert (from_ten.status, from_ten.target, from_ten.baseline) == (BEHIND, D(15), D(10))
    assert from_ten.ratio == D(0)  # no step of the 5 to make: counted from the baseline


def test_a_unit_without_a_baseline_figure_is_said_to_have_none_never_guessed():
    cell = assess(change(50), number(10), stage=Stage.FINAL, baseline=None)

    assert cell.status == NO_BASELINE
    assert (cell.value, cell.target, cell.ratio, cell.baseline) == (D(10), None, None, None)


def test_minus_twenty_percent_lower_is_better_counts_the_fall_from_the_baseline():
    rule = change(-20, direction="lower", value_type="percent")  # 72.5 % -> 58 %

    assert assess(rule, number(55), stage=Stage.FINAL, baseline=D("72.5")).status == ACHIEVED
    midway = assess(rule, number(65), stage=Stage.MIDWAY, baseline=D("72.5"))
    final = assess(rule, number(65), stage=Stage.FINAL, baseline=D("72.5"))
    assert midway.target == D(58)
    assert midway.ratio == D("0.5172")  # 7.5 of the 14.5 to fall
    assert (midway.status, final.status) == (ON_TRACK, BEHIND)


def test_a_higher_is_better_change_counts_the_rise_from_the_baseline():
    rule = change(50)  # 10 -> 15

    midway = assess(rule, number(13), stage=Stage.MIDWAY, baseline=D(10))

    assert (midway.status, midway.ratio) == (ON_TRACK, D("0.6"))
    assert assess(rule, number(12), stage=Stage.MIDWAY, baseline=D(10)).status == BEHIND


@pytest.mark.parametrize("percent", ["50", "0", "-20"])
def test_the_baseline_figure_is_the_starting_point_never_judged_against_itself(percent):
    rule = change(percent)

    cell = assess(rule, number("72.5"), stage=Stage.BASELINE, baseline=D(1))  # ignored

    assert cell.status == STARTING_POINT
    assert cell.baseline == D("72.5")
    assert cell.target == changed_target(D("72.5"), D(percent))
    assert cell.ratio is None


def test_unreported_figures_keep_their_statuses_and_show_the_target_when_known():
    rule = change(50)

    missing = assess(rule, MISSING, stage=Stage.FINAL, baseline=D(2))
    not_available = assess(rule, Reading("not_available", text="no survey"), stage=Stage.FINAL)

    assert (missing.status, missing.target) == (ProgressStatus.NO_DATA, D(3))
    assert (not_available.status, not_available.target) == (ProgressStatus.NOT_AVAILABLE, None)


def test_an_absolute_target_is_unchanged_by_the_basis_field():
    absolute = KpiRule(value_type="count", target_value=D(4))

    cell = assess(absolute, number(3), stage=Stage.FINAL, baseline=D(1))

    assert (cell.status, cell.target, cell.baseline) == (BEHIND, D(4), None)


def test_a_change_on_a_yes_no_kpi_is_not_applied():
    rule = KpiRule(value_type="boolean", target_basis="change")

    assert rule.change is None
    assert assess(rule, Reading("reported", boolean=True), stage=Stage.FINAL).status == ACHIEVED


# Roll-ups: a per-city change judged at the consortium and country


CITIES = ["trollhattan", "vanersborg"]


def consortium(rule, readings, baselines, *, stage=Stage.FINAL, implementing=CITIES):
    return assess_consortium(
        rule,
        readings,
        implementing=implementing,
        stage=stage,
        countries_by_city={"trollhattan": "SE", "vanersborg": "SE", "ravenna": "IT"},
        baselines_by_city=baselines,
    )


def test_a_sum_is_met_only_when_every_city_meets_its_own_target():
    rule = change(50)  # each city: half as much again
    baselines = {"trollhattan": D(1), "vanersborg": D(10)}

    one_short = consortium(rule, {"trollhattan": number(10), "vanersborg": number(10)}, baselines)
    both = consortium(rule, {"trollhattan": number(10), "vanersborg": number(15)}, baselines)

    # 20 against 1.5 + 15 = 16.5 would look met; Vänersborg is not at its own 15.
    assert (one_short.value, one_short.target, one_short.baseline) == (D(20), D("16.5"), D(11))
    assert one_short.status == BEHIND
    assert (one_short.units_at_target, one_short.unit_count) == (1, 2)
    assert (both.status, both.target, both.units_at_target) == (ACHIEVED, D("16.5"), 2)


def test_a_mean_shows_the_mean_of_the_cities_own_targets():
    rule = change(-20, direction="lower", value_type="percent", rollup="mean")
    baselines = {"trollhattan": D(70), "vanersborg": D(80)}  # own targets 56 and 64

    cell = consortium(rule, {"trollhattan": number(50), "vanersborg": number(60)}, baselines)
    short = consortium(rule, {"trollhattan": number(50), "vanersborg": number(66)}, baselines)

    assert (cell.value, cell.target, cell.status) == (D(55), D(60), ACHIEVED)
    assert (short.value, short.target, short.status) == (D(58), D(60), BEHIND)  # 58 < 60


def test_a_city_without_a_baseline_makes_the_group_no_baseline_unless_another_is_behind():
    rule = change(50)
    cities = [*CITIES, "ravenna"]
    baselines = {"trollhattan": D(1), "vanersborg": D(10)}  # Ravenna has none
    at_target = {"trollhattan": number(10), "vanersborg": number(15), "ravenna": number(4)}
    one_behind = {**at_target, "vanersborg": number(10)}

    unknown = consortium(rule, at_target, baselines, implementing=cities)
    behind = consortium(rule, one_behind, baselines, implementing=cities)

    assert (unknown.status, unknown.target, unknown.baseline) == (NO_BASELINE, None, None)
    assert (unknown.units_at_target, unknown.unit_count) == (2, 3)
    assert behind.status == BEHIND  # no baseline of Ravenna's could undo Vänersborg's 10


def test_count_met_counts_cities_at_their_own_target_from_their_baselines():
    rule = change(50, rollup="count_met")
    readings = {"trollhattan": number(10), "vanersborg": number(10), "ravenna": number(4)}
    baselines = [D(1), D(10), None]

    rolled = roll_up(rule, readings.values(), baselines=baselines)
    cell = consortium(
        rule,
        readings,
        dict(zip(readings, baselines, strict=True)),
        implementing=list(readings),
    )

    assert rolled.reading.value == D(1)  # Trollhättan only; Ravenna cannot be judged
    assert (cell.value, cell.target, cell.status) == (D(1), D(3), BEHIND)


def test_a_per_country_change_judges_each_country_from_its_cities_baselines():
    rule = change(50, scope="country")
    cities = [*CITIES, "ravenna"]
    baselines = {"trollhattan": D(1), "vanersborg": D(10), "ravenna": D(2)}
    readings = {"trollhattan": number(10), "vanersborg": number(7), "ravenna": number(3)}

    sweden = assess_country(
        rule,
        readings,
        country="SE",
        countries_by_city={"trollhattan": "SE", "vanersborg": "SE", "ravenna": "IT"},
        implementing=cities,
        stage=Stage.FINAL,
        baselines_by_city=baselines,
    )
    whole = consortium(rule, readings, baselines, implementing=cities)

    assert (sweden.value, sweden.target, sweden.status) == (D(17), D("16.5"), ACHIEVED)
    assert (whole.target, whole.status, whole.units_at_target) == (D("19.5"), ACHIEVED, 2)


def test_a_consortium_wide_change_judges_the_consortium_from_its_total_baseline():
    rule = change(-20, direction="lower", scope="consortium", value_type="number")
    baselines = {"trollhattan": D(60), "vanersborg": D(40)}  # 100 -> 80

    met = consortium(rule, {"trollhattan": number(30), "vanersborg": number(45)}, baselines)
    partial = consortium(rule, {"trollhattan": number(30)}, baselines)
    no_start = consortium(rule, {"trollhattan": number(30), "vanersborg": number(45)}, {})

    assert (met.value, met.target, met.status) == (D(75), D(80), ACHIEVED)
    assert partial.status == INCOMPLETE  # Vänersborg's figure could be anything
    assert (no_start.status, no_start.target) == (NO_BASELINE, None)


def test_a_group_at_the_baseline_stage_is_its_starting_point_or_incomplete():
    rule = change(50)
    both = {"trollhattan": number(1), "vanersborg": number(10)}
    total = change(50, scope="consortium")

    assert consortium(rule, both, {}, stage=Stage.BASELINE).status == STARTING_POINT
    assert consortium(rule, both, {}, stage=Stage.BASELINE).target == D("16.5")
    assert consortium(total, both, {}, stage=Stage.BASELINE).status == STARTING_POINT
    one = {"trollhattan": number(1)}
    assert consortium(rule, one, {}, stage=Stage.BASELINE).status == INCOMPLETE
    assert consortium(total, one, {}, stage=Stage.BASELINE).status == INCOMPLETE
    assert consortium(total, one, {}, stage=Stage.BASELINE).target is None


def test_the_consortiums_own_figure_is_judged_from_its_own_baseline():
    rule = KpiRule(
        value_type="count",
        target_value=D(50),
        target_scope="consortium",
        reporting_level="consortium",
        target_basis="change",
    )

    cell = assess_consortium(
        rule,
        {},
        implementing=CITIES,
        stage=Stage.FINAL,
        consortium_reading=number(4),
        baseline=D(2),
    )

    assert (cell.status, cell.target) == (ACHIEVED, D(3))
