"""What is open data: the consortia that offer it and their datasets, read as the
anonymous reader sees them, in a fixed number of queries however many there are.

A consortium is open data when it is published (anonymous visitors read its approved
figures, :func:`cities.access.visible_consortia`) and has chosen to offer them under a
licence (``Consortium.open_data``). It has one dataset per stage at which it has an
approved figure (reported or not available): the anonymous reader's view of the
measurements (:meth:`kpis.managers.MeasurementQuerySet.visible_to`), so a draft figure
makes no dataset, and an unpublished consortium none at all.

Its dates: ``modified`` is the consortium's data version (:mod:`changelog.versions`: its
newest change-log row or the newest definition row), which moves only when the log does;
``issued`` is when it first chose open data (``Consortium.open_data_since``), which stays.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from changelog import versions
from changelog.models import Change
from changelog.stamp import Stamp
from cities.access import visible_consortia
from cities.models import Consortium, Membership
from kpis.dashboards.readers import KPI_FIELDS, Member
from kpis.models import KPI, Measurement
from kpis.vocabulary import STAGES
from roadmaps.models import Phase
from solutions.models import Solution

#: A figure that makes a stage a dataset: one the cell of the matrix shows as a figure.
FIGURE_STATUSES = ("reported", "not_available")


def anonymous() -> AnonymousUser:
    """The reader every open-data answer is made for, whoever asks."""
    return AnonymousUser()


@dataclass(frozen=True, slots=True)
class OpenConsortium:
    """One consortium's open data: what its catalogue and its part of the page show.

    ``stages`` are those with an approved figure, in stage order (one dataset each);
    ``reporting_cities`` the member cities with an approved figure (one dataset each, every
    stage); ``periods`` stage -> (start, end) of the roadmap phase that measures it;
    ``version`` the data version (``modified``), ``issued`` when it first chose open data.
    """

    consortium: Consortium
    cities: list[Member]
    solutions: list[Solution]
    kpis: list[KPI]
    stages: list[str]
    reporting_cities: list[Member]
    periods: dict[str, tuple[datetime.date, datetime.date]]
    version: Stamp
    issued: datetime.datetime

    @property
    def licence(self) -> str:
        return self.consortium.open_data_licence

    def city(self, slug: str) -> Member | None:
        """The reporting city with this slug, if it has open data."""
        return next((city for city in self.reporting_cities if city.slug == slug), None)

    @property
    def whole_period(self) -> tuple[datetime.date, datetime.date] | None:
        """From the first stage's phase to the last one's: a city dataset's period."""
        periods = [self.periods[stage] for stage in self.stages if stage in self.periods]
        if not periods:
            return None
        return min(start for start, _end in periods), max(end for _start, end in periods)


def open_consortia():
    """The consortia whose approved figures are open data, as the anonymous reader may
    read them; a queryset with their programmes."""
    return visible_consortia(anonymous()).filter(open_data=True)


def _newest(field: str):
    """A subquery: the newest change-log row's ``field`` of the outer consortium, found
    through ``change_consortium_idx`` (as :mod:`changelog.versions`)."""
    rows = Change.objects.filter(
        consortium_id__gte=OuterRef("pk"), consortium_id__lte=OuterRef("pk")
    ).order_by("-consortium_id", "-id")
    return Subquery(rows.values(field)[:1])


def read_open_data(slug: str | None = None) -> list[OpenConsortium]:
    """Every open consortium (or the one with ``slug``), with its datasets, in seven
    queries: the consortia with their newest change-log row and which stages have
    approved figures; the definitions' version; member cities; the cities with approved
    figures; solutions; KPIs; roadmap phases."""
    approved = Measurement.objects.visible_to(anonymous()).filter(status__in=FIGURE_STATUSES)
    figures = approved.filter(kpi__solution__consortium_id=OuterRef("pk"))
    consortia = open_consortia().annotate(
        newest_id=_newest("id"),
        newest_at=_newest("recorded_at"),
        **{f"has_{stage}": Exists(figures.filter(stage=stage)) for stage in STAGES},
    )
    if slug is not None:
        consortia = consortia.filter(slug=slug)
    consortia = list(consortia.order_by("name"))
    if not consortia:
        return []
    definitions = versions.definitions_version()
    ids = [consortium.pk for consortium in consortia]
    members = _members(ids)
    reporting = set(
        approved.filter(kpi__solution__consortium_id__in=ids, city__isnull=False)
        .values_list("kpi__solution__consortium_id", "city_id")
        .order_by()
        .distinct()
    )
    solutions: dict[int, list[Solution]] = defaultdict(list)
    for solution in Solution.objects.filter(consortium_id__in=ids).order_by("number"):
        solutions[solution.consortium_id].append(solution)
    kpis: dict[int, list[KPI]] = defaultdict(list)
    rows = (
        KPI.objects.filter(solution__consortium_id__in=ids)
        .annotate(consortium_id=models.F("solution__consortium_id"))
        .only(*KPI_FIELDS)
        .order_by("solution__number", "code")
    )
    for kpi in rows:
        kpis[kpi.consortium_id].append(kpi)
    periods: dict[int, dict[str, tuple]] = defaultdict(dict)
    for phase in (
        Phase.objects.filter(consortium_id__in=ids).exclude(measured_stage="").order_by("number")
    ):
        periods[phase.consortium_id].setdefault(phase.measured_stage, (phase.start, phase.end))
    found = []
    for consortium in consortia:
        version = _version(consortium, definitions)
        found.append(
            OpenConsortium(
                consortium=consortium,
                cities=members[consortium.pk],
                solutions=solutions[consortium.pk],
                kpis=kpis[consortium.pk],
                stages=[stage for stage in STAGES if getattr(consortium, f"has_{stage}")],
                reporting_cities=[
                    city for city in members[consortium.pk] if (consortium.pk, city.pk) in reporting
                ],
                periods=periods[consortium.pk],
                version=version,
                issued=consortium.open_data_since or version.changed_at,
            )
        )
    return found


def _members(consortium_ids: list[int]) -> dict[int, list[Member]]:
    rows = (
        Membership.objects.filter(consortium_id__in=consortium_ids)
        .order_by("city__country", "city__name")
        .values_list(
            "consortium_id",
            "city_id",
            "city__name",
            "city__slug",
            "city__country",
            "city__population",
            "role",
        )
    )
    members: dict[int, list[Member]] = defaultdict(list)
    for consortium_id, *member in rows:
        members[consortium_id].append(Member(*member))
    return members


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return moment.replace(tzinfo=datetime.UTC)
    return moment


def _version(consortium, definitions: Stamp) -> Stamp:
    """The consortium's data version, as :func:`changelog.versions.consortium_version`
    reads it: its newest row, or the newest definition row if that is newer."""
    if consortium.newest_id is not None and consortium.newest_id > definitions.position:
        return Stamp(consortium.newest_id, _aware(consortium.newest_at))
    return definitions
