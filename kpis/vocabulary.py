"""The words every room shares: the stages (values, labels, parsing) and the order of KPI codes.

One floor above the models' fields and the pure progress rules, below reporting,
dashboards and the API, so those three say "stage" the same way. The stages themselves
(:class:`icc_portal.stages.ReportingStage`) sit below every app, as a roadmap phase names one
too; their keys are the progress rules' own (:class:`kpis.progress.Stage`, held
together by ``tests/kpis/test_vocabulary.py``), so the rules never need Django.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.words import active_words
from icc_portal.numbers import localised
from icc_portal.stages import ReportingStage

#: The stage values in order.
STAGES: tuple[str, ...] = tuple(stage.value for stage in ReportingStage.ordered())

#: Not a stage: each unit's latest figure, whatever its stage (the dashboards, the API).
LATEST = "latest"

#: What a dashboard or the progress API may show: a stage, or the latest figures.
STAGE_VIEWS: tuple[str, ...] = (*STAGES, LATEST)

#: Stage names short enough for a tab or a label on a phone (the entry grid).
STAGE_SHORT_LABELS = {
    ReportingStage.BASELINE: _("Start"),
    ReportingStage.MIDWAY: _("Midway"),
    ReportingStage.FINAL: _("Final"),
}


def stage_label(stage: str) -> str:
    """A stage's full name in the active programme's words (:mod:`cities.words`)."""
    return active_words().label(stage)


def stage_heading(stage: str) -> str:
    """A stage (or ``latest``) as a dashboard heads it, in the active programme's words;
    anything else as given."""
    return str(_("Latest figures")) if stage == LATEST else active_words().heading(stage)


def stage_headings() -> list[str]:
    """The three stages' column headings, in order."""
    return [stage_heading(stage) for stage in STAGES]


def maturity_title(unit: str) -> str:
    """A unit's table of figures by stage, titled in the active programme's words."""
    return gettext("%(maturity)s – %(unit)s") % {"maturity": active_words().maturity, "unit": unit}


def stage_choices() -> tuple[tuple[str, str], ...]:
    """The dashboards' stage picker: (value, heading), the latest figures last."""
    return tuple((stage, stage_heading(stage)) for stage in STAGE_VIEWS)


def parse_stage(value: str | None, *, default: str) -> str:
    """The stage a page was asked for; anything unknown falls back to the default."""
    return value if value in STAGE_VIEWS else default


def default_stage(stages_with_figures: Iterable[str]) -> str:
    """The latest stage at which anything was reported: where the consortium stands now."""
    present = set(stages_with_figures)
    return next(
        (stage for stage in reversed(STAGES) if stage in present), ReportingStage.FINAL.value
    )


def stages_to_read(stage: str) -> tuple[str, ...]:
    """The stages whose figures a matrix at ``stage`` shows."""
    return STAGES if stage == LATEST else (stage,)


def needs_baselines(stage: str) -> bool:
    """Midway and final figures are judged from the baselines (the latest view reads them all)."""
    return stage in (ReportingStage.MIDWAY, ReportingStage.FINAL)


def previous_stage(stage: str) -> str | None:
    position = ReportingStage.position(stage)
    return ReportingStage.ordered()[position - 1].value if position else None


#: What defines a KPI, apart from its solution and its parent: what a framework copy carries
#: over (:mod:`kpis.framework`) and what a data file may say of it (:mod:`datafiles.loader`).
KPI_DEFINITION_FIELDS = (
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_basis",
    "target_scope",
    "target_text",
    "direction",
    "reporting_level",
    "rollup",
    "method",
    "data_source",
    "means_of_verification",
)


#: The typographic minus a change from the baseline is written with: "−20 %".
MINUS = "\u2212"


def signed_percent(change) -> str:
    """A change from the baseline as people write it, in the active language: "+50 %",
    "−20 %", "0 %"."""
    sign = "+" if change > 0 else MINUS if change < 0 else ""
    return f"{sign}{localised(abs(change))} %"


def change_from_baseline(change, baseline, target) -> str:
    """A unit's own target beside the figure it is counted from: "−20 % from 72.5 = 58";
    without a baseline figure, "−20 % from the baseline" (no target can be said)."""
    if baseline is None or target is None:
        return gettext("%(change)s from the baseline") % {"change": signed_percent(change)}
    return gettext("%(change)s from %(baseline)s = %(target)s") % {
        "change": signed_percent(change),
        "baseline": localised(baseline),
        "target": localised(target),
    }


def change_target_wording(change, scope: str) -> str:
    """A target relative to the baseline as a KPI's target reads: "−20 % from each city's
    baseline", "… each country's baseline", "… the consortium's baseline"."""
    values = {"change": signed_percent(change)}
    if scope == "city":
        return gettext("%(change)s from each city's baseline") % values
    if scope == "country":
        return gettext("%(change)s from each country's baseline") % values
    return gettext("%(change)s from the consortium's baseline") % values
