"""Several units' readings rolled up: a country's or the consortium's cell.

Pure (no Django); the rules are written out in :mod:`kpis.progress`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from .figure import assess, judge, own_target, target_met, yes_no_status
from .terms import (
    LEVEL_RANK,
    MISSING,
    Assessment,
    CityKey,
    Combined,
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
    as_decimal,
    rounded,
)


def _met_own_target(rule: KpiRule, reading: Reading, baseline: Decimal | None = None) -> bool:
    if rule.value_type is ValueType.BOOLEAN:
        return (
            reading.boolean is not None
            and yes_no_status(reading.boolean, direction=rule.direction, stage=Stage.FINAL)
            is ProgressStatus.ACHIEVED
        )
    target = own_target(rule, baseline)
    if reading.value is None or target is None:
        return False
    return target_met(reading.value, target, direction=rule.direction)


def roll_up(
    rule: KpiRule,
    readings: Iterable[Reading | None],
    *,
    baselines: Iterable[Decimal | None] | None = None,
) -> Combined:
    """Combine several units' readings of one stage by the KPI's roll-up rule.

    ``baselines``, in the readings' order: each unit's baseline figure, which a target
    relative to the baseline needs to count the units at their own target
    (``count_met``); a unit without one is not counted. None are given at the baseline
    stage, where no figure is judged against itself.
    """
    units = [reading or MISSING for reading in readings]
    own_baselines = list(baselines) if baselines is not None else [None] * len(units)
    reported = [reading for reading in units if reading.is_reported]
    statuses = {reading.status for reading in units}
    expected_count = sum(unit.status is not MeasurementStatus.NOT_APPLICABLE for unit in units)
    if not reported:
        if statuses == {MeasurementStatus.NOT_APPLICABLE}:
            status = MeasurementStatus.NOT_APPLICABLE
        elif MeasurementStatus.NOT_AVAILABLE in statuses:
            status = MeasurementStatus.NOT_AVAILABLE
        else:
            status = MeasurementStatus.NOT_REPORTED
        return Combined(Reading(status), 0, expected_count)

    values = [reading.value for reading in reported if reading.value is not None]
    answers = [reading.boolean for reading in reported if reading.boolean is not None]
    value: Decimal | None = None
    boolean: bool | None = None
    if rule.rollup is Rollup.COUNT_MET:
        value = Decimal(
            sum(
                _met_own_target(rule, reading, baseline)
                for reading, baseline in zip(units, own_baselines, strict=True)
                if reading.is_reported
            )
        )
    elif rule.rollup in (Rollup.SUM, Rollup.MEAN) and values:
        value = _combine(rule.rollup, values)
    elif rule.rollup is Rollup.ALL and answers:
        boolean = all(answers)
    elif rule.rollup is Rollup.ANY and answers:
        boolean = any(answers)
    aggregate = Reading(MeasurementStatus.REPORTED, value=value, boolean=boolean)
    return Combined(aggregate, len(reported), expected_count)


def _combine(rollup: Rollup, values: list[Decimal]) -> Decimal:
    total = sum(values, Decimal(0))
    return total if rollup is Rollup.SUM else rounded(total / len(values))


#: The roll-ups whose figure is a number made of the units' numbers.
_FIGURES = (Rollup.SUM, Rollup.MEAN)


def group_baseline(
    rule: KpiRule,
    baselines_by_city: Mapping[CityKey, Decimal | None],
    members: Iterable[CityKey],
) -> Decimal | None:
    """A country's or the consortium's baseline: its cities' baseline figures rolled up.

    Only when every member city has one: a sum over some of them would understate the
    start and so overstate the progress. ``None`` for roll-ups with no figure to start
    from (``count_met``, ``all``/``any``, ``none``) and for no members.
    """
    if rule.rollup not in (Rollup.SUM, Rollup.MEAN):
        return None
    values = []
    for city in members:
        value = baselines_by_city.get(city)
        if value is None:
            return None
        values.append(as_decimal(value))
    return _combine(rule.rollup, values) if values else None


def group_target(
    rule: KpiRule, *, level: TargetScope | str, city_count: int, country_count: int = 1
) -> Decimal | None:
    """The target a country or the consortium answers to, from a target stated per unit."""
    level = TargetScope(level)
    if rule.rollup is Rollup.COUNT_MET:
        return Decimal(city_count)
    if rule.target_value is None or rule.rollup is Rollup.NONE:
        return None
    if LEVEL_RANK[rule.target_scope] > LEVEL_RANK[level]:
        return None
    if rule.rollup is not Rollup.SUM or rule.target_scope is level:
        return rule.target_value
    units = city_count if rule.target_scope is TargetScope.CITY else country_count
    return rule.target_value * units


def _group_value_type(rule: KpiRule) -> ValueType:
    if rule.rollup is Rollup.COUNT_MET:
        return ValueType.COUNT
    if rule.rollup is Rollup.NONE:
        return ValueType.TEXT
    return rule.value_type


def per_unit_target(rule: KpiRule, level: TargetScope | str) -> TargetScope | None:
    """The unit whose own target a roll-up at ``level`` is judged by, or ``None``.

    ``count_met`` counts cities at their own target; a ``sum`` or ``mean`` of a target
    stated per city or per country, seen at a larger unit, is judged unit by unit too.
    """
    level = TargetScope(level)
    if rule.rollup is Rollup.COUNT_MET:
        return TargetScope.CITY
    if (
        rule.target_value is not None
        and rule.rollup in (Rollup.SUM, Rollup.MEAN)
        and LEVEL_RANK[rule.target_scope] < LEVEL_RANK[level]
    ):
        return rule.target_scope
    return None


#: Larger than any figure a unit can hold (the entry rules stop at 10^12), for the
#: "as large as it could be" end of a missing figure's range.
_AS_LARGE_AS_CAN_BE = Decimal(10**18)
#: What a missing figure of each value type could turn out to be: (lowest, highest).
_FIGURE_RANGE = {
    ValueType.COUNT: (Decimal(0), _AS_LARGE_AS_CAN_BE),
    ValueType.PERCENT: (Decimal(0), Decimal(100)),
    ValueType.NUMBER: (-_AS_LARGE_AS_CAN_BE, _AS_LARGE_AS_CAN_BE),
    ValueType.BOOLEAN: (Decimal(0), _AS_LARGE_AS_CAN_BE),  # the number beside an answer
}
_JUDGED = (
    ProgressStatus.BEHIND,
    ProgressStatus.ON_TRACK,
    ProgressStatus.STARTING_POINT,
    ProgressStatus.ACHIEVED,
)


def _weakest_unit(statuses: Iterable[ProgressStatus]) -> ProgressStatus:
    """A group of units is as far as its weakest unit: achieved only when every unit is.

    A unit without a judged figure (missing, not available, text only, itself
    incomplete) could be anything: the group is incomplete unless a judged unit is
    already behind, which no missing figure can undo. A unit with no baseline figure to
    judge a target relative to it by makes the group ``no_baseline``, on the same terms.
    """
    statuses = [status for status in statuses if status is not ProgressStatus.NOT_APPLICABLE]
    if ProgressStatus.BEHIND in statuses:
        return ProgressStatus.BEHIND
    if ProgressStatus.NO_BASELINE in statuses:  # a unit that cannot be judged: say why
        return ProgressStatus.NO_BASELINE
    if any(status not in _JUDGED for status in statuses):
        return ProgressStatus.INCOMPLETE
    if all(status is ProgressStatus.ACHIEVED for status in statuses):
        return ProgressStatus.ACHIEVED
    if ProgressStatus.STARTING_POINT in statuses:  # the baseline: where the group starts
        return ProgressStatus.STARTING_POINT
    return ProgressStatus.ON_TRACK


def _unit_verdicts(
    rule: KpiRule,
    readings_by_city: Mapping[CityKey, Reading | None],
    applicable: list[CityKey],
    unit: TargetScope,
    *,
    countries_by_city: Mapping[CityKey, str] | None,
    stage: Stage,
    baselines_by_city: Mapping[CityKey, Decimal | None],
) -> list[Assessment]:
    """Each unit (city or country) judged against its own target, as its own cell is."""
    if unit is TargetScope.CITY:
        return [
            assess(
                rule,
                readings_by_city.get(city),
                stage=stage,
                baseline=baselines_by_city.get(city),
            )
            for city in applicable
        ]
    if countries_by_city is None:
        raise ValueError("countries_by_city is needed to judge a per-country target")
    countries = dict.fromkeys(countries_by_city[city] for city in applicable)
    verdicts = []
    for country in countries:
        members = [city for city in applicable if countries_by_city[city] == country]
        cell = assess_country(
            rule,
            readings_by_city,
            country=country,
            countries_by_city=countries_by_city,
            implementing=members,
            stage=stage,
            baseline=group_baseline(rule, baselines_by_city, members),
        )
        if cell is not None:
            verdicts.append(cell)
    return verdicts


def _certain_status(
    rule: KpiRule,
    cell: Assessment,
    readings: list[Reading],
    *,
    value_type: ValueType,
    target: Decimal | None,
    stage: Stage,
    baseline: Decimal | None,
    change: Decimal | None = None,
) -> ProgressStatus:
    """The cell's status if no missing figure could change it, else ``incomplete``.

    The missing figures (not reported, not available, or with no usable answer) are
    tried at both ends of what they could be: nothing and as large as a figure can be
    (0 and 100 for percentages, below zero too for plain numbers), "no" and "yes". The
    status only moves one way as a total grows, so two equal ends settle it.
    """
    if cell.status not in _JUDGED:
        return cell.status
    applicable = [r for r in readings if r.status is not MeasurementStatus.NOT_APPLICABLE]
    if rule.rollup in (Rollup.ALL, Rollup.ANY):
        answers = [r.boolean for r in applicable if r.is_reported and r.boolean is not None]
        missing = len(applicable) - len(answers)
        if not missing:
            return cell.status
        combine = all if rule.rollup is Rollup.ALL else any
        ends = [
            Reading(MeasurementStatus.REPORTED, boolean=combine([*answers, end]))
            for end in (False, True)
        ]
    else:
        values = [r.value for r in applicable if r.is_reported and r.value is not None]
        missing = len(applicable) - len(values)
        if not missing:
            return cell.status
        lowest, highest = _FIGURE_RANGE.get(rule.value_type, _FIGURE_RANGE[ValueType.NUMBER])
        ends = []
        for end in (lowest, highest):
            total = sum(values, Decimal(0)) + end * missing
            if rule.rollup is Rollup.MEAN:
                total = rounded(total / (len(values) + missing))
            ends.append(Reading(MeasurementStatus.REPORTED, value=total))
    statuses = {
        judge(
            end,
            value_type=value_type,
            target=target,
            direction=rule.direction,
            stage=stage,
            baseline=baseline,
            change=change,
        ).status
        for end in ends
    }
    return cell.status if statuses == {cell.status} else ProgressStatus.INCOMPLETE


def _assess_group(
    rule: KpiRule,
    readings_by_city: Mapping[CityKey, Reading | None],
    cities: list[CityKey],
    *,
    level: TargetScope,
    countries_by_city: Mapping[CityKey, str] | None,
    stage: Stage | str,
    baseline: Decimal | None,
    baselines_by_city: Mapping[CityKey, Decimal | None] | None,
) -> Assessment:
    stage = Stage(stage)
    own_baselines = {} if stage is Stage.BASELINE else (baselines_by_city or {})
    readings = [readings_by_city.get(city) or MISSING for city in cities]
    rolled = roll_up(rule, readings, baselines=[own_baselines.get(city) for city in cities])
    applicable = [
        city
        for city, reading in zip(cities, readings, strict=True)
        if reading.status is not MeasurementStatus.NOT_APPLICABLE
    ]
    country_count = 1
    if rule.rollup is Rollup.SUM and rule.target_scope is TargetScope.COUNTRY:
        if countries_by_city is None:
            raise ValueError("countries_by_city is needed to scale a per-country target")
        country_count = len({countries_by_city[city] for city in applicable})
    target = group_target(
        rule, level=level, city_count=len(applicable), country_count=country_count
    )
    value_type = _group_value_type(rule)
    # A target relative to the baseline, summed or averaged: the group's own target is
    # its baseline (its cities' rolled up, all of them) x (1 + change / 100), which is
    # the sum or the mean of its cities' own targets.
    change = rule.change if target is not None and rule.rollup in _FIGURES else None
    if change is not None and stage is not Stage.BASELINE and baseline is None:
        baseline = group_baseline(rule, own_baselines, applicable)
    cell = judge(
        rolled.reading,
        value_type=value_type,
        target=target,
        direction=Direction.HIGHER if rule.rollup is Rollup.COUNT_MET else rule.direction,
        stage=stage,
        baseline=baseline,
        change=change,
    )
    cell = replace(cell, reported_count=rolled.reported_count, expected_count=rolled.expected_count)
    if not rolled.reported_count:
        return cell
    if change is not None and stage is Stage.BASELINE and _has_missing_figures(readings):
        # Some cities' starting points are not known: neither is the group's.
        cell = replace(cell, status=ProgressStatus.INCOMPLETE, target=None, baseline=None)
    unit = per_unit_target(rule, level)
    if unit is not None:
        verdicts = _unit_verdicts(
            rule,
            readings_by_city,
            applicable,
            unit,
            countries_by_city=countries_by_city,
            stage=stage,
            baselines_by_city=baselines_by_city or {},
        )
        return replace(
            cell,
            status=_weakest_unit(verdict.status for verdict in verdicts),
            # The sum's ratio to the summed target says nothing of the verdict; the
            # share of cities at target (count_met) does.
            ratio=cell.ratio if rule.rollup is Rollup.COUNT_MET else None,
            units_at_target=sum(v.status is ProgressStatus.ACHIEVED for v in verdicts),
            unit_count=len(verdicts),
        )
    status = _certain_status(
        rule,
        cell,
        readings,
        value_type=value_type,
        target=target,
        stage=stage,
        baseline=baseline,
        change=change,
    )
    return replace(cell, status=status)


def _has_missing_figures(readings: Iterable[Reading]) -> bool:
    """Whether an applicable unit has no number to add (not reported, N/A, text only)."""
    return any(
        reading.status is not MeasurementStatus.NOT_APPLICABLE
        and (not reading.is_reported or reading.value is None)
        for reading in readings
    )


def assess_country(
    rule: KpiRule,
    readings_by_city: Mapping[CityKey, Reading | None],
    *,
    country: str,
    countries_by_city: Mapping[CityKey, str],
    implementing: Collection[CityKey],
    stage: Stage | str,
    baseline: Decimal | None = None,
    baselines_by_city: Mapping[CityKey, Decimal | None] | None = None,
) -> Assessment | None:
    """The roll-up of a country's implementing cities, or ``None`` when it has no cell.

    ``baselines_by_city``: each city's own baseline, to judge a per-city target city by
    city as the city's own cell is judged.
    """
    if rule.reporting_level is ReportingLevel.CONSORTIUM:
        return None
    cities = [city for city in implementing if countries_by_city[city] == country]
    if not cities:
        return None
    return _assess_group(
        rule,
        readings_by_city,
        cities,
        level=TargetScope.COUNTRY,
        countries_by_city=countries_by_city,
        stage=stage,
        baseline=baseline,
        baselines_by_city=baselines_by_city,
    )


def assess_consortium(
    rule: KpiRule,
    readings_by_city: Mapping[CityKey, Reading | None],
    *,
    implementing: Collection[CityKey],
    stage: Stage | str,
    consortium_reading: Reading | None = None,
    countries_by_city: Mapping[CityKey, str] | None = None,
    baseline: Decimal | None = None,
    baselines_by_city: Mapping[CityKey, Decimal | None] | None = None,
) -> Assessment | None:
    """The consortium's cell: its own reading when it reports once, else the cities' roll-up.

    ``countries_by_city`` is needed for a per-country target (to scale it for a ``sum``
    and to judge each country); ``baselines_by_city`` as for :func:`assess_country`.
    """
    if rule.reporting_level is ReportingLevel.CONSORTIUM:
        return assess(rule, consortium_reading, stage=stage, baseline=baseline)
    if not implementing:
        return None
    return _assess_group(
        rule,
        readings_by_city,
        list(implementing),
        level=TargetScope.CONSORTIUM,
        countries_by_city=countries_by_city,
        stage=stage,
        baseline=baseline,
        baselines_by_city=baselines_by_city,
    )
