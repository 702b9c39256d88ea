"""Progress against targets: the one set of rules the dashboards, the API and the exports share.

Pure functions over plain values (no Django, no ORM), so no two screens can disagree.
The enum values are the strings the models store, so model choices compare equal to them.

Inputs
    ``KpiRule``  how a KPI is judged: value type, target, target scope, direction, roll-up
                 and reporting level.
    ``Reading``  one measurement: a status plus a number, a yes/no or a text answer.
                 A missing measurement is ``MISSING`` (status ``not_reported``); ``None``
                 is accepted wherever a reading is expected and means the same.
    Both take the plain strings the models store and turn them into the enums below;
    numbers are Decimal (int is accepted, float refused).

Output
    ``Assessment``  one cell: result status, figure, target, uncapped ratio, and how many
                    units were reported out of how many expected.

Public API
    progress_ratio(value, target, *, direction, baseline=None) -> Decimal | None
    target_met(value, target, *, direction) -> bool
    stage_status(ratio, *, stage) -> ProgressStatus          on track or behind, by stage
    yes_no_status(answer, *, direction, stage) -> ProgressStatus
    unreported_status(status) -> ProgressStatus               not_available / n/a / no_data
    capped_ratio(ratio, *, cap=DISPLAY_CAP) -> Decimal | None  for display only
    display_percent(ratio, *, cap=DISPLAY_CAP) -> int | None   for display only
    assess(rule, reading, *, stage, baseline=None) -> Assessment
    assess_city(rule, reading, *, implements, stage, baseline=None) -> Assessment | None
    roll_up(rule, readings) -> RollUp
    group_target(rule, *, level, city_count, country_count=1) -> Decimal | None
    group_baseline(rule, baselines_by_city, members) -> Decimal | None
    assess_country(rule, readings_by_city, *, country, countries_by_city, implementing,
                   stage, baseline=None) -> Assessment | None
    assess_consortium(rule, readings_by_city, *, implementing, stage, consortium_reading=None,
                      countries_by_city=None, baseline=None) -> Assessment | None
    assess_parts(parts, readings_by_part, *, stage) -> list[tuple[str, Assessment]]
    latest_reading(readings_by_stage) -> tuple[Stage, Reading] | None
    summarise(assessments) -> dict[ProgressStatus, int]

Rules decided here (DESIGN.md leaves them open)
    * Ratio: ``value / target``; with a baseline on the unmet side of the target (below it
      for higher-is-better, above it for lower-is-better) ``(value - baseline) / (target -
      baseline)``, mirrored for lower-is-better. A baseline equal to or already past the
      target is ignored. Lower-is-better without a baseline: ``target / value``.
      Whenever that would divide by zero (higher-is-better target 0, lower-is-better value 0)
      the ratio is ``None``; the status still comes from comparing value and target, so
      any value >= 0 meets a higher-is-better target of 0 and a value of 0 meets any
      lower-is-better target >= 0. Ratios (and means) are rounded half-up to 4 places, never capped;
      only ``capped_ratio``/``display_percent`` hold it between 0 and the cap, for display.
    * Status of a number: ``achieved`` when the target is met; otherwise ``on_track`` when
      the ratio reaches the stage's expected fraction (baseline 0, midway 0.5, final 1),
      else ``behind``. So at baseline any unmet value is on track and at final it is behind.
    * Yes/no KPIs carry no target value (the models forbid one): "yes" is the target when
      higher is better, "no" when lower is better. Not there yet is on track before the
      final stage and behind at it. They have no ratio.
    * ``qualitative``: text KPIs, a reported answer with no usable figure (text only on a
      number KPI), and a figure with no target to judge it by. A city's figure for a KPI
      whose target is per country or consortium-wide has no target of its own, so its
      cell is qualitative; the country or consortium cell carries the judgement.
    * A city that does not implement the solution, or a city/country of a KPI the consortium
      reports once, has no cell: the ``assess_*`` helpers return ``None``.
    * Roll-ups use reported readings only. ``reported_count`` counts readings with status
      reported; ``expected_count`` counts the units the KPI applies to (not_applicable ones
      are left out). Nothing reported: all not_applicable -> not_applicable; any
      not_available -> not_available; otherwise no_data.
    * A per-city target seen at country or consortium level is scaled by the roll-up:
      ``sum`` -> target x cities (a per-country target at consortium level: x countries),
      ``mean`` and ``all``/``any`` -> the target as is, ``none`` -> no target.
      ``count_met`` -> the figure is the number of cities meeting their own per-city
      target and the target is every expected city. A target stated for a larger unit
      than the one assessed is not applied. A consortium-level reading is judged against
      the KPI's target as stated.
    * A country's or the consortium's baseline is its cities' baselines rolled up by
      ``sum`` or ``mean``, and only when every member city has one; other roll-ups
      have none.
    * The implementing cities are authoritative: readings of other cities are ignored.
    * ``latest_reading`` prefers the latest stage with a reported or not_available reading,
      and falls back to the latest not_applicable one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

CityKey = TypeVar("CityKey", bound=Hashable)
StageKey = TypeVar("StageKey", bound=str)
EnumT = TypeVar("EnumT", bound=StrEnum)


class ValueType(StrEnum):
    COUNT = "count"
    NUMBER = "number"
    PERCENT = "percent"
    BOOLEAN = "boolean"
    TEXT = "text"


class TargetScope(StrEnum):
    CITY = "city"
    COUNTRY = "country"
    CONSORTIUM = "consortium"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class ReportingLevel(StrEnum):
    CITY = "city"
    CONSORTIUM = "consortium"


class Rollup(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    COUNT_MET = "count_met"
    ALL = "all"
    ANY = "any"
    NONE = "none"


class Stage(StrEnum):
    BASELINE = "baseline"
    MIDWAY = "midway"
    FINAL = "final"


class MeasurementStatus(StrEnum):
    REPORTED = "reported"
    NOT_AVAILABLE = "not_available"
    NOT_APPLICABLE = "not_applicable"
    NOT_REPORTED = "not_reported"


class ProgressStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"
    NOT_AVAILABLE = "not_available"
    NOT_APPLICABLE = "not_applicable"
    QUALITATIVE = "qualitative"


STAGE_ORDER: tuple[Stage, ...] = (Stage.BASELINE, Stage.MIDWAY, Stage.FINAL)
EXPECTED_FRACTION: dict[Stage, Decimal] = {
    Stage.BASELINE: Decimal(0),
    Stage.MIDWAY: Decimal("0.5"),
    Stage.FINAL: Decimal(1),
}
DISPLAY_CAP = Decimal("1.5")
PLACES = Decimal("0.0001")
_LEVEL_RANK = {TargetScope.CITY: 0, TargetScope.COUNTRY: 1, TargetScope.CONSORTIUM: 2}
_UNREPORTED = {
    MeasurementStatus.NOT_AVAILABLE: ProgressStatus.NOT_AVAILABLE,
    MeasurementStatus.NOT_APPLICABLE: ProgressStatus.NOT_APPLICABLE,
    MeasurementStatus.NOT_REPORTED: ProgressStatus.NO_DATA,
}


def _as(enum: type[EnumT], value: EnumT | str) -> EnumT:
    """``enum(value)``, without the lookup when the value already is a member (hot path)."""
    return value if value.__class__ is enum else enum(value)


def _decimal(number: Decimal | int | None) -> Decimal | None:
    """Accept Decimal or int; refuse float, whose binary error must never reach a figure."""
    if number is None or isinstance(number, Decimal):
        return number
    if isinstance(number, int) and not isinstance(number, bool):
        return Decimal(number)
    raise TypeError(f"expected Decimal, int or None, got {type(number).__name__}")


@dataclass(frozen=True, slots=True)
class KpiRule:
    """How one KPI is judged. Plain strings (e.g. model field values) are turned into enums."""

    value_type: ValueType
    target_value: Decimal | None = None
    target_scope: TargetScope = TargetScope.CITY
    direction: Direction = Direction.HIGHER
    rollup: Rollup = Rollup.SUM
    reporting_level: ReportingLevel = ReportingLevel.CITY

    def __post_init__(self) -> None:
        object.__setattr__(self, "value_type", _as(ValueType, self.value_type))
        object.__setattr__(self, "target_value", _decimal(self.target_value))
        object.__setattr__(self, "target_scope", _as(TargetScope, self.target_scope))
        object.__setattr__(self, "direction", _as(Direction, self.direction))
        object.__setattr__(self, "rollup", _as(Rollup, self.rollup))
        object.__setattr__(self, "reporting_level", _as(ReportingLevel, self.reporting_level))


@dataclass(frozen=True, slots=True)
class Reading:
    """One measurement as plain values; ``text`` is the text answer (or the reason for N/A)."""

    status: MeasurementStatus
    value: Decimal | None = None
    boolean: bool | None = None
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", _as(MeasurementStatus, self.status))
        object.__setattr__(self, "value", _decimal(self.value))

    @property
    def is_reported(self) -> bool:
        return self.status is MeasurementStatus.REPORTED


MISSING = Reading(MeasurementStatus.NOT_REPORTED)


@dataclass(frozen=True, slots=True)
class Assessment:
    """One cell: a unit's figure judged against its target at one stage.

    ``value`` and ``ratio`` are the true figures, never capped; ``display_ratio`` and
    ``display_percent`` are for drawing bars. For a single unit ``reported_count`` is 0 or 1
    and ``expected_count`` 1 (0 when not applicable); for a roll-up they say how many units
    the figure rests on.
    """

    status: ProgressStatus
    value: Decimal | None = None
    boolean: bool | None = None
    text: str = ""
    target: Decimal | None = None
    ratio: Decimal | None = None
    reported_count: int = 0
    expected_count: int = 1

    @property
    def display_ratio(self) -> Decimal | None:
        return capped_ratio(self.ratio)

    @property
    def display_percent(self) -> int | None:
        return display_percent(self.ratio)

    @property
    def is_complete(self) -> bool:
        return self.reported_count >= self.expected_count


@dataclass(frozen=True, slots=True)
class RollUp:
    """Several units' readings combined into one reading, with how many it rests on."""

    reading: Reading
    reported_count: int
    expected_count: int


