"""The progress rules, over plain values: no database, no Django."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis.progress import (
    DISPLAY_CAP,
    EXPECTED_FRACTION,
    MISSING,
    Assessment,
    Direction,
    KpiRule,
    MeasurementStatus,
    ProgressStatus,
    Reading,
    ReportingLevel,
    Rollup,
    Stage,
    TargetScope,
    ValueType,
    assess,
    assess_city,
    assess_consortium,
    assess_country,
    assess_parts,
    capped_ratio,
    display_percent,
    group_baseline,
    group_target,
    latest_reading,
    progress_ratio,
    roll_up,
    stage_status,
    summarise,
    target_met,
    unreported_status,
    yes_no_status,
)

HIGHER = Direction.HIGHER
LOWER = Direction.LOWER
NOT_AVAILABLE = Reading(MeasurementStatus.NOT_AVAILABLE, text="no open data portal yet")
NOT_APPLICABLE = Reading(MeasurementStatus.NOT_APPLICABLE)
YES = Reading(MeasurementStatus.REPORTED, boolean=True)
NO = Reading(MeasurementStatus.REPORTED, boolean=False)

SERN_COUNTRIES = {"trollhattan": "SE", "ravenna": "IT", "cervia": "IT"}
SERN_CITIES = ["trollhattan", "ravenna", "cervia"]


def reported(value: int | str) -> Reading:
    return Reading(MeasurementStatus.REPORTED, value=Decimal(value))


def count_rule(
    target: int | str | None = None,
    *,
    scope: TargetScope = TargetScope.CITY,
    direction: Direction = HIGHER,
    rollup: Rollup = Rollup.SUM,
    reporting_level: ReportingLevel = ReportingLevel.CITY,
) -> KpiRule:
    return KpiRule(
        ValueType.COUNT,
        None if target is None else Decimal(target),
        scope,
        direction,
        rollup,
        reporting_level,
    )


# Ratio


def test_ratio_is_value_over_target() -> None:
    assert progress_ratio(Decimal(3), Decimal(4), direction=HIGHER) == Decimal("0.75")


def test_ratio_with_baseline_measures_progress_from_the_baseline() -> None:
    ratio = progress_ratio(Decimal(30), Decimal(50), direction=HIGHER, baseline=Decimal(20))

    assert ratio == Decimal("0.3333")


def test_baseline_equal_to_target_is_ignored() -> None:
    ratio = progress_ratio(Decimal(3), Decimal(4), direction=HIGHER, baseline=Decimal(4))

    assert ratio == Decimal("0.75")


def test_baseline_already_past_the_target_is_ignored() -> None:
    ratio = progress_ratio(Decimal(12), Decimal(5), direction=HIGHER, baseline=Decimal(10))

    assert ratio == Decimal("2.4")


def test_lower_is_better_without_baseline_is_target_over_value() -> None:
    assert progress_ratio(Decimal(80), Decimal(40), direction=LOWER) == Decimal("0.5")
    assert progress_ratio(Decimal(20), Decimal(40), direction=LOWER) == Decimal(2)


def test_lower_is_better_with_baseline_counts_a_fall_as_progress() -> None:
    ratio = progress_ratio(Decimal(70), Decimal(40), direction=LOWER, baseline=Decimal(100))

    assert ratio == Decimal("0.5")


def test_lower_is_better_with_baseline_counts_a_rise_as_negative_progress() -> None:
    ratio = progress_ratio(Decimal(110), Decimal(40), direction=LOWER, baseline=Decimal(100))

    assert ratio == Decimal("-0.1667")
    assert display_percent(ratio) == 0


def test_lower_is_better_value_zero_meets_the_target_without_dividing_by_zero() -> None:
    rule = count_rule(5, direction=LOWER)

    cell = assess(rule, reported(0), stage=Stage.FINAL)

    assert progress_ratio(Decimal(0), Decimal(5), direction=LOWER) is None
    assert cell.status == ProgressStatus.ACHIEVED
    assert cell.ratio is None


def test_lower_is_better_above_target_at_final_is_behind() -> None:
    cell = assess(count_rule(40, direction=LOWER), reported(80), stage=Stage.FINAL)

    assert cell.status == ProgressStatus.BEHIND
    assert cell.ratio == Decimal("0.5")


def test_zero_target_is_achieved_by_any_reported_value_without_dividing_by_zero() -> None:
    rule = count_rule(0)

    for value in (0, 3):
        cell = assess(rule, reported(value), stage=Stage.MIDWAY)

        assert cell.status == ProgressStatus.ACHIEVED
        assert cell.ratio is None
    assert progress_ratio(Decimal(3), Decimal(0), direction=HIGHER) is None


def test_over_achievement_keeps_the_ratio_uncapped_and_caps_only_for_display() -> None:
    cell = assess(count_rule(2), reported(10), stage=Stage.FINAL)

    assert cell.ratio == Decimal(5)
    assert cell.display_ratio == DISPLAY_CAP
    assert cell.display_percent == 150
    assert capped_ratio(Decimal(5), cap=Decimal(1)) == Decimal(1)
    assert display_percent(Decimal(5), cap=Decimal(2)) == 200


def test_display_never_goes_below_zero() -> None:
    assert capped_ratio(Decimal("-0.5")) == Decimal(0)


def test_display_percent_rounds_half_up_and_is_none_without_ratio() -> None:
    assert display_percent(Decimal("0.3333")) == 33
    assert display_percent(Decimal("0.125")) == 13
    assert display_percent(None) is None
    assert capped_ratio(None) is None


def test_ratio_is_rounded_to_four_places() -> None:
    assert progress_ratio(Decimal(1), Decimal(3), direction=HIGHER) == Decimal("0.3333")


# Status by stage


def test_expected_fraction_rises_from_baseline_to_final() -> None:
    assert [EXPECTED_FRACTION[stage] for stage in Stage] == [0, Decimal("0.5"), 1]


def test_midway_is_on_track_at_half_the_target() -> None:
    rule = count_rule(4)

    assert assess(rule, reported(2), stage=Stage.MIDWAY).status == ProgressStatus.ON_TRACK
    assert assess(rule, reported(1), stage=Stage.MIDWAY).status == ProgressStatus.BEHIND


# The baseline is the starting point: no on-track/behind verdict there (DESIGN.md)


def test_a_baseline_figure_short_of_its_target_is_the_starting_point_without_a_ratio() -> None:
    cell = assess(count_rule(2), reported(0), stage=Stage.BASELINE)  # 0 of 2 buildings

    assert cell.status == ProgressStatus.STARTING_POINT
    assert cell.ratio is None and cell.display_percent is None  # never "on track 0 %"
    assert cell.value == 0 and cell.target == 2


def test_a_lower_is_better_baseline_above_its_target_is_the_starting_point() -> None:
    rule = KpiRule(ValueType.PERCENT, Decimal(60), TargetScope.CITY, LOWER)
    cell = assess(rule, reported("72.5"), stage=Stage.BASELINE)

    assert cell.status == ProgressStatus.STARTING_POINT  # not "on track 83 %"
    assert cell.ratio is None


@pytest.mark.parametrize(("direction", "value"), [(HIGHER, 5), (HIGHER, 7), (LOWER, 5), (LOWER, 3)])
def test_a_baseline_figure_at_or_past_its_target_is_achieved(direction, value) -> None:
    cell = assess(count_rule(5, direction=direction), reported(value), stage=Stage.BASELINE)

    assert cell.status == ProgressStatus.ACHIEVED
    assert cell.ratio is not None and cell.ratio >= 1


def test_the_same_figure_is_the_starting_point_at_baseline_on_track_at_midway_behind_at_final():
    statuses = [assess(count_rule(4), reported(2), stage=s).status for s in Stage]

    assert statuses == [
        ProgressStatus.STARTING_POINT,
        ProgressStatus.ON_TRACK,
        ProgressStatus.BEHIND,
    ]


def test_a_sum_at_baseline_is_the_groups_starting_point_or_achieved() -> None:
    rule = count_rule(4, scope=TargetScope.CONSORTIUM)
    readings = {"ravenna": reported(1), "cervia": reported(2)}
    short = assess_consortium(
        rule, readings, implementing=["ravenna", "cervia"], stage=Stage.BASELINE
    )
    met = assess_consortium(
        rule,
        {**readings, "cervia": reported(3)},
        implementing=["ravenna", "cervia"],
        stage=Stage.BASELINE,
    )

    assert (short.status, short.ratio) == (ProgressStatus.STARTING_POINT, None)
    assert met.status == ProgressStatus.ACHIEVED


def test_per_city_targets_at_baseline_read_achieved_only_when_every_city_is() -> None:
    rule = count_rule(2)  # each city: 2
    cities = ["ravenna", "cervia"]
    one_met = {"ravenna": reported(2), "cervia": reported(0)}
    both_met = {"ravenna": reported(2), "cervia": reported(5)}
    missing = {"ravenna": reported(2)}

    def status(readings):
        return assess_consortium(rule, readings, implementing=cities, stage=Stage.BASELINE).status

    assert status(one_met) == ProgressStatus.STARTING_POINT
    assert status(both_met) == ProgressStatus.ACHIEVED
    assert status(missing) == ProgressStatus.INCOMPLETE  # the missing one could be at 2


def test_final_value_below_target_is_behind() -> None:
    cell = assess(count_rule(4), reported(3), stage=Stage.FINAL)

    assert cell.status == ProgressStatus.BEHIND


@pytest.mark.parametrize("stage", list(Stage))
def test_met_target_is_achieved_at_every_stage(stage: Stage) -> None:
    assert assess(count_rule(4), reported(4), stage=stage).status == ProgressStatus.ACHIEVED


def test_stage_status_treats_missing_ratio_as_no_progress() -> None:
    assert stage_status(None, stage=Stage.BASELINE) == ProgressStatus.STARTING_POINT
    assert stage_status(None, stage=Stage.MIDWAY) == ProgressStatus.BEHIND


def test_target_met_respects_direction() -> None:
    assert target_met(Decimal(5), Decimal(5), direction=HIGHER)
    assert not target_met(Decimal(6), Decimal(5), direction=LOWER)
    assert target_met(Decimal(4), Decimal(5), direction=LOWER)


def test_baseline_aware_status_at_midway() -> None:
    rule = count_rule(50)

    cell = assess(rule, reported(36), stage=Stage.MIDWAY, baseline=Decimal(20))

    assert cell.ratio == Decimal("0.5333")
    assert cell.status == ProgressStatus.ON_TRACK
    assert assess(rule, reported(36), stage=Stage.MIDWAY).ratio == Decimal("0.72")


# Yes/no and text


def test_yes_no_kpi_is_achieved_by_yes() -> None:
    rule = KpiRule(ValueType.BOOLEAN)

    assert assess(rule, YES, stage=Stage.MIDWAY).status == ProgressStatus.ACHIEVED


def test_yes_no_kpi_answered_no_starts_there_is_on_track_at_midway_and_behind_at_final() -> None:
    rule = KpiRule(ValueType.BOOLEAN)

    assert assess(rule, NO, stage=Stage.BASELINE).status == ProgressStatus.STARTING_POINT
    assert assess(rule, YES, stage=Stage.BASELINE).status == ProgressStatus.ACHIEVED
    assert assess(rule, NO, stage=Stage.MIDWAY).status == ProgressStatus.ON_TRACK
    assert assess(rule, NO, stage=Stage.FINAL).status == ProgressStatus.BEHIND


def test_yes_no_kpi_with_lower_is_better_wants_no() -> None:
    assert yes_no_status(False, direction=LOWER, stage=Stage.FINAL) == ProgressStatus.ACHIEVED
    assert yes_no_status(True, direction=LOWER, stage=Stage.FINAL) == ProgressStatus.BEHIND


def test_yes_no_kpi_has_no_ratio() -> None:
    assert assess(KpiRule(ValueType.BOOLEAN), YES, stage=Stage.FINAL).ratio is None


def test_text_kpi_is_qualitative_without_ratio() -> None:
    rule = KpiRule(ValueType.TEXT, rollup=Rollup.NONE)
    answer = Reading(MeasurementStatus.REPORTED, text="Draft plans in development")

    cell = assess(rule, answer, stage=Stage.FINAL)

    assert cell.status == ProgressStatus.QUALITATIVE
    assert cell.ratio is None
    assert cell.text == "Draft plans in development"


def test_text_only_answer_on_a_number_kpi_is_qualitative() -> None:
    answer = Reading(MeasurementStatus.REPORTED, text="To be performed in 2023")

    cell = assess(count_rule(2), answer, stage=Stage.FINAL)

    assert cell.status == ProgressStatus.QUALITATIVE
    assert cell.reported_count == 1


def test_number_without_a_target_is_qualitative() -> None:
    cell = assess(count_rule(None), reported(7), stage=Stage.FINAL)

    assert cell.status == ProgressStatus.QUALITATIVE
    assert cell.value == Decimal(7)
    assert cell.ratio is None


# Readings that carry no answer


def test_not_available_is_never_counted_as_zero() -> None:
    cell = assess(count_rule(2), NOT_AVAILABLE, stage=Stage.FINAL)

    assert cell.status == ProgressStatus.NOT_AVAILABLE
    assert cell.value is None
    assert cell.ratio is None
    assert cell.text == "no open data portal yet"


def test_not_applicable_has_its_own_status_and_is_not_expected() -> None:
    cell = assess(count_rule(2), NOT_APPLICABLE, stage=Stage.FINAL)

    assert cell.status == ProgressStatus.NOT_APPLICABLE
    assert cell.expected_count == 0


@pytest.mark.parametrize("reading", [None, MISSING, Reading("not_reported")])
def test_missing_reading_is_no_data(reading: Reading | None) -> None:
    cell = assess(count_rule(2), reading, stage=Stage.FINAL)

    assert cell.status == ProgressStatus.NO_DATA
    assert (cell.reported_count, cell.expected_count) == (0, 1)


def test_unreported_status_maps_each_measurement_status() -> None:
    assert unreported_status("not_available") == ProgressStatus.NOT_AVAILABLE
    assert unreported_status("not_applicable") == ProgressStatus.NOT_APPLICABLE
    assert unreported_status("not_reported") == ProgressStatus.NO_DATA


# Inputs


def test_rule_accepts_the_plain_strings_the_models_store() -> None:
    rule = KpiRule("count", Decimal(2), "country", "lower", "count_met", "consortium")

    assert rule.value_type is ValueType.COUNT
    assert rule.target_scope is TargetScope.COUNTRY
    assert rule.rollup is Rollup.COUNT_MET
    assert rule.reporting_level is ReportingLevel.CONSORTIUM
    assert rule.direction == "lower"
    assert ProgressStatus.ON_TRACK == "on_track"


def test_float_figures_are_refused() -> None:
    with pytest.raises(TypeError):
        Reading(MeasurementStatus.REPORTED, value=0.1)
    with pytest.raises(TypeError):
        KpiRule(ValueType.COUNT, target_value=2.0)


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError):
        Reading("n/a")


# City cells


def test_city_that_does_not_implement_the_solution_has_no_cell() -> None:
    assert assess_city(count_rule(2), reported(5), implements=False, stage=Stage.FINAL) is None


def test_city_has_no_cell_for_a_kpi_the_consortium_reports_once() -> None:
    rule = count_rule(6, scope=TargetScope.CONSORTIUM, reporting_level=ReportingLevel.CONSORTIUM)

    assert assess_city(rule, reported(3), implements=True, stage=Stage.FINAL) is None


def test_city_figure_for_a_consortium_wide_target_is_qualitative() -> None:
    rule = count_rule(4, scope=TargetScope.CONSORTIUM)

    cell = assess_city(rule, reported(2), implements=True, stage=Stage.FINAL)

    assert cell is not None
    assert cell.status == ProgressStatus.QUALITATIVE
    assert cell.target is None
    assert cell.value == Decimal(2)


# Roll-ups


def test_sum_uses_reported_numbers_only_and_counts_them() -> None:
    rolled = roll_up(count_rule(4), [reported(2), MISSING, reported(3), NOT_AVAILABLE])

    assert rolled.reading.value == Decimal(5)
    assert (rolled.reported_count, rolled.expected_count) == (2, 4)


def test_mean_uses_reported_numbers_only() -> None:
    rule = KpiRule(ValueType.PERCENT, Decimal(50), rollup=Rollup.MEAN)

    rolled = roll_up(rule, [reported(10), reported(20), None, reported(40)])

    assert rolled.reading.value == Decimal("23.3333")
    assert rolled.reported_count == 3


def test_count_met_counts_cities_that_met_their_own_target() -> None:
    rule = count_rule(2, rollup=Rollup.COUNT_MET)

    rolled = roll_up(rule, [reported(10), reported(1), reported(2), NOT_AVAILABLE])

    assert rolled.reading.value == Decimal(2)


def test_count_met_at_country_level_is_judged_against_every_city() -> None:
    rule = count_rule(2, rollup=Rollup.COUNT_MET)
    readings = {"ravenna": reported(3), "cervia": reported(1)}

    cell = assess_country(
        rule,
        readings,
        country="IT",
        countries_by_city=SERN_COUNTRIES,
        implementing=SERN_CITIES,
        stage=Stage.MIDWAY,
    )

    assert cell is not None
    assert (cell.value, cell.target, cell.ratio) == (Decimal(1), Decimal(2), Decimal("0.5"))
    assert cell.status == ProgressStatus.ON_TRACK


def test_all_and_any_roll_up_yes_no_answers() -> None:
    all_rule = KpiRule(ValueType.BOOLEAN, rollup=Rollup.ALL)
    any_rule = KpiRule(ValueType.BOOLEAN, rollup=Rollup.ANY)

    assert roll_up(all_rule, [YES, NO]).reading.boolean is False
    assert roll_up(all_rule, [YES, YES, MISSING]).reading.boolean is True
    assert roll_up(any_rule, [NO, YES]).reading.boolean is True
    assert roll_up(any_rule, [NO, NO]).reading.boolean is False


def test_no_roll_up_gives_no_figure_and_a_qualitative_cell() -> None:
    rule = KpiRule(ValueType.TEXT, rollup=Rollup.NONE, target_scope=TargetScope.CONSORTIUM)
    answer = Reading(MeasurementStatus.REPORTED, text="survey done")

    cell = assess_consortium(rule, {"cervia": answer}, implementing=SERN_CITIES, stage=Stage.FINAL)

    assert roll_up(rule, [answer]).reading.value is None
    assert cell is not None
    assert cell.status == ProgressStatus.QUALITATIVE
    assert (cell.reported_count, cell.expected_count) == (1, 3)


def test_roll_up_of_only_not_available_readings_is_not_available() -> None:
    rolled = roll_up(count_rule(2), [NOT_AVAILABLE, NOT_AVAILABLE])

    assert rolled.reading.status == MeasurementStatus.NOT_AVAILABLE
    assert rolled.reading.value is None


def test_roll_up_with_some_not_available_and_none_reported_is_not_available() -> None:
    rolled = roll_up(count_rule(2), [NOT_AVAILABLE, MISSING, NOT_APPLICABLE])

    assert rolled.reading.status == MeasurementStatus.NOT_AVAILABLE
    assert rolled.expected_count == 2


def test_roll_up_with_nothing_reported_is_no_data() -> None:
    rolled = roll_up(count_rule(2), [MISSING, None, NOT_APPLICABLE])

    assert rolled.reading.status == MeasurementStatus.NOT_REPORTED


def test_roll_up_of_only_not_applicable_readings_is_not_applicable() -> None:
    rolled = roll_up(count_rule(2), [NOT_APPLICABLE, NOT_APPLICABLE])

    assert rolled.reading.status == MeasurementStatus.NOT_APPLICABLE
    assert rolled.expected_count == 0


# Country and consortium cells


def test_country_with_mixed_reported_and_missing_cities_sums_the_reported_ones() -> None:
    rule = count_rule(2, scope=TargetScope.COUNTRY)

    cell = assess_country(
        rule,
        {"ravenna": reported(1)},
        country="IT",
        countries_by_city=SERN_COUNTRIES,
        implementing=SERN_CITIES,
        stage=Stage.FINAL,
    )

    assert cell is not None
    assert (cell.value, cell.target) == (Decimal(1), Decimal(2))
    assert (cell.reported_count, cell.expected_count) == (1, 2)
    assert not cell.is_complete
    # Cervia's missing figure could still bring Italy to its 2: not "behind" yet.
    assert cell.status == ProgressStatus.INCOMPLETE


def test_country_without_implementing_cities_has_no_cell() -> None:
    cell = assess_country(
        count_rule(2, scope=TargetScope.COUNTRY),
        {"trollhattan": reported(6)},
        country="SE",
        countries_by_city=SERN_COUNTRIES,
        implementing=["ravenna", "cervia"],
        stage=Stage.FINAL,
    )

    assert cell is None


def test_readings_of_cities_that_do_not_implement_are_left_out_of_roll_ups() -> None:
    cell = assess_consortium(
        count_rule(4, scope=TargetScope.CONSORTIUM),
        {"trollhattan": reported(2), "ravenna": reported(1), "cervia": reported(1)},
        implementing=["ravenna", "cervia"],
        stage=Stage.FINAL,
    )

    assert cell is not None
    assert cell.value == Decimal(2)
    assert cell.expected_count == 2


def test_per_city_target_is_scaled_by_cities_when_summed() -> None:
    rule = count_rule(2)

    cell = assess_country(
        rule,
        {"ravenna": reported(3), "cervia": reported(4)},
        country="IT",
        countries_by_city=SERN_COUNTRIES,
        implementing=SERN_CITIES,
        stage=Stage.FINAL,
    )

    assert cell is not None
    assert (cell.value, cell.target, cell.status) == (Decimal(7), Decimal(4), "achieved")


def test_per_country_target_is_scaled_by_countries_at_consortium_level() -> None:
    rule = count_rule(2, scope=TargetScope.COUNTRY)
    readings = {"trollhattan": reported(6), "ravenna": reported(1), "cervia": reported(1)}

    cell = assess_consortium(
        rule,
        readings,
        implementing=SERN_CITIES,
        countries_by_city=SERN_COUNTRIES,
        stage=Stage.FINAL,
    )

    assert cell is not None
    assert (cell.value, cell.target) == (Decimal(8), Decimal(4))
    with pytest.raises(ValueError):
        assess_consortium(rule, readings, implementing=SERN_CITIES, stage=Stage.FINAL)


def test_group_target_follows_the_roll_up_rule() -> None:
    def target(rule: KpiRule, level: str = "consortium") -> Decimal | None:
        return group_target(rule, level=level, city_count=3, country_count=2)

    assert target(count_rule(2)) == Decimal(6)
    assert target(count_rule(2, scope=TargetScope.COUNTRY)) == Decimal(4)
    assert target(count_rule(2, scope=TargetScope.COUNTRY), level="country") == Decimal(2)
    assert target(count_rule(50, rollup=Rollup.MEAN)) == Decimal(50)
    assert target(count_rule(2, rollup=Rollup.COUNT_MET)) == Decimal(3)
    assert target(count_rule(2, rollup=Rollup.NONE)) is None
    assert target(count_rule(4, scope=TargetScope.CONSORTIUM), level="country") is None


def test_consortium_level_reading_is_used_when_the_consortium_reports_once() -> None:
    rule = count_rule(45, scope=TargetScope.CONSORTIUM, reporting_level=ReportingLevel.CONSORTIUM)

    cell = assess_consortium(
        rule,
        {"cervia": reported(1)},
        implementing=SERN_CITIES,
        consortium_reading=reported(48),
        stage=Stage.FINAL,
    )
    missing = assess_consortium(rule, {}, implementing=SERN_CITIES, stage=Stage.FINAL)

    assert cell is not None
    assert (cell.value, cell.status) == (Decimal(48), ProgressStatus.ACHIEVED)
    assert (cell.reported_count, cell.expected_count) == (1, 1)
    assert missing is not None
    assert missing.status == ProgressStatus.NO_DATA


def test_country_has_no_cell_for_a_kpi_the_consortium_reports_once() -> None:
    rule = count_rule(6, scope=TargetScope.CONSORTIUM, reporting_level=ReportingLevel.CONSORTIUM)

    cell = assess_country(
        rule,
        {},
        country="IT",
        countries_by_city=SERN_COUNTRIES,
        implementing=SERN_CITIES,
        stage=Stage.FINAL,
    )

    assert cell is None


def test_consortium_without_implementing_cities_has_no_cell() -> None:
    cell = assess_consortium(count_rule(4), {}, implementing=[], stage=Stage.FINAL)

    assert cell is None


def test_rolled_up_yes_no_is_judged_like_a_single_answer() -> None:
    rule = KpiRule(ValueType.BOOLEAN, rollup=Rollup.ALL, target_scope=TargetScope.CONSORTIUM)

    cell = assess_consortium(
        rule, {"ravenna": YES, "cervia": NO}, implementing=SERN_CITIES, stage=Stage.FINAL
    )

    assert cell is not None
    assert (cell.boolean, cell.status) == (False, ProgressStatus.BEHIND)


# Composite KPIs


def test_composite_parts_are_each_assessed_as_their_own_kpi_in_order() -> None:
    parts = {
        "1.5a": count_rule(1),
        "1.5b": count_rule(2),
        "1.5c": count_rule(10),
    }
    readings = {"1.5c": reported(30), "1.5a": reported(0)}

    cells = assess_parts(parts, readings, stage=Stage.FINAL)

    assert [code for code, _ in cells] == ["1.5a", "1.5b", "1.5c"]
    assert [cell.status for _, cell in cells] == [
        ProgressStatus.BEHIND,
        ProgressStatus.NO_DATA,
        ProgressStatus.ACHIEVED,
    ]
    assert cells[2][1].ratio == Decimal(3)


# Latest stage


def test_latest_reading_prefers_the_final_stage() -> None:
    readings = {Stage.BASELINE: reported(1), Stage.MIDWAY: reported(2), Stage.FINAL: reported(3)}

    assert latest_reading(readings) == (Stage.FINAL, reported(3))


def test_latest_reading_skips_stages_not_yet_reported() -> None:
    readings = {"midway": reported(2), "final": MISSING, "baseline": reported(1)}

    assert latest_reading(readings) == (Stage.MIDWAY, reported(2))


def test_latest_reading_counts_not_available_as_an_answer() -> None:
    readings = {Stage.MIDWAY: reported(2), Stage.FINAL: NOT_AVAILABLE}

    assert latest_reading(readings) == (Stage.FINAL, NOT_AVAILABLE)


def test_latest_reading_falls_back_to_not_applicable() -> None:
    readings = {Stage.MIDWAY: NOT_APPLICABLE, Stage.FINAL: None}

    assert latest_reading(readings) == (Stage.MIDWAY, NOT_APPLICABLE)


def test_latest_reading_is_none_when_nothing_was_reported() -> None:
    assert latest_reading({Stage.FINAL: MISSING}) is None
    assert latest_reading({}) is None


# Summary line


def test_summary_counts_cells_per_status_and_skips_cities_without_a_cell() -> None:
    cells: list[Assessment | None] = [
        Assessment(ProgressStatus.ACHIEVED),
        Assessment(ProgressStatus.ACHIEVED),
        Assessment(ProgressStatus.BEHIND),
        Assessment(ProgressStatus.NO_DATA),
        None,
    ]

    summary = summarise(cells)

    assert list(summary) == list(ProgressStatus)
    assert summary[ProgressStatus.ACHIEVED] == 2
    assert summary[ProgressStatus.BEHIND] == 1
    assert summary[ProgressStatus.NO_DATA] == 1
    assert summary[ProgressStatus.ON_TRACK] == 0
    assert sum(summary.values()) == 4


# Acceptance facts from the SERN demo data


def test_sern_trollhattan_kpi_1_1_final_is_achieved_five_times_over() -> None:
    rule = count_rule(2, scope=TargetScope.CITY)

    cell = assess_city(rule, reported(10), implements=True, stage=Stage.FINAL)

    assert cell is not None
    assert cell.status == ProgressStatus.ACHIEVED
    assert cell.ratio == Decimal(5)


def test_sern_policy_making_processes_influenced_is_incomplete_without_ravenna() -> None:
    rule = count_rule(4, scope=TargetScope.CONSORTIUM)
    readings = {"trollhattan": reported(0), "cervia": reported(1), "ravenna": NOT_AVAILABLE}

    cell = assess_consortium(rule, readings, implementing=SERN_CITIES, stage=Stage.FINAL)
    complete = assess_consortium(
        rule, {**readings, "ravenna": reported(2)}, implementing=SERN_CITIES, stage=Stage.FINAL
    )

    assert cell is not None and complete is not None
    assert (cell.value, cell.target) == (Decimal(1), Decimal(4))
    # Ravenna's figure, not available, could be 3 or more: the verdict is open.
    assert cell.status == ProgressStatus.INCOMPLETE
    assert (cell.reported_count, cell.expected_count) == (2, 3)
    assert complete.status == ProgressStatus.BEHIND


def test_sern_cervia_datasets_collected_not_available_is_never_zero_or_behind() -> None:
    rule = count_rule(2, scope=TargetScope.COUNTRY)

    cell = assess_city(rule, NOT_AVAILABLE, implements=True, stage=Stage.FINAL)
    italy = assess_country(
        rule,
        {"cervia": NOT_AVAILABLE, "ravenna": reported(16)},
        country="IT",
        countries_by_city=SERN_COUNTRIES,
        implementing=SERN_CITIES,
        stage=Stage.FINAL,
    )

    assert cell is not None
    assert cell.status == ProgressStatus.NOT_AVAILABLE
    assert cell.value is None
    assert italy is not None
    assert (italy.value, italy.status) == (Decimal(16), ProgressStatus.ACHIEVED)


def test_sern_city_with_no_readings_is_no_data() -> None:
    cell = assess_city(count_rule(2), None, implements=True, stage=Stage.FINAL)

    assert cell is not None
    assert cell.status == ProgressStatus.NO_DATA


# Group baselines


def test_group_baseline_sums_the_cities_baselines() -> None:
    baselines = {"ravenna": Decimal(2), "cervia": Decimal("1.5")}

    assert group_baseline(count_rule(4), baselines, ["ravenna", "cervia"]) == Decimal("3.5")


def test_group_baseline_of_a_mean_is_the_mean() -> None:
    rule = count_rule(60, rollup=Rollup.MEAN)

    assert group_baseline(rule, {"a": Decimal(10), "b": Decimal(20)}, ["a", "b"]) == 15


def test_group_baseline_needs_every_member_city() -> None:
    baselines = {"ravenna": Decimal(2), "cervia": None}

    assert group_baseline(count_rule(4), baselines, ["ravenna", "cervia"]) is None
    assert group_baseline(count_rule(4), {"ravenna": Decimal(2)}, ["ravenna", "cervia"]) is None


def test_group_baseline_is_none_for_counts_of_cities_and_for_no_members() -> None:
    baselines = {"ravenna": Decimal(2)}

    assert group_baseline(count_rule(4, rollup=Rollup.COUNT_MET), baselines, ["ravenna"]) is None
    assert group_baseline(count_rule(4), baselines, []) is None


def test_group_baseline_lets_a_consortium_count_progress_from_its_start() -> None:
    rule = count_rule(4, scope=TargetScope.CONSORTIUM)
    cities = {"ravenna": reported(2), "cervia": reported(1)}
    baseline = group_baseline(rule, {"ravenna": Decimal(1), "cervia": Decimal(1)}, list(cities))

    cell = assess_consortium(
        rule, cities, implementing=list(cities), stage=Stage.MIDWAY, baseline=baseline
    )

    assert baseline == 2
    assert cell.ratio == Decimal("0.5")  # (3 - 2) / (4 - 2), not 3 / 4
    assert cell.status == ProgressStatus.ON_TRACK


# One rule for targets per unit; missing figures never make a roll-up look better


def test_sern_datasets_collected_at_final_is_behind_one_of_two_countries() -> None:
    """KPI 2.2, 2 per country: Italy 16 (Cervia not available), Sweden 0."""
    rule = count_rule(2, scope=TargetScope.COUNTRY)
    readings = {"ravenna": reported(16), "cervia": NOT_AVAILABLE, "trollhattan": reported(0)}

    cell = assess_consortium(
        rule,
        readings,
        implementing=SERN_CITIES,
        countries_by_city=SERN_COUNTRIES,
        stage=Stage.FINAL,
    )

    assert cell is not None
    assert (cell.value, cell.target) == (Decimal(16), Decimal(4))  # the sum is still shown
    assert cell.status == ProgressStatus.BEHIND
    assert (cell.units_at_target, cell.unit_count) == (1, 2)
    assert cell.ratio is None


def test_per_city_target_summed_is_achieved_only_when_every_city_is() -> None:
    rule = count_rule(2)
    everyone = {"trollhattan": reported(2), "ravenna": reported(3), "cervia": reported(2)}
    one_short = {**everyone, "trollhattan": reported(1), "ravenna": reported(30)}

    def consortium(readings, stage=Stage.FINAL):
        return assess_consortium(rule, readings, implementing=SERN_CITIES, stage=stage)

    assert consortium(everyone).status == ProgressStatus.ACHIEVED
    assert (consortium(everyone).units_at_target, consortium(everyone).unit_count) == (3, 3)
    assert consortium(one_short).value == Decimal(33)  # far above 6 in sum, yet:
    assert consortium(one_short).status == ProgressStatus.BEHIND
    # At midway a city at half its target is on track, so the group is on track.
    assert consortium(one_short, Stage.MIDWAY).status == ProgressStatus.ON_TRACK


def test_count_met_follows_the_same_rule_as_a_sum_of_per_city_targets() -> None:
    """KPI 1.1, 2 in each city: three cities at their target, Vänersborg silent."""
    countries = {**SERN_COUNTRIES, "vanersborg": "SE"}
    cities = [*SERN_CITIES, "vanersborg"]
    readings = {"trollhattan": reported(10), "ravenna": reported(3), "cervia": reported(4)}
    counted = count_rule(2, rollup=Rollup.COUNT_MET)
    summed = count_rule(2)

    def consortium(rule, readings):
        return assess_consortium(
            rule, readings, implementing=cities, countries_by_city=countries, stage=Stage.FINAL
        )

    for rule in (counted, summed):
        assert consortium(rule, readings).status == ProgressStatus.INCOMPLETE
        assert consortium(rule, {**readings, "vanersborg": reported(0)}).status == "behind"
        assert consortium(rule, {**readings, "vanersborg": reported(2)}).status == "achieved"
    cell = consortium(counted, readings)
    assert (cell.value, cell.target, cell.ratio) == (Decimal(3), Decimal(4), Decimal("0.75"))
    assert (cell.units_at_target, cell.unit_count) == (3, 4)


def test_a_unit_already_behind_decides_the_group_whatever_is_missing() -> None:
    rule = count_rule(2)
    readings = {"trollhattan": reported(0), "ravenna": reported(5), "cervia": NOT_AVAILABLE}

    cell = assess_consortium(rule, readings, implementing=SERN_CITIES, stage=Stage.FINAL)

    assert cell.status == ProgressStatus.BEHIND
    assert (cell.reported_count, cell.expected_count) == (2, 3)


def test_units_are_judged_from_their_own_baselines() -> None:
    rule = count_rule(10)
    readings = {"ravenna": reported(6), "cervia": reported(6)}
    italy = ["ravenna", "cervia"]

    without = assess_consortium(rule, readings, implementing=italy, stage=Stage.MIDWAY)
    # Ravenna started at 4: 6 is a third of the way to 10, behind at midway.
    started = assess_consortium(
        rule,
        readings,
        implementing=italy,
        stage=Stage.MIDWAY,
        baselines_by_city={"ravenna": Decimal(4), "cervia": Decimal(0)},
    )

    assert without.status == ProgressStatus.ON_TRACK
    assert started.status == ProgressStatus.BEHIND


def test_lower_is_better_sum_with_a_city_not_available_is_incomplete_not_achieved() -> None:
    rule = count_rule(5000, scope=TargetScope.CONSORTIUM, direction=LOWER)
    readings = {"ravenna": reported(2100), "cervia": NOT_AVAILABLE}

    cell = assess_consortium(rule, readings, implementing=["ravenna", "cervia"], stage="final")

    assert cell.value == Decimal(2100)
    assert cell.ratio == Decimal("2.381")  # the partial figure's ratio, still shown
    assert cell.status == ProgressStatus.INCOMPLETE
    assert (cell.reported_count, cell.expected_count) == (1, 2)


def test_higher_is_better_sum_already_at_target_stays_achieved_with_a_city_missing() -> None:
    rule = count_rule(4, scope=TargetScope.CONSORTIUM)

    cell = assess_consortium(
        rule, {"ravenna": reported(5)}, implementing=SERN_CITIES, stage=Stage.FINAL
    )

    assert cell.status == ProgressStatus.ACHIEVED
    assert not cell.is_complete


def test_lower_is_better_sum_already_past_its_limit_stays_behind() -> None:
    rule = count_rule(100, scope=TargetScope.CONSORTIUM, direction=LOWER)

    cell = assess_consortium(
        rule, {"ravenna": reported(900)}, implementing=["ravenna", "cervia"], stage="final"
    )

    assert cell.status == ProgressStatus.BEHIND


def test_missing_percentages_are_bounded_by_a_hundred() -> None:
    rule = KpiRule(ValueType.PERCENT, Decimal(40), TargetScope.CONSORTIUM, rollup=Rollup.MEAN)
    high = {"ravenna": reported(90), "cervia": reported(90)}

    settled = assess_consortium(rule, high, implementing=[*high, "bologna"], stage="final")
    open_ = assess_consortium(
        rule, {"ravenna": reported(50)}, implementing=["ravenna", "cervia"], stage="final"
    )

    # Even a missing 0 % keeps the mean at 60 %: achieved.
    assert settled.status == ProgressStatus.ACHIEVED
    assert open_.status == ProgressStatus.INCOMPLETE


def test_plain_numbers_can_fall_below_zero_so_a_missing_one_leaves_the_sum_open() -> None:
    rule = KpiRule(ValueType.NUMBER, Decimal(10), TargetScope.CONSORTIUM)

    cell = assess_consortium(
        rule, {"ravenna": reported(50)}, implementing=["ravenna", "cervia"], stage="final"
    )

    assert cell.status == ProgressStatus.INCOMPLETE


def test_yes_no_roll_ups_are_settled_only_when_no_missing_answer_could_change_them() -> None:
    every = KpiRule(ValueType.BOOLEAN, target_scope=TargetScope.CONSORTIUM, rollup=Rollup.ALL)
    some = KpiRule(ValueType.BOOLEAN, target_scope=TargetScope.CONSORTIUM, rollup=Rollup.ANY)
    cities = ["ravenna", "cervia", "bologna"]

    def judged(rule, readings):
        return assess_consortium(rule, readings, implementing=cities, stage="final").status

    assert judged(every, {"ravenna": NO}) == ProgressStatus.BEHIND
    assert judged(every, {"ravenna": YES, "cervia": YES}) == ProgressStatus.INCOMPLETE
    assert judged(some, {"ravenna": YES}) == ProgressStatus.ACHIEVED
    assert judged(some, {"ravenna": NO, "cervia": NO}) == ProgressStatus.INCOMPLETE


def test_a_roll_up_with_nothing_reported_keeps_its_own_status() -> None:
    rule = count_rule(2, scope=TargetScope.COUNTRY)

    cell = assess_consortium(
        rule,
        {"ravenna": NOT_AVAILABLE},
        implementing=SERN_CITIES,
        countries_by_city=SERN_COUNTRIES,
        stage="final",
    )

    assert cell.status == ProgressStatus.NOT_AVAILABLE
    assert cell.units_at_target is None
