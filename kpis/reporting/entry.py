"""Entering KPI figures: the one write path, shared by the entry grid and the REST API.

Contract
    record_measurements(*, user, stage, rows, city=None, consortium=None) -> list[RowOutcome]

    ``rows`` is a sequence of :class:`RowInput`, plain values only: a KPI (instance or
    id), a status string, ``Decimal``/``bool``/``str`` answers, a ``date``, and the
    version the editor based the change on (``expected_version``; 0 = "there was no
    figure yet"). Each row is one figure of ``city`` (for KPIs each city reports) or of
    the consortium (for KPIs the consortium reports once; ``city`` is not used for
    those) at ``stage``. If ``consortium`` is given, every KPI must belong to it.

    All rows are stored in one transaction, or none:

    * ``django.core.exceptions.PermissionDenied`` -- the user may not enter one of the
      figures (:mod:`cities.access`). Nothing is checked or stored after that.
    * :class:`~kpis.reporting.errors.StaleVersion` -- at least one row was based on an
      older version than the stored one. ``current[row_key]`` is the figure as stored
      now (``entered_by`` loaded); the errors are those of every row, stale or otherwise
      invalid.
    * :class:`~kpis.reporting.errors.EntryError` -- anything else that is wrong. Its
      ``error_list`` holds one :class:`~kpis.reporting.errors.ReportingError` per problem:
      the row's key, the field, the message and its code (``"stale"``, ``"locked"``,
      ``"under_review"``, ``"negative"``, ``"percent_range"`` …); ``errors[row_key][field]``
      and ``codes[row_key][field]`` read them grouped. Field names are the model's
      (``value``, ``boolean_value``, ``text_value``, ``status``, ``reason``, ``note``,
      ``evidence_url``, ``as_of``, ``version``) or ``"__all__"``. Row key ``None`` holds
      errors about the call itself (an unknown ``stage``).

    A row's key is ``RowInput.key`` if given, else the KPI id. On success the result
    lists one :class:`RowOutcome` per row, in order: ``"created"``, ``"updated"`` or
    ``"unchanged"`` (the row equals what is stored, or it is "not yet reported" with
    nothing else filled in and no figure exists: no empty rows are written).

Rules
    * Figures are locked once approved, and the whole stage while it is submitted for
      review or approved (see :mod:`kpis.reporting.review`); a row identical to the stored one is
      never refused.
    * Each change raises the figure's ``version``, records ``entered_by`` and leaves a
      history entry (who, when, every field), via django-simple-history, and a row in
      the change log the partners' feed reads (:mod:`changelog.log`), in the same
      transaction.
    * Rows are locked with ``SELECT … FOR UPDATE`` after the unit's stage review, so a
      concurrent save or review waits instead of slipping in between.
    * The rules of a single figure are :func:`kpis.reporting.rules.validate_row` (pure, no
      database), which the forms show inline too.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from changelog import log as changelog
from cities import access
from cities.models import City, Consortium
from kpis.models import KPI, Measurement, StageReview
from kpis.vocabulary import ReportingStage

from .errors import NON_FIELD, EntryError, ReportingError, StaleVersion
from .rules import (
    DATA_FIELDS,
    LOCK_MESSAGES,
    describe_figure,
    is_blank,
    matches_snapshot,
    snapshot_of,
    validate_row,
    with_scheme,
)

Status = Measurement.Status


@dataclass(frozen=True, slots=True)
class RowInput:
    """One figure as an editor wants it stored. Text fields are stripped on use."""

    kpi: KPI | int
    status: str
    expected_version: int
    value: Decimal | None = None
    boolean_value: bool | None = None
    text_value: str = ""
    reason: str = ""
    note: str = ""
    evidence_url: str = ""
    as_of: datetime.date | None = None
    key: Hashable | None = None

    @property
    def kpi_id(self) -> int:
        return self.kpi.pk if isinstance(self.kpi, KPI) else int(self.kpi)

    @property
    def row_key(self) -> Hashable:
        return self.key if self.key is not None else self.kpi_id

    @classmethod
    def from_measurement(cls, measurement: Measurement, **changes) -> RowInput:
        """The stored figure as a row, with ``changes`` applied (a PATCH).

        ``expected_version`` defaults to the measurement's version: pass the one the
        client sent to keep stale edits out.
        """
        values = {name: getattr(measurement, name) for name in DATA_FIELDS}
        values.update(kpi=measurement.kpi_id, expected_version=measurement.version)
        values.update(changes)
        return cls(**values)

    def cleaned(self) -> RowInput:
        """Text stripped; an ``int`` value read as ``Decimal`` (a ``float`` stays refused)."""
        value = self.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        return replace(
            self,
            value=value,
            text_value=(self.text_value or "").strip(),
            reason=(self.reason or "").strip(),
            note=(self.note or "").strip(),
            evidence_url=with_scheme((self.evidence_url or "").strip()),
        )

    def is_blank(self) -> bool:
        """Whether the row is "not yet reported" with nothing else said: stores nothing."""
        return is_blank(self)


@dataclass(frozen=True, slots=True)
class RowOutcome:
    key: Hashable
    kpi_id: int
    change: str  # "created" | "updated" | "unchanged"
    measurement: Measurement | None


class _Problems:
    """Collects the problems of every row and raises them together (:class:`EntryError`)."""

    def __init__(self) -> None:
        self.found: list[ReportingError] = []
        self.stale: dict[Hashable, Measurement | None] = {}

    def add(self, key: Hashable, field: str, message: str, code: str) -> None:
        self.found.append(ReportingError(message, code=code, field=field, key=key))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if self.stale:
            raise StaleVersion(self.found, self.stale)
        if self.found:
            raise EntryError(self.found)


def same_content(measurement: Measurement, row: RowInput) -> bool:
    return matches_snapshot(row, snapshot_of(measurement))


def stale_facts(current: Measurement, value_type: str) -> dict:
    """Who saved the figure since, when, and what it is now: a stale refusal's words."""
    who = current.entered_by.get_username() if current.entered_by else _("someone")
    return {
        "who": who,
        "when": formats.date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT"),
        "figure": describe_figure(current, value_type),
        "version": current.version,
    }


