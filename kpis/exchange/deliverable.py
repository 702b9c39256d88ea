"""The consortium's deliverable, read in a fixed number of queries and held as one record.

The structure of the seed's ICC final deliverable: the vision and ambition statements, each
solution's initiative charter with its activities and their resources, every city's
"Assessment of solution maturity" table, the consortium's own table, the roadmap's journey
phases and the lessons learned. The page, the DOCX and the PDF all print this record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cities.words import active_words
from icc_portal.codes import natural_key
from icc_portal.numbers import euro, plain
from kpis.vocabulary import stage_label
from roadmaps.models import Lesson, Phase
from solutions.models import Activity, AmbitionStatement, Solution, Theme

from .tables import MaturityTable, consortium_tables


@dataclass(frozen=True, slots=True)
class Charter:
    """A solution's initiative charter with what the deliverable says beside it."""

    solution: Solution
    ambition: AmbitionStatement | None
    theme: Theme | None
    lead_cities: list[str]
    implementing_cities: list[str]
    activities: list[Activity]

    @property
    def heading(self) -> str:
        return _("Solution %(number)s · %(title)s") % {
            "number": self.solution.number,
            "title": self.solution.title,
        }

    @property
    def facts(self) -> list[tuple[str, str]]:
        """The charter's fields that are filled in, labelled, in the charter's order."""
        solution = self.solution
        cost = euro(solution.estimated_cost)
        pairs = [
            (_("What"), solution.what),
            (_("Why"), solution.why),
            (_("Link to vision"), solution.link_to_vision),
            (
                _("Link to ambition statement"),
                f"{self.ambition.number}. {self.ambition.text}" if self.ambition else "",
            ),
            (_("Thematic track"), self.theme.name if self.theme else ""),
            (_("Lead cities"), ", ".join(self.lead_cities)),
            (_("Implementing cities"), ", ".join(self.implementing_cities)),
            (_("Expected impact and timing"), solution.expected_impact),
            (_("Working team"), solution.working_team),
            (_("Contributors"), solution.contributors),
            (_("Risks and mitigation"), solution.risks_and_mitigation),
            (_("Source of funding"), solution.funding_source),
            (_("Estimated cost"), cost),
            (_("Cost breakdown"), solution.cost_note),
        ]
        return [(label, str(text)) for label, text in pairs if text]


def activity_resources(activity: Activity) -> str:
    """An activity's resources as the charter states them, else its work days per city."""
    if activity.resources:
        return activity.resources
    if activity.work_days_per_city is not None:
        return _("%(days)s work days per city") % {"days": plain(activity.work_days_per_city)}
    return ""


def phase_dates(phase: Phase) -> str:
    return f"{date_format(phase.start, 'M Y')} – {date_format(phase.end, 'M Y')}"


def phase_stage(phase: Phase) -> str:
    return stage_label(phase.measured_stage) if phase.measured_stage else ""


def deliverable_title(consortium) -> str:
    """The deliverable's title in the active programme's words. The portal's words are
    ICC's, whose seed calls it the "ICC final deliverable"; a programme that names its
    stages itself is named, with its last stage in its own word ("Let's GOv: EU Cities
    Mission deliverable · End of the pilot"; a word it leaves empty in a language is the
    portal's in that language, as everywhere)."""
    words = active_words()
    if not words.names_its_own:
        return _("%(consortium)s: ICC final deliverable") % {"consortium": consortium.display_name}
    return _("%(consortium)s: %(programme)s deliverable · %(stage)s") % {
        "consortium": consortium.display_name,
        "programme": words.programme.name,
        "stage": words.label("final"),
    }


@dataclass(frozen=True, slots=True)
class Deliverable:
    consortium: object
    exported_on: datetime.date
    ambitions: list[AmbitionStatement]
    charters: list[Charter]
    city_tables: list[MaturityTable]
    consortium_table: MaturityTable
    phases: list[Phase]
    lessons: list[Lesson]

    @property
    def title(self) -> str:
        return deliverable_title(self.consortium)

    @property
    def tables(self) -> list[MaturityTable]:
        """Every table in the order the deliverable prints them: cities, then the consortium."""
        own = [self.consortium_table] if self.consortium_table.blocks else []
        return [*self.city_tables, *own]

    @property
    def has_drafts(self) -> bool:
        return any(table.has_drafts for table in self.tables)

    @property
    def maturity(self) -> str:
        """The tables' heading, in the programme's words."""
        return active_words().maturity

    @property
    def phase_lines(self) -> list[tuple[Phase, str]]:
        """Each phase with the stage it measures, in the programme's words."""
        return [(phase, phase_stage(phase)) for phase in self.phases]


def read_deliverable(user, consortium) -> Deliverable:
    """The whole deliverable in thirteen queries whatever the size: ambition statements,
    themes, the tables (:func:`~kpis.exchange.tables.consortium_tables`: nine), phases,
    lessons. ``consortium`` comes with its programme."""
    ambitions = list(AmbitionStatement.objects.filter(consortium=consortium).order_by("number"))
    themes = {theme.pk: theme for theme in Theme.objects.filter(consortium=consortium)}
    tables = consortium_tables(user, consortium)
    names = {member.pk: member.name for member in tables.members}
    by_ambition = {ambition.pk: ambition for ambition in ambitions}
    activities: dict[int, list[Activity]] = {}
    for activity in sorted(tables.inputs.activities, key=lambda item: natural_key(item.code)):
        activity.resources_text = activity_resources(activity)
        activities.setdefault(activity.solution_id, []).append(activity)
    charters = [
        Charter(
            solution=solution,
            ambition=by_ambition.get(solution.ambition_statement_id),
            theme=themes.get(solution.theme_id),
            lead_cities=sorted(
                names[city_id]
                for city_id in tables.inputs.lead_cities[solution.pk]
                if city_id in names
            ),
            implementing_cities=sorted(
                names[city_id]
                for city_id in tables.inputs.implementing[solution.pk]
                if city_id in names
            ),
            activities=activities.get(solution.pk, []),
        )
        for solution in tables.inputs.solutions
    ]
    return Deliverable(
        consortium=consortium,
        exported_on=timezone.localdate(),
        ambitions=ambitions,
        charters=charters,
        city_tables=tables.cities,
        consortium_table=tables.consortium,
        phases=list(Phase.objects.filter(consortium=consortium).order_by("number")),
        lessons=list(Lesson.objects.filter(consortium=consortium).order_by("number")),
    )
