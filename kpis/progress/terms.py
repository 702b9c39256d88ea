"""The words of the progress rules: the enums, a KPI's rule, a reading, a judged cell.

Pure (no Django). The enum values are the strings the models store; ``KpiRule`` and
``Reading`` turn plain strings into these enums and numbers into Decimal.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
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


class TargetBasis(StrEnum):
    """What a target value is: a figure to reach, or each unit's change from its baseline."""

    ABSOLUTE = "absolute"
    #: ``target_value`` is the percentage change each unit makes from its own baseline
    #: figure (-20 = a fifth lower, +50 = half as much again).
    CHANGE = "change"


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
    #: A baseline figure short of its target: where the unit starts, not a verdict.
    STARTING_POINT = "starting_point"
    #: A target relative to the baseline, and the unit has no baseline figure to judge by.
    NO_BASELINE = "no_baseline"
    NO_DATA = "no_data"
    NOT_AVAILABLE = "not_available"
    NOT_APPLICABLE = "not_applicable"
    QUALITATIVE = "qualitative"
    INCOMPLETE = "incomplete"


STAGE_ORDER: tuple[Stage, ...] = (Stage.BASELINE, Stage.MIDWAY, Stage.FINAL)
EXPECTED_FRACTION: dict[Stage, Decimal] = {
    Stage.BASELINE: Decimal(0),
    Stage.MIDWAY: Decimal("0.5"),
    Stage.FINAL: Decimal(1),
}
#: The value types that are numbers: they have targets, ratios and roll-ups of numbers.
NUMERIC_TYPES: frozenset[ValueType] = frozenset(
    {ValueType.COUNT, ValueType.NUMBER, ValueType.PERCENT}
)
DISPLAY_CAP = Decimal("1.5")
PLACES = Decimal("0.0001")
LEVEL_RANK = {TargetScope.CITY: 0, TargetScope.COUNTRY: 1, TargetScope.CONSORTIUM: 2}
_UNREPORTED = {
    MeasurementStatus.NOT_AVAILABLE: ProgressStatus.NOT_AVAILABLE,
    MeasurementStatus.NOT_APPLICABLE: ProgressStatus.NOT_APPLICABLE,
    MeasurementStatus.NOT_REPORTED: ProgressStatus.NO_DATA,
}


def _as(enum: type[EnumT], value: EnumT | str) -> EnumT:
    """``enum(value)``, without the lookup when the value already is a member (hot path)."""
    return value if value.__class__ is enum else enum(value)


def as_decimal(number: Decimal | int | None) -> Decimal | None:
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
    target_basis: TargetBasis = TargetBasis.ABSOLUTE

    def __post_init__(self) -> None:
        object.__setattr__(self, "value_type", _as(ValueType, self.value_type))
        object.__setattr__(self, "target_value", as_decimal(self.target_value))
        object.__setattr__(self, "target_scope", _as(TargetScope, self.target_scope))
        object.__setattr__(self, "direction", _as(Direction, self.direction))
        object.__setattr__(self, "rollup", _as(Rollup, self.rollup))
        object.__setattr__(self, "reporting_level", _as(ReportingLevel, self.reporting_level))
        object.__setattr__(self, "target_basis", _as(TargetBasis, self.target_basis))

    @property
    def change(self) -> Decimal | None:
        """The percentage change from each unit's baseline, for a numeric KPI whose target
        is relative to it (``target_basis`` change); else ``None``."""
        if self.target_basis is TargetBasis.CHANGE and self.value_type in NUMERIC_TYPES:
            return self.target_value
        return None


@dataclass(frozen=True, slots=True)
class Reading:
    """One measurement as plain values; ``text`` is the text answer (or the reason for N/A)."""

    status: MeasurementStatus
    value: Decimal | None = None
    boolean: bool | None = None
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", _as(MeasurementStatus, self.status))
        object.__setattr__(self, "value", as_decimal(self.value))

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
    the figure rests on. A roll-up of a target stated per unit (per city, per country) also
    says how many of its units meet their own target: ``units_at_target`` of ``unit_count``
    (``None`` and 0 for every other cell). For a target relative to the baseline
    (``target_basis`` change) ``baseline`` is the figure the unit's own ``target`` was
    worked out from (``None`` otherwise, and when the unit has no baseline figure).
    """

    status: ProgressStatus
    value: Decimal | None = None
    boolean: bool | None = None
    text: str = ""
    target: Decimal | None = None
    ratio: Decimal | None = None
    reported_count: int = 0
    expected_count: int = 1
    units_at_target: int | None = None
    unit_count: int = 0
    baseline: Decimal | None = None

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
class Combined:
    """Several units' readings combined into one reading, with how many it rests on."""

    reading: Reading
    reported_count: int
    expected_count: int


def capped_ratio(ratio: Decimal | None, *, cap: Decimal = DISPLAY_CAP) -> Decimal | None:
    """The ratio held between 0 and ``cap`` for a bar; never store or export this one."""
    return None if ratio is None else max(Decimal(0), min(ratio, cap))


def display_percent(ratio: Decimal | None, *, cap: Decimal = DISPLAY_CAP) -> int | None:
    shown = capped_ratio(ratio, cap=cap)
    if shown is None:
        return None
    return int((shown * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rounded(number: Decimal) -> Decimal:
    return number.quantize(PLACES, rounding=ROUND_HALF_UP)


def changed_target(baseline: Decimal, change: Decimal) -> Decimal:
    """A unit's own target from its baseline figure: baseline x (1 + change / 100).

    -20 from 72.5 is 58; +50 from 1 is 1.5; rounded half-up to 4 places like a ratio.
    """
    return rounded(baseline * (1 + change / 100))