def progress_ratio(
    value: Decimal, target: Decimal, *, direction: Direction | str, baseline: Decimal | None = None
) -> Decimal | None:
    """How far the value has come towards the target; 1 means met, above 1 beyond it."""
    higher = _as(Direction, direction) is Direction.HIGHER
    if baseline is not None and (baseline < target if higher else baseline > target):
        gained, span = (value - baseline, target - baseline)
        if not higher:
            gained, span = -gained, -span
        return _round(gained / span)
    if higher:
        return None if target == 0 else _round(value / target)
    return None if value == 0 else _round(target / value)


def target_met(value: Decimal, target: Decimal, *, direction: Direction | str) -> bool:
    if _as(Direction, direction) is Direction.HIGHER:
        return value >= target
    return value <= target


def stage_status(ratio: Decimal | None, *, stage: Stage | str) -> ProgressStatus:
    """For a target not yet met: on track when the ratio reaches what the stage expects."""
    progress = Decimal(0) if ratio is None else ratio
    if progress >= EXPECTED_FRACTION[_as(Stage, stage)]:
        return ProgressStatus.ON_TRACK
    return ProgressStatus.BEHIND


def yes_no_status(
    answer: bool, *, direction: Direction | str, stage: Stage | str
) -> ProgressStatus:
    if answer is (_as(Direction, direction) is Direction.HIGHER):
        return ProgressStatus.ACHIEVED
    return ProgressStatus.BEHIND if _as(Stage, stage) is Stage.FINAL else ProgressStatus.ON_TRACK


