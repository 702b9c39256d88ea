"""Progress against targets: the one set of rules the dashboards, the API and the exports share.

Pure functions over plain values (no Django, no ORM), so no two screens can disagree.
The enum values are the strings the models store, so model choices compare equal to them.
Split by idea, everything re-exported here: :mod:`~kpis.progress.terms` (the enums and
the records below), :mod:`~kpis.progress.figure` (one figure against its own target) and
:mod:`~kpis.progress.rollup` (a country's or the consortium's cell).

Targets relative to each unit's baseline (DESIGN.md, *Progress*)
    A KPI's ``target_basis`` is ``absolute`` (the target value is the figure to reach) or
    ``change``: then, for a numeric KPI, the target value is the percentage change each
    unit makes from its own baseline figure, and the unit's own target is
    ``baseline x (1 + change / 100)`` (``changed_target``), rounded half-up to 4 places:
        -20 from 72.5 % (lower is better) = 58 %: 55 at final is achieved, 65 behind;
        +50 from 1 (higher is better) = 1.5: Trollhättan's final 10 is achieved;
        +50 from 10 = 15: the same final 10 is behind.
    * The unit's baseline figure is its reported number at the baseline stage. At that
      stage the figure is the starting point (``starting_point``, its own target shown,
      no ratio), never judged against itself, whatever the change. At midway and final
      the figure is judged as any figure against its own target (ratio counted from the
      baseline, mirrored for lower-is-better).
    * **No baseline figure, no judgement**: a reported midway or final number of a unit
      without a baseline figure (not reported, N/A, text only) is ``no_baseline`` (no
      target, no ratio), never judged against a guessed start. Unreported figures keep
      their own statuses (no data, not available, not applicable).
    * Which unit: the target scope says it as for absolute targets: each city from its
      own baseline, each country from its cities' baselines rolled up (``sum`` or
      ``mean``, only when every city has one), the consortium from all of its cities' (or
      its own figure, when it reports once).
    * **Roll-ups follow the one rule for targets per unit**: a country or consortium cell
      of a per-city (or per-country) change is met only when every unit meets its own
      target; its status is its weakest unit's. The target it shows is the group's
      baseline (its cities' baselines rolled up) x (1 + change / 100): the sum of the
      units' own targets (``sum``) or the mean of its cities' own targets (``mean``),
      shown only when every city has a baseline figure.
      ``count_met`` counts the cities at their own target, a city without a baseline
      counting as not met. A unit without a baseline figure makes the group
      ``no_baseline`` (it cannot be judged fully; the cell says so) unless another unit
      is already behind, which no baseline could undo: then it is ``behind``.
      ``no_baseline`` comes before ``incomplete``: a missing baseline is the gap to fill
      first. At the baseline stage a group is its starting point, ``incomplete`` when
      some of its units' starting points are missing.
        Worked (sum, +50 % in each city, final): Trollhättan 1 -> 10 (target 1.5, met)
        and Vänersborg 10 -> 10 (target 15, behind): the consortium shows 20 / +50 %
        from 11 = 16.5 and is behind, 1 of 2 cities at their target. With Ravenna also
        implementing and no baseline, still behind (Vänersborg); were Vänersborg at 15,
        the consortium would be ``no_baseline``.
    * Only numeric value types (``NUMERIC_TYPES``) take a change; the models refuse it
      for yes/no and text KPIs. A change may be negative (down to -100) or above 100.

Inputs
    ``KpiRule``  how a KPI is judged: value type, target, target scope, direction, roll-up,
                 reporting level and target basis.
    ``Reading``  one measurement: a status plus a number, a yes/no or a text answer.
                 A missing measurement is ``MISSING`` (status ``not_reported``); ``None``
                 is accepted wherever a reading is expected and means the same.
    Both take the plain strings the models store and turn them into the enums below;
    numbers are Decimal (int is accepted, float refused).

Output
    ``Assessment``  one cell: result status, figure, target, uncapped ratio, how many
                    units were reported out of how many expected, for a target per
                    unit how many units meet it, and for a target relative to the
                    baseline the baseline figure its target was worked out from.

Public API
    progress_ratio(value, target, *, direction, baseline=None) -> Decimal | None
    target_met(value, target, *, direction) -> bool
    stage_status(ratio, *, stage) -> ProgressStatus          starting point, on track or behind
    yes_no_status(answer, *, direction, stage) -> ProgressStatus
    unreported_status(status) -> ProgressStatus               not_available / n/a / no_data
    capped_ratio(ratio, *, cap=DISPLAY_CAP) -> Decimal | None  for display only
    display_percent(ratio, *, cap=DISPLAY_CAP) -> int | None   for display only
    changed_target(baseline, change) -> Decimal              a unit's own target from its baseline
    assess(rule, reading, *, stage, baseline=None) -> Assessment
    assess_city(rule, reading, *, implements, stage, baseline=None) -> Assessment | None
    roll_up(rule, readings, *, baselines=None) -> Combined
    per_unit_target(rule, level) -> TargetScope | None       the unit a roll-up is judged by
    group_target(rule, *, level, city_count, country_count=1) -> Decimal | None
    group_baseline(rule, baselines_by_city, members) -> Decimal | None
    assess_country(rule, readings_by_city, *, country, countries_by_city, implementing,
                   stage, baseline=None, baselines_by_city=None) -> Assessment | None
    assess_consortium(rule, readings_by_city, *, implementing, stage, consortium_reading=None,
                      countries_by_city=None, baseline=None, baselines_by_city=None)
                      -> Assessment | None
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
    * **The baseline is the starting point** (DESIGN.md, *Progress*): a baseline figure gets
      no on-track/behind verdict. It is ``achieved`` when its target is already met there,
      else ``starting_point``, with no ratio (there is no progress to measure yet): 0 of 2
      buildings, "no" against a "yes" target, 72.5 % against a lower-is-better 60 % all
      read "starting point", never "on track 0 %". A group at baseline is achieved when
      every unit is, else its starting point (incomplete when missing figures could make
      it achieved).
    * Status of a number at midway and final: ``achieved`` when the target is met;
      otherwise ``on_track`` when the ratio reaches the stage's expected fraction (midway
      0.5, final 1), else ``behind``. So at final any unmet value is behind.
    * Yes/no KPIs carry no target value (the models forbid one): "yes" is the target when
      higher is better, "no" when lower is better. Not there yet is the starting point at
      baseline, on track at midway and behind at final. They have no ratio.
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
    * **One rule for targets per unit** (DESIGN.md, *Progress*): a target stated per city
      or per country, judged at a larger unit (``sum``, ``mean`` or ``count_met``), is met
      there only when every implementing unit meets its own target. The larger cell still
      shows the summed (or mean, or counted) figure against the scaled target, but its
      status is its weakest unit's: *achieved* when every unit is, *behind* as soon as one
      unit is behind, else *on track*; ``units_at_target`` of ``unit_count`` says how many
      units are there ("1 of 2 countries at their target": KPI 2.2 at final is behind
      though Italy alone has 16 of the 4 datasets). Its ratio is ``None`` (the sum's ratio
      says nothing of the verdict), except for ``count_met``, whose figure is the share.
      Each unit is judged as its own cell is: a city against its own baseline, a country
      by the roll-up of its cities.
    * **Missing figures never make a roll-up look better than it may be**: when some
      units have no figure to add (not yet reported, not available, an answer with no
      number), the rolled-up status stands only if no value of the missing figures could
      change it; otherwise the cell is ``incomplete`` ("n of m reported"). The missing
      figures are tried at both ends of their range (0 and as large as a figure can be
      for counts, 0 and 100 for percentages, any sign for plain numbers, "no" and "yes"
      for answers): a higher-is-better sum already at its target stays *achieved*, a
      lower-is-better sum of 2,100 against 5,000 with one of two cities not available is
      *incomplete*, not achieved. For targets per unit the same holds unit by unit: a
      unit without a judged figure makes the group incomplete unless another unit is
      already behind.
    * A country's or the consortium's baseline is its cities' baselines rolled up by
      ``sum`` or ``mean``, and only when every member city has one; other roll-ups
      have none.
    * The implementing cities are authoritative: readings of other cities are ignored.
    * ``latest_reading`` prefers the latest stage with a reported or not_available reading,
      and falls back to the latest not_applicable one.
"""

