"""One figure judged against its own target: ratios, statuses, the latest reading.

Pure (no Django); the rules are written out in :mod:`kpis.progress`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

from .terms import (
    _UNREPORTED,
    EXPECTED_FRACTION,
    MISSING,
    STAGE_ORDER,
    Assessment,
    Direction,
    KpiRule,
    MeasurementStatus,
    ProgressStatus,
    Reading,
    ReportingLevel,
    Stage,
    StageKey,
    TargetScope,
    ValueType,
    _as,
    rounded,
)


def progress_ratio(
    value: Decimal, target: Decimal, *, direction: Direction | str, baseline: Decimal | None = None
) -> Decimal | None:
    """How far the value has come towards the target; 1 means met, above 1 beyond it."""
    higher = _as(Direction, direction) is Direction.HIGHER
    if baseline is not None and (baseline < target if higher else baseline > target):
        gained, span = (value - baseline, target - baseline)
        if not higher:
            gained, span = -gained, -span
        return rounded(gained / span)
    if higher:
        return None if target == 0 else rounded(value / target)
    return None if value == 0 else rounded(target / value)


def target_met(value: Decimal, target: Decimal, *, direction: Direction | str) -> bool:
    if _as(Direction, direction) is Direction.HIGHER:
        return value >= target
    return value <= target


def stage_status(ratio: Decimal | None, *, stage: Stage | str) -> ProgressStatus:
    """For a target not yet met: the starting point at baseline (no verdict there), later
    on track when the ratio reaches what the stage expects, else behind."""
    if _as(Stage, stage) is Stage.BASELINE:
        return ProgressStatus.STARTING_POINT
    progress = Decimal(0) if ratio is None else ratio
    if progress >= EXPECTED_FRACTION[_as(Stage, stage)]:
        return ProgressStatus.ON_TRACK
    return ProgressStatus.BEHIND


def yes_no_status(
    answer: bool, *, direction: Direction | str, stage: Stage | str
) -> ProgressStatus:
    if answer is (_as(Direction, direction) is Direction.HIGHER):
        return ProgressStatus.ACHIEVED
    stage = _as(Stage, stage)
    if stage is Stage.BASELINE:
        return ProgressStatus.STARTING_POINT
    return ProgressStatus.BEHIND if stage is Stage.FINAL else ProgressStatus.ON_TRACK


def unreported_status(status: MeasurementStatus | str) -> ProgressStatus:
    """The result for a reading that carries no answer; none of them is ever a 0."""
    return _UNREPORTED[_as(MeasurementStatus, status)]


def judge(
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
            if status is ProgressStatus.STARTING_POINT:
                ratio = None  # no progress to measure yet: the figure is where it starts
    return Assessment(
        status=status,
        value=reading.value,
        boolean=reading.boolean,
        text=reading.text,
        target=target,
        ratio=ratio,
        reported_count=1,
    )


def own_target(rule: KpiRule) -> Decimal | None:
    """The target a single reading answers to: its own unit's, never a larger unit's."""
    if rule.reporting_level is ReportingLevel.CONSORTIUM or rule.target_scope is TargetScope.CITY:
        return rule.target_value
    return None


def assess(
    rule: KpiRule, reading: Reading | None, *, stage: Stage | str, baseline: Decimal | None = None
) -> Assessment:
    """Judge one unit's reading (a city's, or the consortium's own) against its own target."""
    return judge(
        reading,
        value_type=rule.value_type,
        target=own_target(rule),
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