def stale_message(current: Measurement | None, value_type: str) -> str:
    if current is None:
        return _("This figure was deleted while you were editing; your change was not saved.")
    return _(
        "%(who)s saved this figure on %(when)s while you were editing: it is now "
        "%(figure)s (version %(version)s). Your change was not saved; check it and save again."
    ) % stale_facts(current, value_type)


# --- The write path --------------------------------------------------------------------


def record_measurements(
    *,
    user,
    stage: str,
    rows: Sequence[RowInput],
    city: City | None = None,
    consortium: Consortium | None = None,
) -> list[RowOutcome]:
    """Store the rows as one change, or nothing; see the module docstring for the contract."""
    problems = _Problems()
    if stage not in ReportingStage.values:
        problems.add(
            None,
            "stage",
            _("There is no stage “%(stage)s”: use baseline, midway or final.") % {"stage": stage},
            "invalid_stage",
        )
        problems.raise_if_any()
    rows = [row.cleaned() for row in rows]
    kpis = _load_kpis(row.kpi_id for row in rows)
    _check_rows_belong(rows, kpis, city=city, consortium=consortium, problems=problems)
    problems.raise_if_any()
    _check_permission(user, rows, kpis, city=city)

    for row in rows:
        for field, message, code in validate_row(row, value_type=kpis[row.kpi_id].value_type):
            problems.add(row.row_key, field, message, code)

    # The change log's rows are written as the batch ends, after every other lock.
    with transaction.atomic(), changelog.batch():
        units = {_unit_of(kpis[row.kpi_id], city) for row in rows}
        reviews = {unit: lock_stage_review(*unit, stage=stage) for unit in sorted(units, key=str)}
        current = _lock_measurements(rows, kpis, city=city, stage=stage)
        plan: list[tuple[RowInput, Measurement | None, str]] = []
        for row in rows:
            kpi = kpis[row.kpi_id]
            measurement = current.get(row.kpi_id)
            review = reviews[_unit_of(kpi, city)]
            change = _plan_row(row, kpi, measurement, review, problems)
            plan.append((row, measurement, change))
        problems.raise_if_any()

        outcomes = []
        to_save = []
        for row, measurement, change in plan:
            kpi = kpis[row.kpi_id]
            if change == "unchanged":
                outcomes.append(RowOutcome(row.row_key, kpi.pk, change, measurement))
                continue
            if measurement is None:
                measurement = Measurement(
                    kpi=kpi,
                    city=city if kpi.reporting_level == KPI.ReportingLevel.CITY else None,
                    stage=stage,
                    version=1,
                )
            else:
                measurement.version += 1
            for name in DATA_FIELDS:
                setattr(measurement, name, getattr(row, name))
            measurement.review_state = Measurement.ReviewState.DRAFT
            measurement.entered_by = user if user.is_authenticated else None
            try:
                measurement.full_clean(
                    exclude=["kpi", "city", "entered_by"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        problems.add(row.row_key, field, message, "invalid")
            to_save.append(measurement)
            outcomes.append(RowOutcome(row.row_key, kpi.pk, change, measurement))
        problems.raise_if_any()

        # No savepoint per figure: an IntegrityError leaves this transaction, which the
        # EntryError raised here rolls back whole (two queries a figure fewer).
        for measurement in to_save:
            measurement._history_user = measurement.entered_by
            try:
                measurement.save()
            except IntegrityError as error:  # a check the rules above should have caught
                key = next(o.key for o in outcomes if o.measurement is measurement)
                problems.add(key, NON_FIELD, _("This figure could not be stored."), "integrity")
                raise EntryError(problems.found) from error
    return outcomes


def _load_kpis(kpi_ids: Iterable[int]) -> dict[int, KPI]:
    kpis = KPI.objects.filter(pk__in=set(kpi_ids)).select_related("solution__consortium")
    kpis = kpis.prefetch_related("solution__lead_cities", "solution__implementing_cities")
    # ``has_parts`` tells composite KPIs (reported through their parts) apart.
    kpis = {kpi.pk: kpi for kpi in kpis}
    composite = set(
        KPI.objects.filter(parent_id__in=kpis).values_list("parent_id", flat=True).distinct()
    )
    for kpi in kpis.values():
        kpi.has_parts = kpi.pk in composite
    return kpis


def _check_rows_belong(rows, kpis, *, city, consortium, problems: _Problems) -> None:
    seen: set[int] = set()
    for row in rows:
        key = row.row_key
        kpi = kpis.get(row.kpi_id)
        if kpi is None:
            problems.add(key, NON_FIELD, _("There is no such KPI."), "unknown_kpi")
            continue
        if row.kpi_id in seen:
            problems.add(key, NON_FIELD, _("This KPI appears twice."), "duplicate")
        seen.add(row.kpi_id)
        if not isinstance(row.expected_version, int) or row.expected_version < 0:
            problems.add(key, "version", _("The version is not valid."), "invalid_version")
        if consortium is not None and kpi.solution.consortium_id != consortium.pk:
            problems.add(
                key,
                NON_FIELD,
                _("KPI %(code)s belongs to another consortium.") % {"code": kpi.code},
                "other_consortium",
            )
        if kpi.has_parts:
            problems.add(
                key,
                NON_FIELD,
                _("KPI %(code)s is reported through its parts.") % {"code": kpi.code},
                "composite",
            )
        if kpi.reporting_level == KPI.ReportingLevel.CITY:
            if city is None:
                problems.add(
                    key,
                    NON_FIELD,
                    _("KPI %(code)s is reported by each city: name the city.") % {"code": kpi.code},
                    "city_required",
                )
            elif city not in kpi.solution.implementing_cities.all():
                problems.add(
                    key,
                    NON_FIELD,
                    _("%(city)s does not report KPI %(code)s.")
                    % {"city": city.name, "code": kpi.code},
                    "not_reported_here",
                )


def _check_permission(user, rows, kpis, *, city) -> None:
    for row in rows:
        kpi = kpis[row.kpi_id]
        if kpi.reporting_level == KPI.ReportingLevel.CITY:
            allowed = access.can_edit_city(user, city)
        else:
            allowed = access.can_report_for_consortium(
                user,
                kpi.solution.consortium,
                [lead.pk for lead in kpi.solution.lead_cities.all()],
            )
        if not allowed:
            raise PermissionDenied(
                _("You may not enter figures for KPI %(code)s here.") % {"code": kpi.code}
            )


def _unit_of(kpi: KPI, city: City | None) -> tuple[int, int | None]:
    """The reporting unit a KPI's figure belongs to: (consortium id, city id or None)."""
    if kpi.reporting_level == KPI.ReportingLevel.CITY:
        return (kpi.solution.consortium_id, city.pk)
    return (kpi.solution.consortium_id, None)


def lock_stage_review(consortium_id: int, city_id: int | None, *, stage: str) -> StageReview:
    """The unit's stage review, locked for this transaction (created as a draft if missing).

    Every write to a unit's figures takes this lock first, so a save and a review of
    the same stage never interleave.
    """
    locked = StageReview.objects.select_for_update(of=("self",)).filter(
        consortium_id=consortium_id, city_id=city_id, stage=stage
    )
    review = locked.first()
    if review is None:
        try:
            with transaction.atomic():
                review = StageReview.objects.create(
                    consortium_id=consortium_id, city_id=city_id, stage=stage
                )
        except IntegrityError:  # created by a concurrent save meanwhile
            review = locked.get()
    return review


def _lock_measurements(rows, kpis, *, city, stage) -> dict[int, Measurement]:
    city_kpis = [r.kpi_id for r in rows if kpis[r.kpi_id].reporting_level == "city"]
    consortium_kpis = [r.kpi_id for r in rows if kpis[r.kpi_id].reporting_level == "consortium"]
    measurements = (
        Measurement.objects.select_for_update(of=("self",))
        .filter(stage=stage)
        .filter(
            Q(kpi_id__in=city_kpis, city=city) | Q(kpi_id__in=consortium_kpis, city__isnull=True)
        )
        .select_related("entered_by")
        .order_by("pk")
    )
    return {measurement.kpi_id: measurement for measurement in measurements}


def _plan_row(row, kpi, measurement, review, problems: _Problems) -> str:
    key = row.row_key
    if measurement is None:
        if row.is_blank():
            return "unchanged"
        if row.expected_version != 0:
            problems.stale[key] = None
            problems.add(key, "version", stale_message(None, kpi.value_type), "stale")
            return "refused"
    elif same_content(measurement, row):
        return "unchanged"
    elif measurement.version != row.expected_version:
        problems.stale[key] = measurement
        problems.add(key, "version", stale_message(measurement, kpi.value_type), "stale")
        return "refused"
    if review.state == StageReview.State.APPROVED or (
        measurement is not None and measurement.review_state == Measurement.ReviewState.APPROVED
    ):
        problems.add(key, NON_FIELD, str(LOCK_MESSAGES["approved"]), "locked")
        return "refused"
    if review.state == StageReview.State.SUBMITTED:
        problems.add(key, NON_FIELD, str(LOCK_MESSAGES["under_review"]), "under_review")
        return "refused"
    return "created" if measurement is None else "updated"
