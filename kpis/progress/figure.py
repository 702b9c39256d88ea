"""One figure judged against its own target: ratios, statuses, the latest reading.

Pure (no Django); the rules are written out in :mod:`kpis.progress`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from .terms import (
    _UNREPORTED,
    EXPECTED_FRACTION,
    MISSING,
    NUMERIC_TYPES,
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
    changed_target,
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
    change: Decimal | None = None,
) -> Assessment:
    """One reading against its target. With ``change`` (a target relative to the
    baseline) ``target`` is not used: the unit's own target is worked out from
    ``baseline`` (:func:`judge_change`)."""
    reading = reading or MISSING
    if change is not None:
        return judge_change(
            reading,
            value_type=value_type,
            change=change,
            direction=direction,
            stage=stage,
            baseline=baseline,
        )
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


def judge_change(
    reading: Reading,
    *,
    value_type: ValueType,
    change: Decimal,
    direction: Direction,
    stage: Stage,
    baseline: Decimal | None,
) -> Assessment:
    """A reading against a target relative to the unit's own baseline figure.

    At the baseline stage the reading is the baseline: its own target is worked out
    from it and it is the starting point, never judged against itself. Later, without
    a baseline figure there is no target: ``no_baseline``, never a guess. Otherwise the
    reading is judged as any figure against baseline x (1 + change / 100), the ratio
    counted from the baseline. ``baseline`` is kept in the assessment, to be shown.
    """
    at_baseline = stage is Stage.BASELINE
    if at_baseline:
        baseline = reading.value if reading.is_reported else None
    target = None if baseline is None else changed_target(baseline, change)
    if not reading.is_reported:
        not_applicable = reading.status is MeasurementStatus.NOT_APPLICABLE
        return Assessment(
            status=unreported_status(reading.status),
            text=reading.text,
            target=target,
            expected_count=0 if not_applicable else 1,
            baseline=baseline,
        )
    if reading.value is None or value_type not in NUMERIC_TYPES:
        return judge(
            reading,
            value_type=value_type,
            target=None,
            direction=direction,
            stage=stage,
            baseline=None,
        )
    if target is None or at_baseline:
        return Assessment(
            status=ProgressStatus.NO_BASELINE if target is None else ProgressStatus.STARTING_POINT,
            value=reading.value,
            text=reading.text,
            target=target,
            reported_count=1,
            baseline=baseline,
        )
    cell = judge(
        reading,
        value_type=value_type,
        target=target,
        direction=direction,
        stage=stage,
        baseline=baseline,
    )
    return replace(cell, baseline=baseline)


def own_target(rule: KpiRule, baseline: Decimal | None = None) -> Decimal | None:
    """The target a single reading answers to: its own unit's, never a larger unit's.

    For a target relative to the baseline, the one worked out from the unit's
    ``baseline`` figure (``None`` without one)."""
    if rule.reporting_level is ReportingLevel.CONSORTIUM or rule.target_scope is TargetScope.CITY:
        change = rule.change
        if change is None:
            return rule.target_value
        return None if baseline is None else changed_target(baseline, change)
    return None


def _own_change(rule: KpiRule) -> Decimal | None:
    """The change a single reading is judged by, when its own unit has a target at all."""
    if rule.reporting_level is ReportingLevel.CONSORTIUM or rule.target_scope is TargetScope.CITY:
        return rule.change
    return None


def assess(
    rule: KpiRule, reading: Reading | None, *, stage: Stage | str, baseline: Decimal | None = None
) -> Assessment:
    """Judge one unit's reading (a city's, or the consortium's own) against its own target.

    ``baseline``: the unit's baseline figure (ignored at the baseline stage itself): the
    start of the ratio, and for a target relative to it the figure its target comes from.
    """
    return judge(
        reading,
        value_type=rule.value_type,
        target=own_target(rule),
        direction=rule.direction,
        stage=_as(Stage, stage),
        baseline=baseline,
        change=_own_change(rule),
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