from __future__ import annotations

from .figure import (
    assess,
    assess_city,
    assess_parts,
    latest_reading,
    progress_ratio,
    stage_status,
    summarise,
    target_met,
    unreported_status,
    yes_no_status,
)
from .rollup import (
    assess_consortium,
    assess_country,
    group_baseline,
    group_target,
    per_unit_target,
    roll_up,
)
from .terms import (
    DISPLAY_CAP,
    EXPECTED_FRACTION,
    MISSING,
    NUMERIC_TYPES,
    PLACES,
    STAGE_ORDER,
    Assessment,
    Combined,
    Direction,
    KpiRule,
    MeasurementStatus,
    ProgressStatus,
    Reading,
    ReportingLevel,
    Rollup,
    Stage,
    TargetBasis,
    TargetScope,
    ValueType,
    capped_ratio,
    changed_target,
    display_percent,
)

__all__ = [
    "DISPLAY_CAP",
    "EXPECTED_FRACTION",
    "MISSING",
    "NUMERIC_TYPES",
    "PLACES",
    "STAGE_ORDER",
    "Assessment",
    "Direction",
    "KpiRule",
    "MeasurementStatus",
    "ProgressStatus",
    "Reading",
    "ReportingLevel",
    "Combined",
    "Rollup",
    "Stage",
    "TargetBasis",
    "TargetScope",
    "ValueType",
    "assess",
    "assess_city",
    "assess_consortium",
    "assess_country",
    "assess_parts",
    "capped_ratio",
    "changed_target",
    "display_percent",
    "group_baseline",
    "group_target",
    "latest_reading",
    "per_unit_target",
    "progress_ratio",
    "roll_up",
    "stage_status",
    "summarise",
    "target_met",
    "unreported_status",
    "yes_no_status",
]
