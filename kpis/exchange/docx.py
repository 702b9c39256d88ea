"""Word documents (python-docx): the maturity tables, and the whole deliverable.

Laid out as the seed deliverable: a heading per table, then KPI, target, where we started,
midway, final and notes, one block of rows per solution. Figures not approved yet say so
beside the figure ("12 (draft)"), in the requester's language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from cities.words import active_words

from .deliverable import Deliverable, activity_resources, phase_dates, phase_stage
from .tables import MaturityTable, StageValue, draft_label

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADING_SHADE = "DCE6F0"
DRAFT_SHADE = "FFF4CC"


def new_document(title: str) -> Document:
    """An A4 landscape document (the tables have six columns) titled ``title``."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    document.core_properties.title = title
    document.styles["Normal"].font.size = Pt(10)
    return document


def save(document: Document) -> bytes:
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def shade(cell, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    fill.set(qn("w:val"), "clear")
    fill.set(qn("w:color"), "auto")
    fill.set(qn("w:fill"), colour)
    properties.append(fill)


def table_as_printed(grid) -> None:
    """A table as it prints over several pages: its first row (the column headings)
    repeated at the top of each page, and no row broken across two pages."""
    for position, row in enumerate(grid.rows):
        properties = row._tr.get_or_add_trPr()
        setting = OxmlElement("w:tblHeader" if position == 0 else "w:cantSplit")
        setting.set(qn("w:val"), "true")
        properties.append(setting)


def shown(value: StageValue | None) -> str:
    if value is None or value.value is None:
        return ""
    if value.review:
        return f"{value.shown} ({draft_label(value.review)})"
    return value.shown


def add_maturity_table(document: Document, table: MaturityTable, *, level: int = 1) -> None:
    """The table's heading, its header facts, and the table itself."""
    document.add_heading(table.title, level=level)
    facts = document.add_paragraph()
    lines = [
        f"{_('Consortium')}: {table.consortium}",
        f"{_('Reported by') if table.is_consortium else _('City')}: {table.unit}",
        f"{_('Exported on')}: {date_format(table.exported_on)}",
        table.approved_wording,
    ]
    if table.has_drafts:
        lines.append(_("Figures marked as drafts are not approved yet."))
    for index, line in enumerate(lines):
        run = facts.add_run(line)
        if index < len(lines) - 1:
            run.add_break()
    if not table.blocks:
        document.add_paragraph(_("No KPI to report here."))
        return
    headings = [_("KPI"), _("Target"), *table.stage_headings, _("Notes")]
    grid = document.add_table(rows=1, cols=len(headings))
    grid.style = "Table Grid"
    for cell, heading in zip(grid.rows[0].cells, headings, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
        shade(cell, HEADING_SHADE)
    for block in table.blocks:
        cells = grid.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.text = ""
        merged.paragraphs[0].add_run(block.heading).bold = True
        for line in block.rows:
            cells = grid.add_row().cells
            name = cells[0].paragraphs[0]
            name.add_run(f"{line.code} ").bold = True
            name.add_run(line.label)
            if line.kind == "composite":
                continue
            cells[1].text = line.target
            for cell, value in zip(cells[2:-1], line.values, strict=True):
                cell.text = shown(value)
                if value is not None and value.review:
                    shade(cell, DRAFT_SHADE)
            cells[-1].text = line.notes
    for row in grid.rows:
        for index, width in enumerate((Cm(7), Cm(3.5), Cm(3), Cm(3), Cm(3), Cm(6.5))):
            row.cells[index].width = width
    table_as_printed(grid)


def maturity_docx(tables: Sequence[MaturityTable], *, title: str) -> bytes:
    document = new_document(title)
    for position, table in enumerate(tables):
        if position:
            document.add_page_break()
        add_maturity_table(document, table)
    return save(document)


def deliverable_docx(deliverable: Deliverable) -> bytes:
    """The whole deliverable: vision, ambition statements, charters with their activities,
    the maturity tables, the roadmap and the lessons."""
    consortium = deliverable.consortium
    document = new_document(deliverable.title)
    document.add_heading(deliverable.title, level=0)
    document.add_paragraph(
        f"{consortium.programme.name} · {consortium.name} · "
        f"{_('Exported on')} {date_format(deliverable.exported_on)}"
    )
    if deliverable.has_drafts:
        document.add_paragraph(_("Figures marked as drafts are not approved yet."))

    document.add_heading(_("Vision and ambition statements"), level=1)
    if consortium.vision:
        document.add_heading(_("Vision"), level=2)
        document.add_paragraph(consortium.vision)
    for ambition in deliverable.ambitions:
        heading = _("Ambition statement %(number)s") % {"number": ambition.number}
        document.add_heading(heading, level=2)
        document.add_paragraph(ambition.text)

    document.add_heading(_("Initiative charters"), level=1)
    for charter in deliverable.charters:
        document.add_heading(charter.heading, level=2)
        facts = document.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for label, text in charter.facts:
            cells = facts.add_row().cells
            cells[0].text = ""
            cells[0].paragraphs[0].add_run(label).bold = True
            cells[1].text = text
        if charter.activities:
            document.add_heading(_("Activities"), level=3)
            activities = document.add_table(rows=1, cols=4)
            activities.style = "Table Grid"
            headings = (_("Code"), _("Activity"), _("Resources"), _("Status"))
            for cell, heading in zip(activities.rows[0].cells, headings, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(heading).bold = True
                shade(cell, HEADING_SHADE)
            for activity in charter.activities:
                cells = activities.add_row().cells
                cells[0].text = activity.code
                cells[1].text = activity.title
                cells[2].text = activity_resources(activity)
                cells[3].text = str(activity.get_status_display())
            table_as_printed(activities)

    document.add_page_break()
    document.add_heading(active_words().maturity, level=1)
    for position, table in enumerate(deliverable.tables):
        if position:
            document.add_page_break()
        add_maturity_table(document, table, level=2)

    document.add_page_break()
    document.add_heading(_("Roadmap"), level=1)
    for phase in deliverable.phases:
        paragraph = document.add_paragraph(style="List Number")
        paragraph.add_run(phase.name).bold = True
        paragraph.add_run(f" ({phase_dates(phase)})")
        if phase.measured_stage:
            paragraph.add_run(
                " · " + _("stage measured: %(stage)s") % {"stage": phase_stage(phase)}
            )
        if phase.summary:
            paragraph.add_run().add_break()
            paragraph.add_run(phase.summary)
    document.add_heading(_("Lessons learned"), level=1)
    for lesson in deliverable.lessons:
        document.add_paragraph(lesson.text, style="List Number")
    return save(document)
