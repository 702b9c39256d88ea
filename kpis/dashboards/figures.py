"""How a judged figure reads on a page: numbers in the user's locale, labels, cells.

A :class:`Formatter` is made once per page in the active language; it formats each
distinct number once and turns ``progress.Assessment`` results into :class:`Cell`
objects that carry their own HTML, because a dashboard matrix can hold tens of
thousands of them and a Django template costs microseconds per variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kpis.progress import Assessment, ProgressStatus, TargetScope, display_percent
from kpis.vocabulary import (
    STAGE_VIEWS,
    change_from_baseline,
    change_target_wording,
    stage_heading,
)

STATUS_LABELS = {
    ProgressStatus.ACHIEVED: gettext_lazy("Achieved"),
    ProgressStatus.ON_TRACK: gettext_lazy("On track"),
    ProgressStatus.BEHIND: gettext_lazy("Behind"),
    ProgressStatus.STARTING_POINT: gettext_lazy("Starting point"),
    ProgressStatus.NO_BASELINE: gettext_lazy("No baseline"),
    ProgressStatus.NO_DATA: gettext_lazy("No data"),
    ProgressStatus.NOT_AVAILABLE: gettext_lazy("Not available"),
    ProgressStatus.NOT_APPLICABLE: gettext_lazy("Not applicable"),
    ProgressStatus.QUALITATIVE: gettext_lazy("Reported"),
    ProgressStatus.INCOMPLETE: gettext_lazy("Incomplete"),
}
REVIEW_LABELS = {
    "draft": gettext_lazy("Draft"),
    "submitted": gettext_lazy("Submitted"),
    "mixed": gettext_lazy("Includes unapproved figures"),
}
#: Longest answer text a matrix cell shows; the full text is on the city and KPI pages.
CELL_TEXT = 40


@dataclass(slots=True)
class Cell:
    """One judged figure, ready to print. ``status`` is a ``ProgressStatus`` value.

    ``figure`` is the formatted value or answer; ``target`` the formatted target it is
    judged against; ``percent`` the true (uncapped) ratio; ``review`` is empty for
    approved figures, else "draft", "submitted" or "mixed" (a roll-up that includes
    unapproved figures); ``stage`` is set where the figure comes from another stage
    than the page's (the "latest" view); ``note`` says what a roll-up rests on.
    ``ratio`` is the true ratio; :attr:`bar` caps it for drawing, never for reading;
    ``value`` and ``target_value`` are the unformatted figure and target, for charts;
    ``boolean`` and ``text`` the yes/no and text answer judged (the text as the matrix
    read it, see ``managers.MATRIX_TEXT_LENGTH``); ``reported``/``expected`` how many
    units a roll-up rests on and ``at_target`` (units at their own target, units) for a
    roll-up of a target per unit.
    """

    status: str
    label: str
    figure: str = ""
    target: str = ""
    percent: str = ""
    ratio: Decimal | None = None
    value: Decimal | None = None
    target_value: Decimal | None = None
    baseline: Decimal | None = None  # the baseline a target relative to it is counted from
    is_text: bool = False  # the figure is an answer in words
    boolean: bool | None = None
    text: str = ""
    reported: int = 0
    expected: int = 0
    at_target: tuple[int, int] | None = None
    review: str = ""
    stage: str = ""
    note: str = ""
    html: str = ""

    @property
    def review_label(self) -> str:
        return str(REVIEW_LABELS[self.review]) if self.review else ""

    @property
    def bar(self) -> int | None:
        return display_percent(self.ratio)

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def is_change(kpi) -> bool:
    """Whether the KPI's target is a change from each unit's baseline (and so said)."""
    return kpi.target_basis == "change" and kpi.is_numeric and kpi.target_value is not None


NO_CELL = Cell(status="none", label="", html=SafeString('<td class="none"></td>'))


class Formatter:
    """Formats figures and cells in the active language; each distinct number once."""

    def __init__(self) -> None:
        self.labels = {status: str(label) for status, label in STATUS_LABELS.items()}
        self.yes, self.no = _("Yes"), _("No")
        self._numbers: dict[Decimal, str] = {}
        self._open_html = {status: f'<td class="s-{status}">' for status in self.labels}
        self._open_total_html = {status: f'<td class="s-{status} total">' for status in self.labels}
        self._percents: dict[Decimal, str] = {}
        self._status_html = {
            status: f" <em>{escape(label)}</em>" for status, label in self.labels.items()
        }
        self._review_html = {
            review: f' <span class="rv rv-{review}">{escape(str(label))}</span>'
            for review, label in REVIEW_LABELS.items()
        }
        self._stage_html = {
            stage: f' <span class="stg">{escape(stage_heading(stage))}</span>'
            for stage in STAGE_VIEWS
        }

    def number(self, value: Decimal | None) -> str:
        """A figure in the active locale, without the stored trailing zeros: 10, 1.234,5."""
        if value is None:
            return ""
        text = self._numbers.get(value)
        if text is None:
            text = self._numbers[value] = number_format(value.normalize(), force_grouping=True)
        return text

    def percent(self, ratio: Decimal | None) -> str:
        """A ratio as a whole percentage, never capped: 500 %."""
        if ratio is None:
            return ""
        text = self._percents.get(ratio)
        if text is None:
            text = self._percents[ratio] = f"{self.number(Decimal(round(ratio * 100)))} %"
        return text

    def answer(self, value_type: str, value, boolean, text: str) -> str:
        """What a reported reading says, by the KPI's value type."""
        if value_type == "boolean" and boolean is not None:
            answer = self.yes if boolean else self.no
            return f"{answer} ({self.number(value)})" if value is not None else answer
        if value is not None:
            return self.number(value) + (" %" if value_type == "percent" else "")
        if boolean is not None:
            return self.yes if boolean else self.no
        return text

    def target(self, kpi, target: Decimal | None) -> str:
        """A target as a figure; percentages and yes/no targets say so."""
        if kpi.value_type == "boolean":
            return self.yes if kpi.direction == "higher" else self.no
        if target is None:
            return ""
        return self.number(target) + (" %" if kpi.value_type == "percent" else "")

    def target_wording(self, kpi) -> str:
        """The target as a reader says it: the charter's words, or built from the fields."""
        if kpi.target_text:
            return kpi.target_text
        if kpi.value_type == "boolean":
            return self.target(kpi, None)
        if kpi.target_value is None:
            return ""
        if is_change(kpi):
            return change_target_wording(kpi.target_value, kpi.target_scope)
        amount = self.target(kpi, kpi.target_value)
        if kpi.target_scope == TargetScope.CITY:
            return _("%(amount)s in each city") % {"amount": amount}
        if kpi.target_scope == TargetScope.COUNTRY:
            return _("%(amount)s per country") % {"amount": amount}
        return _("%(amount)s for the consortium") % {"amount": amount}

    def units_at_target(self, kpi, assessment: Assessment) -> str:
        """ "1 of 2 countries at their target": how a roll-up of a target per unit stands."""
        values = {"met": assessment.units_at_target, "units": assessment.unit_count}
        if kpi.target_scope == TargetScope.COUNTRY:
            return (
                ngettext(
                    "%(met)s of %(units)s country at its target",
                    "%(met)s of %(units)s countries at their target",
                    assessment.unit_count,
                )
                % values
            )
        return (
            ngettext(
                "%(met)s of %(units)s city at its target",
                "%(met)s of %(units)s cities at their target",
                assessment.unit_count,
            )
            % values
        )

    def cell(
        self,
        kpi,
        assessment: Assessment,
        *,
        review: str = "",
        stage: str = "",
        rollup: bool = False,
        count_met: bool = False,
    ) -> Cell:
        """A judged figure as a cell; ``rollup`` for a country's or the consortium's."""
        status = assessment.status
        figure = target = note = ""
        worded = False
        if assessment.reported_count:
            value_type = "count" if count_met else kpi.value_type
            figure = self.answer(value_type, assessment.value, assessment.boolean, assessment.text)
        notes = []
        if count_met:
            target = self.number(assessment.target)
            if assessment.reported_count:
                notes.append(
                    ngettext(
                        "city at its target", "cities at their target", int(assessment.value or 0)
                    )
                )
        elif is_change(kpi):
            # The unit's own target beside the baseline it is counted from; for a unit
            # without one, the change alone. A unit with no target of its own says none.
            if assessment.baseline is not None or status is ProgressStatus.NO_BASELINE:
                target = change_from_baseline(
                    kpi.target_value, assessment.baseline, assessment.target
                )
                worded = True
        elif status is not ProgressStatus.QUALITATIVE:
            target = self.target(kpi, assessment.target)
        if assessment.units_at_target is not None and not count_met:
            notes.append(self.units_at_target(kpi, assessment))
        if rollup and assessment.expected_count and not assessment.is_complete:
            notes.append(
                _("%(reported)s of %(expected)s reported")
                % {"reported": assessment.reported_count, "expected": assessment.expected_count}
            )
        note = "; ".join(notes)
        percent = self.percent(assessment.ratio)
        # Numbers need no escaping: digits, separators, "%" and spaces only.
        html = self._open_total_html[status] if rollup else self._open_html[status]
        if figure and assessment.value is None and assessment.boolean is None:
            shown = escape(figure[:CELL_TEXT])
            if len(figure) > CELL_TEXT:
                shown = escape(figure[: CELL_TEXT - 2].rstrip()) + "&hellip;"
            html += f'<span class="txt">{shown}</span>'  # a text answer, in words
        elif figure:
            html += f"<b>{escape(figure)}</b>"
            if target:
                # Numbers need no escaping; a change's words ("from", "da") might.
                html += f" / {escape(target) if worded else target}"
        html += self._status_html[status]
        if percent:
            html += f" <small>{percent}</small>"
        if stage:
            html += self._stage_html[stage]
        if note:
            html += f' <span class="note">{escape(note)}</span>'
        if review:
            html += self._review_html[review]
        return Cell(
            status=status,
            label=self.labels[status],
            figure=figure,
            target=target,
            percent=percent,
            ratio=assessment.ratio,
            value=assessment.value,
            target_value=assessment.target,
            baseline=assessment.baseline,
            is_text=bool(figure) and assessment.value is None and assessment.boolean is None,
            boolean=assessment.boolean,
            text=assessment.text if assessment.reported_count else "",
            reported=assessment.reported_count,
            expected=assessment.expected_count,
            at_target=(
                (assessment.units_at_target, assessment.unit_count)
                if assessment.units_at_target is not None
                else None
            ),
            review=review,
            stage=stage,
            note=note,
            html=SafeString(html + "</td>"),
        )
