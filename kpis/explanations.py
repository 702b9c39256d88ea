"""What each KPI field and choice means, as the admin explains it beside the field.

``data/README.md`` explains the same choices for the data files, with an example each.
"""

from django.utils.translation import gettext_lazy as _

PARENT = _(
    "Only for a part (1.5a, 1.5b…): the composite KPI of the same solution it belongs "
    "to. Figures are entered for the parts, never for the composite itself."
)

CODE = _(
    "For example \"2.2\": the solution's number, a dot, the KPI's own number; a part "
    'adds a letter ("1.5a").'
)

VALUE_TYPE = _(
    "Count: a whole number (3 departments). Number: any amount, decimals too (2.5 "
    "tonnes). Percentage: 0 to 100 (45 %). Yes/no: an answer (survey done: yes). "
    "Text: a description, read rather than judged."
)

TARGET_VALUE = _(
    "The figure to reach, without its unit (e.g. 2). Leave empty for yes/no and text "
    "KPIs and where the charter sets no target."
)

TARGET_BASIS = _(
    "A figure to reach: the target value is the figure itself (2 departments). A change "
    "from each unit's baseline: the target value is the percentage change each unit "
    "makes from its own baseline figure, −20 for a fifth lower, 50 for half as much "
    "again; a unit's target is then its baseline × (1 + change / 100), and a unit with "
    "no baseline figure is not judged. Only for count, number and percentage KPIs."
)

TARGET_SCOPE = _(
    "Who must reach the target value. Each city: every implementing city on its own "
    "(“2 in each city”). Each country: the implementing cities of a country together "
    "(“2 per country”). Consortium-wide: all implementing cities together, or the "
    "consortium's own figure (“4 across the consortium”)."
)

TARGET_TEXT = _(
    "The target in the charter's words, shown as the target in the entry grid, e.g. "
    "“2 in each city”. Leave empty to have it said from the value and the scope."
)

DIRECTION = _(
    "Higher is better: a rise is progress (departments involved). Lower is better: a "
    "fall is progress (CO₂ emitted, days to answer). For a yes/no KPI, “higher” makes "
    "“yes” the goal."
)

REPORTING_LEVEL = _(
    "Each city reports: every implementing city enters its own figure (departments "
    "involved). The consortium reports once: one figure for a shared project (project "
    "meetings held), entered by the steering committee or a lead city; its target is "
    "then consortium-wide."
)

ROLLUP = _(
    "How the cities' figures make a country's and the consortium's figure. Sum: added "
    "up (practices presented: 1 + 2 = 3). Mean: the average (satisfaction score). "
    "Number of cities that met their target: how many reached their own target (needs "
    "a target for each city). All cities say yes / Any city says yes: for yes/no KPIs. "
    "No roll-up: not combined (text KPIs, composite KPIs)."
)

SOLUTION = _("The solution whose progress the KPI measures; its cities report it.")

NAME = _('What is measured, e.g. "Number of involved departments".')

UNIT = _("What the figure counts, e.g. departments, EUR, %. Empty for yes/no and text.")

METHOD = _("How the figure is worked out and counted.")

DATA_SOURCE = _("Where the figure comes from.")

MEANS_OF_VERIFICATION = _("The documents or records that show the figure is right.")

FRAMEWORKREFERENCE_FRAMEWORK = _("The public indicator set the KPI corresponds to.")

FRAMEWORKREFERENCE_CODE = _("The indicator's code in that framework.")

FRAMEWORKREFERENCE_LABEL = _("The indicator's name there.")

#: What a database constraint refuses, in the words shown beside the field.
REFUSED = {
    "kpi_unique_code": _("Code: the solution already has a KPI with this code."),
    "kpi_target_non_negative": _("Target value: a target cannot be negative."),
    "kpi_percent_target_at_most_100": _("Target value: a percentage target is at most 100."),
    "kpi_target_only_for_numbers": _(
        "Target value: a yes/no or text KPI has no target value; leave it empty."
    ),
    "kpi_change_only_for_numbers": _(
        "Target basis: only a count, number or percentage KPI can have a target relative "
        "to the baseline; choose “A figure to reach”."
    ),
    "kpi_change_at_least_minus_100": _(
        "Target value: a change from the baseline is at least −100 (%)."
    ),
    "kpi_target_basis_valid": _(
        "Target basis: choose a figure to reach or a change from each unit's baseline."
    ),
    "kpi_value_type_valid": _("Value type: choose count, number, percentage, yes/no or text."),
    "kpi_target_scope_valid": _("Target scope: choose each city, each country or consortium-wide."),
    "kpi_direction_valid": _("Direction: choose higher is better or lower is better."),
    "kpi_reporting_level_valid": _(
        "Reporting level: choose each city reports or the consortium reports once."
    ),
    "kpi_rollup_valid": _("Roll-up rule: choose one of the listed rules."),
    "kpi_consortium_reporting_has_consortium_target": _(
        "Target scope: a KPI the consortium reports once has a consortium-wide target; "
        "choose “Consortium-wide”, or let each city report."
    ),
    "framework_ref_unique": _("Code: the KPI already refers to this indicator of the framework."),
    "measurement_unique_per_city": _(
        "City: this city already has a figure for this KPI at this stage."
    ),
    "measurement_unique_per_consortium": _(
        "Stage: the consortium already has a figure for this KPI at this stage."
    ),
    "measurement_stage_valid": _("Stage: choose where we started, midway or final results."),
    "measurement_status_valid": _("Status: choose one of the listed statuses."),
    "measurement_review_state_valid": _("Review state: choose draft, submitted or approved."),
    "measurement_answer_only_when_reported": _(
        "Status: only a reported figure carries a value or an answer; clear them, or set "
        "the status to reported."
    ),
    "measurement_reported_has_answer": _(
        "Value: a reported figure needs a value or an answer; or choose another status."
    ),
    "measurement_not_available_has_reason": _("Reason: say why the figure is not available."),
    "measurement_evidence_is_http": _(
        "Evidence link: enter a web address starting with http:// or https://."
    ),
    "measurement_version_positive": _("Version: versions start at 1."),
    "stage_review_unique_per_city": _("This city's stage already has a review."),
    "stage_review_unique_per_consortium": _("This stage of the consortium already has a review."),
    "stage_review_stage_valid": _("Stage: choose where we started, midway or final results."),
    "stage_review_state_valid": _("State: choose one of the listed review states."),
}
