"""A load's report said for a person: what it creates, updates and leaves unchanged, what
the database holds that the file lacks, and what was (or would be) removed. The command's
``--dry-run`` prints it (:func:`preview_text`); the admin's upload page shows the same.

A row's words are those of a figure's (:class:`icc_portal.figure_changes.FigureChange`):
created, updated, unchanged, as bulk writes, the feed and imports say, since a data file
writes figures too. A row the file lacks is *removed*, not *withdrawn*: the feed's
withdrawn means a reader may no longer see a figure, whatever became of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kpis.models import KPI
from solutions.models import Activity, Solution

from .absent import AbsentRow
from .loader_base import LoadReport, RowChange, counted_names

#: Counted first in the headline: what a framework is made of.
FRAMEWORK_MODELS = [Solution, Activity, KPI]


@dataclass
class FilePreview:
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    absent: list[AbsentRow] = field(default_factory=list)
    removed: list[AbsentRow] = field(default_factory=list)

    @property
    def nothing_to_change(self) -> bool:
        return not (self.created or self.updated or self.removed)

    @property
    def removable(self) -> list[AbsentRow]:
        return [row for row in self.absent if row.removable and not row.kept_by]

    @property
    def kept(self) -> list[AbsentRow]:
        return [row for row in self.absent if row.kept_by]


def preview_of(report: LoadReport) -> FilePreview:
    preview = FilePreview(absent=list(report.absent), removed=list(report.removed))
    for row in report.rows:
        getattr(preview, row.action).append(row)
    return preview


def counted(rows: list) -> str:
    """'3 solutions, 8 activities, 14 KPIs, 2 users, 1 thematic track…': a framework's
    parts first, each kind named for its count."""
    order = [
        (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
        for model in [*FRAMEWORK_MODELS, get_user_model()]
    ]
    counts = counted_names(rows, order)
    return ", ".join(f"{count} {name}" for name, count in counts.items())


def headline(preview: FilePreview, *, applied: bool = False) -> str:
    """What the load does ("to create: …"), or once applied, what it did ("created: …")."""
    if preview.nothing_to_change:
        words = _("nothing changed") if applied else _("nothing to change")
        if preview.absent and not applied:
            absent = ngettext(
                "%(count)s row in the database is not in the file (listed below)",
                "%(count)s rows in the database are not in the file (listed below)",
                len(preview.absent),
            ) % {"count": len(preview.absent)}
            words = f"{words}; {absent}"
        return words
    parts = []
    if preview.created:
        words = _("created: %(rows)s") if applied else _("to create: %(rows)s")
        parts.append(words % {"rows": counted(preview.created)})
    if preview.updated:
        words = _("updated: %(rows)s") if applied else _("to update: %(rows)s")
        parts.append(words % {"rows": counted(preview.updated)})
    if preview.removed:
        words = _("removed: %(rows)s") if applied else _("to remove: %(rows)s")
        parts.append(words % {"rows": counted(preview.removed)})
    return "; ".join(parts)


def preview_text(report: LoadReport) -> str:
    """The preview as the command prints it, one row a line."""
    preview = preview_of(report)
    lines = [headline(preview)]
    for sign, title, rows in (
        ("+", pgettext("rows of a data file", "Created"), preview.created),
        ("~", pgettext("rows of a data file", "Updated"), preview.updated),
    ):
        if rows:
            lines.append(f"{title}:")
            for row in rows:
                fields = f" ({', '.join(row.fields)})" if row.fields else ""
                lines.append(f"  {sign} {row.label}{fields}")
    if preview.unchanged:
        lines.append(
            pgettext("rows of a data file", "Unchanged: %(rows)s")
            % {"rows": counted(preview.unchanged)}
        )
    if preview.absent:
        lines.append(_("In the database, not in the file:"))
        for row in preview.absent:
            note = ""
            if row.kept_by:
                note = " — " + _("kept: %(why)s") % {"why": row.kept_by}
            elif row in preview.removed:
                note = " — " + _("removed")
            lines.append(f"  - {row.label}{note}")
    if report.warnings:
        lines += [_("Warning: %(warning)s") % {"warning": warning} for warning in report.warnings]
    return "\n".join(lines)