def unreported_status(status: MeasurementStatus | str) -> ProgressStatus:
    """The result for a reading that carries no answer; none of them is ever a 0."""
    return _UNREPORTED[_as(MeasurementStatus, status)]


def capped_ratio(ratio: Decimal | None, *, cap: Decimal = DISPLAY_CAP) -> Decimal | None:
    """The ratio held between 0 and ``cap`` for a bar; never store or export this one."""
    return None if ratio is None else max(Decimal(0), min(ratio, cap))


def display_percent(ratio: Decimal | None, *, cap: Decimal = DISPLAY_CAP) -> int | None:
    shown = capped_ratio(ratio, cap=cap)
    if shown is None:
        return None
    return int((shown * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _round(number: Decimal) -> Decimal:
    return number.quantize(PLACES, rounding=ROUND_HALF_UP)


def _judge(
    reading: Reading | None,
    *,
    value_type: ValueType,
    target: Decimal | None,
    direction: Direction,
    stage: Stage,
    baseline: Decimal | None,
) -> Assessment:
    reading = reading or MISSING
    if not reading.is_reported:
        not_applicable = reading.status is MeasurementStatus.NOT_APPLICABLE
        return Assessment(
            status=unreported_status(reading.status),
            text=reading.text,
            target=target,
            expected_count=0 if not_applicable else 1,
        )
    status = ProgressStatus.QUALITATIVE
    ratio = None
    if value_type is ValueType.BOOLEAN:
        if reading.boolean is not None:
            status = yes_no_status(reading.boolean, direction=direction, stage=stage)
    elif value_type is not ValueType.TEXT and reading.value is not None and target is not None:
        ratio = progress_ratio(reading.value, target, direction=direction, baseline=baseline)
        if target_met(reading.value, target, direction=direction):
            status = ProgressStatus.ACHIEVED
        else:
            status = stage_status(ratio, stage=stage)
    return Assessment(
        status=status,
        value=reading.value,
        boolean=reading.boolean,
        text=reading.text,
        target=target,
        ratio=ratio,
        reported_count=1,
    )


def _own_target(rule: KpiRule) -> Decimal | None:
    """The target a single reading answers to: its own unit's, never a larger unit's."""
    if rule.reporting_level is ReportingLevel.CONSORTIUM or rule.target_scope is TargetScope.CITY:
        return rule.target_value
    return None


def assess(
    rule: KpiRule, reading: Reading | None, *, stage: Stage | str, baseline: Decimal | None = None
) -> Assessment:
    """Judge one unit's reading (a city's, or the consortium's own) against its own target."""
    return _judge(
        reading,
        value_type=rule.value_type,
        target=_own_target(rule),
        direction=rule.direction,
        stage=_as(Stage, stage),
        baseline=baseline,
    )


def assess_city(
    rule: KpiRule,
    reading: Reading | None,
    *,
    implements: bool,
    stage: Stage | str,
    baseline: Decimal | None = None,
) -> Assessment | None:
    """A city's cell, or ``None`` when the city has no cell for this KPI."""
    if not implements or rule.reporting_level is ReportingLevel.CONSORTIUM:
        return None
    return assess(rule, reading, stage=stage, baseline=baseline)


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


def assess_parts(
    parts: Mapping[str, KpiRule],
    readings_by_part: Mapping[str, Reading | None],
    *,
    stage: Stage | str,
) -> list[tuple[str, Assessment]]:
    """Each part of a composite KPI judged as a KPI of its own, for one unit, in parts' order.

    Parts need not add up; the composite parent itself has no figure (roll-up ``none``).
    """
    return [
        (code, assess(rule, readings_by_part.get(code), stage=stage))
        for code, rule in parts.items()
    ]


def latest_reading(
    readings_by_stage: Mapping[StageKey, Reading | None],
) -> tuple[Stage, Reading] | None:
    """The reading of the latest stage that says something, and which stage that is."""
    readings = {Stage(stage): reading for stage, reading in readings_by_stage.items() if reading}
    for wanted in (
        {MeasurementStatus.REPORTED, MeasurementStatus.NOT_AVAILABLE},
        {MeasurementStatus.NOT_APPLICABLE},
    ):
        for stage in reversed(STAGE_ORDER):
            reading = readings.get(stage)
            if reading is not None and reading.status in wanted:
                return stage, reading
    return None


def summarise(assessments: Iterable[Assessment | None]) -> dict[ProgressStatus, int]:
    """Cells per result status, every status present and in a fixed order; ``None`` is no cell."""
    counts = Counter(cell.status for cell in assessments if cell is not None)
    return {status: counts[status] for status in ProgressStatus}
