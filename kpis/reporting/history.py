"""Reading the history of figures and stage reviews (django-simple-history), with the same
visibility rules as the figures themselves: people who may not see drafts see only the
approved versions, and anonymous visitors see no names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cities import access
from icc_portal.figure_changes import FigureChange
from kpis.models import KPI, Measurement, StageReview

from .rules import DATA_FIELDS, describe_figure, format_number

HistoricalMeasurement = Measurement.history.model
HistoricalStageReview = StageReview.history.model

#: The review actions worth listing (a draft review created by a first save is not one).
REVIEW_ACTIONS = {
    "submitted": _("Submitted for review"),
    "approved": _("Approved"),
    "returned": _("Returned for changes"),
    "reopened": _("Reopened"),
}

FIELD_LABELS = {
    "status": _("status"),
    "value": _("value"),
    "boolean_value": _("yes/no answer"),
    "text_value": _("text answer"),
    "reason": _("reason"),
    "note": _("note"),
    "evidence_url": _("evidence link"),
    "as_of": _("as of"),
    "review_state": _("review state"),
}


def snapshots_at(wanted: dict[Any, tuple[int, int]]) -> dict[Any, dict]:
    """What each figure held at a given version: ``{key: (measurement id, version)}``.

    One query. A version with no history record is left out (the caller then treats
    the row as changed, which is the safe side).
    """
    if not wanted:
        return {}
    condition = Q()
    for measurement_id, version in wanted.values():
        condition |= Q(id=measurement_id, version=version)
    records = HistoricalMeasurement.objects.filter(condition).order_by("history_date")
    by_version = {(record.id, record.version): record for record in records}
    found = {}
    for key, pair in wanted.items():
        if pair in by_version:
            record = by_version[pair]
            found[key] = {name: getattr(record, name) for name in DATA_FIELDS}
    return found


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    record: Any
    kpi: KPI
    when: Any
    who: str
    figure: str
    changes: list[FieldChange] = field(default_factory=list)
    is_creation: bool = False
    reason: str = ""

    @property
    def change(self) -> FigureChange:
        """What happened to the figure, in the feed's and the imports' words."""
        if self.is_creation:
            return FigureChange.CREATED
        return FigureChange.UPDATED if self.changes else FigureChange.UNCHANGED


def _display(record, name: str, value_type: str) -> str:
    value = getattr(record, name)
    if value in (None, ""):
        return "—"
    if name == "value":
        return format_number(value, value_type)
    if name == "boolean_value":
        return str(_("yes") if value else _("no"))
    if name == "status":
        return str(Measurement.Status(value).label)
    if name == "review_state":
        return str(Measurement.ReviewState(value).label)
    if name == "as_of":
        return formats.date_format(value)  # the day as every page writes it
    return str(value)


def describe_change(record, previous, *, kpi: KPI, user) -> ChangeEntry:
    names = [*DATA_FIELDS, "review_state"]
    changes = []
    if previous is not None:
        for name in names:
            if getattr(previous, name) != getattr(record, name):
                changes.append(
                    FieldChange(
                        str(FIELD_LABELS[name]),
                        _display(previous, name, kpi.value_type),
                        _display(record, name, kpi.value_type),
                    )
                )
    who = "—"
    if access.can_see_names(user) and record.history_user is not None:
        who = record.history_user.get_username()
    return ChangeEntry(
        record=record,
        kpi=kpi,
        when=record.history_date,
        who=who,
        figure=describe_figure(record, kpi.value_type),
        changes=changes,
        is_creation=previous is None,
        reason=str(REVIEW_ACTIONS.get(record.history_change_reason or "", "")),
    )


def measurement_history(measurement: Measurement, user) -> list[ChangeEntry]:
    """Every version of one figure the user may see, newest first (two queries at most)."""
    records = list(
        measurement.history.filter(access.visible_measurements_filter(user))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = []
    previous = None
    for record in records:
        entries.append(describe_change(record, previous, kpi=measurement.kpi, user=user))
        previous = record
    return entries[::-1]


def visible_history(user, **lookups):
    """Historical figures the user may see, newest first, each annotated with the id of the
    version before it that the user may see (``previous_history_id``). One query when
    evaluated; page it, then pass the page to :func:`describe_records`.
    """
    visible = HistoricalMeasurement.objects.filter(access.visible_measurements_filter(user))
    previous_id = Subquery(
        visible.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        visible.filter(**lookups)
        .annotate(previous_history_id=previous_id)
        .select_related("kpi__solution__consortium__programme", "city", "history_user")
        .order_by("-history_date", "-history_id")
    )


def without_review_moves(records, user):
    """Leave out the versions a review action wrote (submit, approve, return, reopen move
    every figure of a stage at once) where the user reads the stage's drafts: for them each
    such action is one review decision, listed on its own with its comment. Whoever reads
    approved figures only keeps the approved versions: for them those are the changes."""
    roles = access.roles_of(user)
    moves = Q(history_change_reason__in=list(REVIEW_ACTIONS))
    if not roles.is_admin:
        moves &= Q(kpi__solution__consortium_id__in=roles.steering_consortium_ids) | Q(
            city_id__in=roles.coordinated_city_ids
        )
    return records.exclude(moves)


def describe_records(records: Iterable, user) -> list[ChangeEntry]:
    """Change entries for a page of :func:`visible_history` records (one more query)."""
    records = list(records)
    previous = HistoricalMeasurement.objects.in_bulk(
        [record.previous_history_id for record in records if record.previous_history_id]
    )
    return [
        describe_change(record, previous.get(record.previous_history_id), kpi=record.kpi, user=user)
        for record in records
    ]


def review_events(user, *, consortium_ids: Iterable[int], city=None, limit: int = 20):
    """Submit/approve/return/reopen decisions the user may read, newest first (one query).

    Steering committee members and admins read every decision of their consortia;
    coordinators those of their own cities. Nobody else reads them.
    """
    roles = access.roles_of(user)
    allowed = Q(history_change_reason__in=list(REVIEW_ACTIONS))
    if not roles.is_admin:
        allowed &= Q(consortium_id__in=roles.steering_consortium_ids) | Q(
            city_id__in=roles.coordinated_city_ids
        )
    events = HistoricalStageReview.objects.filter(allowed, consortium_id__in=list(consortium_ids))
    if city is not None:
        events = events.filter(city=city)
    return list(
        events.select_related("city", "consortium__programme", "history_user").order_by(
            "-history_date", "-history_id"
        )[:limit]
    )
