"""The stages' words and keys: one set of keys for the models, the pages and the rules."""

from __future__ import annotations

from icc_portal.stages import ReportingStage
from kpis import progress
from kpis.models import KPI, Measurement
from kpis.vocabulary import STAGES


def test_the_stages_keys_are_the_progress_rules_own_in_the_same_order():
    assert [stage.value for stage in ReportingStage.ordered()] == list(progress.STAGE_ORDER)
    assert list(STAGES) == [stage.value for stage in progress.Stage]
    assert [ReportingStage.position(stage) for stage in STAGES] == [0, 1, 2]


def test_every_choice_of_a_kpi_and_a_figure_is_a_value_of_the_rules_enum():
    pairs = [
        (KPI.ValueType, progress.ValueType),
        (KPI.TargetScope, progress.TargetScope),
        (KPI.Direction, progress.Direction),
        (KPI.ReportingLevel, progress.ReportingLevel),
        (KPI.Rollup, progress.Rollup),
        (Measurement.Status, progress.MeasurementStatus),
    ]
    for choices, enum in pairs:
        assert choices.values == [member.value for member in enum], choices


def test_the_numeric_value_types_are_the_kpis_numbers():
    numeric = [t for t in KPI.ValueType if KPI(value_type=t).is_numeric]
    assert numeric == [KPI.ValueType.COUNT, KPI.ValueType.NUMBER, KPI.ValueType.PERCENT]
    assert progress.NUMERIC_TYPES == set(numeric)
