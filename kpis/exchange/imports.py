"""Importing a filled-in template: read each row as the entry grid reads a row, preview what
would change by a dry run of the write service, then store the accepted rows through it.

Contract
    preview_upload(*, user, grid, content) -> Preview
    apply_upload(*, user, grid, content) -> Preview     (``applied`` set, ``stored`` counted)

    ``grid`` is the page's entry grid (:mod:`kpis.reporting.grid`), read for ``user``; its
    rows the user may enter are the template's. :class:`~kpis.exchange.reading.FileRefused`
    when the file is not this page's template (nothing is read, nothing changes);
    ``PermissionDenied`` when the user may enter nothing here. The file is read within
    bounds (:mod:`kpis.exchange.reading`), and an import that takes longer than its
    :class:`~kpis.exchange.bounds.Deadline` is refused as a whole.

    Each row of the file comes back as a :class:`PreviewRow`: ``created``, ``updated`` (old
    → new), ``unchanged`` (equal to what is stored, or left as it was downloaded), or
    ``refused`` with its :class:`Problem` s, each with the cell it is about ("G7") and the
    grid's own message. The verdicts are the write service's
    (:func:`kpis.reporting.entry.record_measurements`): same rules, same locks, same
    versions — a row changed in the file whose figure someone else saved since the
    download is refused naming who. The preview runs the service inside a transaction
    that is always rolled back, so nothing of it survives, history included.
    ``apply_upload`` stores the rows the preview accepts, all in one call, or nothing:
    :class:`ImportChanged` if the stored figures changed meanwhile.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from icc_portal.figure_changes import FigureChange
from kpis.models import KPI, Measurement
from kpis.reporting.entry import RowInput, record_measurements, stale_facts
from kpis.reporting.errors import EntryError, StaleVersion
from kpis.reporting.grid import Grid
from kpis.reporting.history import snapshots_at
from kpis.reporting.rules import describe_figure, matches_snapshot, snapshot_of

from .bounds import Deadline
from .cells import CellProblem, Problem, RowReader, read_whole
from .reading import FileRow, read_upload
from .template import unit_keys

REFUSED = "refused"
#: A row's verdict: what happens to its figure (icc_portal.figure_changes), or refused.
IMPORT_VERDICTS = (FigureChange.CREATED, FigureChange.UPDATED, FigureChange.UNCHANGED, REFUSED)
Status = Measurement.Status


@dataclass(slots=True)
class PreviewRow:
    number: int
    kpi: KPI | None
    status: str
    old: str = ""
    new: str = ""
    problems: list[Problem] = field(default_factory=list)
    row: RowInput | None = None

    @property
    def code(self) -> str:
        return self.kpi.code if self.kpi is not None else ""


@dataclass(slots=True)
class Preview:
    kind: str
    rows: list[PreviewRow]
    applied: bool = False
    stored: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            status: sum(row.status == status for row in self.rows) for status in IMPORT_VERDICTS
        }

    @property
    def accepted(self) -> list[RowInput]:
        return [
            row.row
            for row in self.rows
            if row.status in (FigureChange.CREATED, FigureChange.UPDATED)
        ]

    @property
    def digest(self) -> str:
        """What the preview showed, to tell whether "Apply" would store the same."""
        shown = [(row.number, row.status, row.new) for row in self.rows]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


class ImportChanged(Exception):
    """The stored figures changed between the preview and "Apply": nothing was stored.
    ``preview`` is the preview as it reads now, when it was made."""

    def __init__(self, message: str, preview: Preview | None = None) -> None:
        super().__init__(message)
        self.preview = preview


# --------------------------------------------------------------------------- the import


class _DryRun(Exception):
    """Raised inside the dry run's transaction so that it is always rolled back."""


def _record(user, grid: Grid, rows: list[RowInput], *, dry_run: bool):
    call = {
        "user": user,
        "stage": grid.stage,
        "city": grid.city,
        "consortium": grid.consortium,
        "rows": rows,
    }
    if not dry_run:
        return record_measurements(**call)
    outcomes = None
    try:
        with transaction.atomic():
            outcomes = record_measurements(**call)
            raise _DryRun
    except _DryRun:
        pass
    return outcomes


