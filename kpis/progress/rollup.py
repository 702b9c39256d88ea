"""Several units' readings rolled up: a country's or the consortium's cell.

Pure (no Django); the rules are written out in :mod:`kpis.progress`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from .figure import _judge, _own_target, assess, target_met, yes_no_status
from .terms import (
    _LEVEL_RANK,
    MISSING,
    Assessment,
    CityKey,
    Direction,
    KpiRule,
    MeasurementStatus,
    ProgressStatus,
    Reading,
    ReportingLevel,
    RollUp,
    Rollup,
    Stage,
    TargetScope,
    ValueType,
    _decimal,
    _round,
)


def _met_own_target(rule: KpiRule, reading: Reading) -> bool:
    if rule.value_type is ValueType.BOOLEAN:
        return (
            reading.boolean is not None
            and yes_no_status(reading.boolean, direction=rule.direction, stage=Stage.FINAL)
            is ProgressStatus.ACHIEVED
        )
    target = _own_target(rule)
    if reading.value is None or target is None:
        return False
    return target_met(reading.value, target, direction=rule.direction)


def roll_up(rule: KpiRule, readings: Iterable[Reading | None]) -> RollUp:
    """Combine several units' readings of one stage by the KPI's roll-up rule."""
    units = [reading or MISSING for reading in readings]
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
        return RollUp(Reading(status), 0, expected_count)

    values = [reading.value for reading in reported if reading.value is not None]
    answers = [reading.boolean for reading in reported if reading.boolean is not None]
    value: Decimal | None = None
    boolean: bool | None = None
    if rule.rollup is Rollup.COUNT_MET:
        value = Decimal(sum(_met_own_target(rule, reading) for reading in reported))
    elif rule.rollup in (Rollup.SUM, Rollup.MEAN) and values:
        value = _combine(rule.rollup, values)
    elif rule.rollup is Rollup.ALL and answers:
        boolean = all(answers)
    elif rule.rollup is Rollup.ANY and answers:
        boolean = any(answers)
    aggregate = Reading(MeasurementStatus.REPORTED, value=value, boolean=boolean)
    return RollUp(aggregate, len(reported), expected_count)


def _combine(rollup: Rollup, values: list[Decimal]) -> Decimal:
    total = sum(values, Decimal(0))
    return total if rollup is Rollup.SUM else _round(total / len(values))


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
        values.append(_decimal(value))
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
    if _LEVEL_RANK[rule.target_scope] > _LEVEL_RANK[level]:
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


def _assess_group(
    rule: KpiRule,
    readings_by_city: Mapping[CityKey, Reading | None],
    cities: list[CityKey],
    *,
    level: TargetScope,
    countries_by_city: Mapping[CityKey, str] | None,
    stage: Stage | str,
    baseline: Decimal | None,
) -> Assessment:
    readings = [readings_by_city.get(city) or MISSING for city in cities]
    rolled = roll_up(rule, readings)
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
    cell = _judge(
        rolled.reading,
        value_type=_group_value_type(rule),
        target=target,
        direction=Direction.HIGHER if rule.rollup is Rollup.COUNT_MET else rule.direction,
        stage=Stage(stage),
        baseline=baseline,
    )
    return replace(cell, reported_count=rolled.reported_count, expected_count=rolled.expected_count)


def assess_country(
    rule: KpiRule,
    readings_by_city: Mapping[CityKey, Reading | None],
    *,
    country: str,
    countries_by_city: Mapping[CityKey, str],
    implementing: Collection[CityKey],
    stage: Stage | str,
    baseline: Decimal | None = None,
) -> Assessment | None:
    """The roll-up of a country's implementing cities, or ``None`` when it has no cell."""
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
) -> Assessment | None:
    """The consortium's cell: its own reading when it reports once, else the cities' roll-up.

    ``countries_by_city`` is only needed to scale a per-country target for a ``sum``.
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
    )