def preview_upload(*, user, grid: Grid, content: bytes) -> Preview:
    """What importing ``content`` on ``grid``'s page would do; stores nothing."""
    from django.core.exceptions import PermissionDenied

    rows = grid.enterable_rows
    if not rows:
        raise PermissionDenied(_("You may not enter figures here."))
    by_kpi = {row.kpi.pk: row for row in rows}
    deadline = Deadline()
    upload = read_upload(content, expected=unit_keys(grid), max_rows=len(rows), deadline=deadline)
    reader = RowReader()
    preview = Preview(upload.kind, [])
    seen: set[int] = set()
    candidates: dict[int, tuple[PreviewRow, RowInput]] = {}
    by_code = codes_of(rows)
    for file_row in upload.rows:
        kpi_pk, refusal = row_kpi(file_row, by_kpi, by_code)
        if refusal is None and kpi_pk in seen:
            address = file_row.cells["kpi_code"].address
            refusal = Problem(_("This KPI appears twice."), "duplicate", address)
        if refusal is not None:
            preview.rows.append(PreviewRow(file_row.number, None, REFUSED, problems=[refusal]))
            continue
        grid_row = by_kpi[kpi_pk]
        seen.add(kpi_pk)
        kpi = grid_row.kpi
        row_input, problems = reader.read(file_row, kpi)
        line = PreviewRow(file_row.number, kpi, REFUSED, problems=problems)
        line.old = describe_figure(grid_row.measurement, kpi.value_type)
        preview.rows.append(line)
        if row_input is not None:
            line.new = describe_figure(row_input, kpi.value_type)
            line.row = row_input
            candidates[file_row.number] = (line, row_input)
    _leave_untouched(candidates, by_kpi)
    deadline.check()
    _dry_run(user, grid, candidates, {row.number: row for row in upload.rows}, deadline)
    return preview


def codes_of(rows) -> dict[str, set[int]]:
    """The template's KPIs by code: ``consortium/code`` ("sern/2.2"), and the bare code
    ("2.2"), which two consortia of a city's grid may share."""
    by_code: dict[str, set[int]] = {}
    for row in rows:
        kpi = row.kpi
        by_code.setdefault(f"{kpi.solution.consortium.slug}/{kpi.code}", set()).add(kpi.pk)
        by_code.setdefault(kpi.code, set()).add(kpi.pk)
    return by_code


def row_kpi(file_row: FileRow, by_kpi: dict, by_code: dict) -> tuple[int | None, Problem | None]:
    """The KPI a row of the file is about: by its ``kpi_id``, or by its ``kpi_code`` (bare, or
    ``consortium/code``) when the id is left empty. Given both, they must name the same
    KPI: a row where they disagree is refused (``kpi_mismatch``), as is a bare code two
    of the template's KPIs share (``ambiguous``)."""
    code_cell = file_row.cells["kpi_code"]
    code = str(code_cell.value).strip() if code_cell.value is not None else ""
    not_in_template = _("This row is not one of the template's KPIs: download the template again.")
    try:
        kpi_pk = read_whole(
            file_row.cells["kpi_id"], message=not_in_template, code="not_in_template"
        )
    except CellProblem as problem:  # an id that is no number names no KPI, whatever the code
        return None, Problem(problem.message, problem.code, code_cell.address)
    named = by_code.get(code, set()) if code else None
    if kpi_pk is None and named is not None:
        if len(named) > 1:
            message = _(
                "Two KPIs of this template have the code %(code)s: write it as "
                "consortium/code (e.g. %(example)s)."
            ) % {
                "code": code,
                "example": f"{by_kpi[min(named)].kpi.solution.consortium.slug}/{code}",
            }
            return None, Problem(message, "ambiguous", code_cell.address)
        kpi_pk = next(iter(named), None)
    elif kpi_pk is not None and named and kpi_pk not in named:
        message = _(
            "The code %(code)s and the KPI id %(id)s of this row name two different KPIs: "
            "correct one of them."
        ) % {"code": code, "id": kpi_pk}
        return None, Problem(message, "kpi_mismatch", code_cell.address)
    if kpi_pk not in by_kpi:
        return None, Problem(not_in_template, "not_in_template", code_cell.address)
    return kpi_pk, None


def _leave_untouched(candidates: dict, by_kpi: dict) -> None:
    """Rows left as they were downloaded are unchanged, whatever is stored now (the
    grid's rule for rows nobody touched): one query for the figures at older versions."""
    shown, older = {}, {}
    for number, (_line, row) in candidates.items():
        measurement = by_kpi[row.kpi_id].measurement
        if row.expected_version == 0:
            shown[number] = None
        elif measurement is not None and measurement.version == row.expected_version:
            shown[number] = snapshot_of(measurement)
        elif measurement is not None:
            older[number] = (measurement.pk, row.expected_version)
    shown.update(snapshots_at(older))
    for number in list(candidates):
        line, row = candidates[number]
        if number in shown and matches_snapshot(row, shown[number]):
            line.status, line.new = FigureChange.UNCHANGED, line.old
            del candidates[number]


def _dry_run(
    user, grid: Grid, candidates: dict, file_rows: dict[int, FileRow], deadline: Deadline
) -> None:
    """The write service's verdict on each row, without storing anything: refused rows
    are set aside and the rest tried again, until the service accepts what is left (or
    the import's time is up)."""
    pending = dict(candidates)
    while pending:
        deadline.check()
        try:
            outcomes = _record(user, grid, [row for _line, row in pending.values()], dry_run=True)
        except EntryError as error:
            refused = {problem.key for problem in error.error_list}
            if not refused & set(pending):  # about the call, not a row: should not happen
                raise
            for problem in error.error_list:
                if problem.key not in pending:
                    continue
                line = pending[problem.key][0]
                cells = file_rows[problem.key].cells
                cell = cells[problem.field].address if problem.field in FIELD_CELLS else ""
                message = problem.message
                if problem.code == "stale" and isinstance(error, StaleVersion):
                    message = stale_upload_message(error.current.get(problem.key), line.kpi)
                line.problems.append(Problem(message, problem.code, cell, problem.field))
                line.status = REFUSED
            for key in refused:
                pending.pop(key, None)
            continue
        for outcome in outcomes:
            line = pending[outcome.key][0]
            line.status = FigureChange(outcome.change).value
            if line.status == FigureChange.UNCHANGED:
                line.new = line.old
        return


def stale_upload_message(current: Measurement | None, kpi: KPI) -> str:
    """A row whose figure changed after the template was downloaded: an upload cannot be
    saved again as the grid can, so it says to download a fresh template."""
    if current is None:
        return _(
            "This figure was deleted after the template was downloaded; this row was not "
            "stored. Download a fresh template from this page and enter your figure there."
        )
    return _(
        "%(who)s saved this figure on %(when)s, after the template was downloaded: it is "
        "now %(figure)s (version %(version)s). This row was not stored: download a fresh "
        "template from this page and enter your figure there."
    ) % stale_facts(current, kpi.value_type)


#: The fields whose problems point at a cell of their own (others concern the whole row).
FIELD_CELLS = ("value", "boolean_value", "text_value", "status", "reason", "note")
FIELD_CELLS += ("evidence_url", "as_of")


def apply_upload(*, user, grid: Grid, content: bytes, expected: str = "") -> Preview:
    """Store the rows the preview accepts, in one call of the write service, or nothing:
    :class:`ImportChanged` when the stored figures changed since the preview (whose
    :attr:`Preview.digest` was ``expected``, if given)."""
    preview = preview_upload(user=user, grid=grid, content=content)
    if expected and preview.digest != expected:
        raise ImportChanged("the preview changed", preview)
    accepted = preview.accepted
    if accepted:
        try:
            outcomes = _record(user, grid, accepted, dry_run=False)
        except EntryError as error:
            raise ImportChanged(str(error)) from error
        preview.stored = sum(outcome.change != "unchanged" for outcome in outcomes)
    preview.applied = True
    return preview
