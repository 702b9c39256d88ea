"""The consortium's documents as bytes: its maturity tables and its deliverable, in each
format, for one reader (drafts only for those who may see them) in the active language.

The views send them at once, or, for a large consortium, a background task makes them
(:mod:`kpis.exchange.background`); both call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.utils.translation import get_language

from cities.words import speaking
from kpis.vocabulary import maturity_title

from . import docx, pdf, xlsx
from .deliverable import read_deliverable
from .tables import consortium_tables

MEDIA_TYPES = {
    "xlsx": xlsx.XLSX_MEDIA_TYPE,
    "docx": docx.DOCX_MEDIA_TYPE,
    "pdf": pdf.PDF_MEDIA_TYPE,
}


@dataclass(frozen=True, slots=True)
class Document:
    content: bytes
    media_type: str
    filename: str


def speaking_of_consortium(maker):
    """A document maker that writes in the words of its consortium's programme (also when a
    background task makes it, outside any request)."""

    @wraps(maker)
    def make(user, consortium, fmt: str) -> Document:
        with speaking(consortium.programme):
            return maker(user, consortium, fmt)

    return make


def tables_content(tables, *, title: str, fmt: str) -> bytes:
    """Maturity tables as one XLSX workbook, DOCX or PDF document (:class:`pdf.PdfUnavailable`
    without WeasyPrint's libraries)."""
    if fmt == "xlsx":
        return xlsx.maturity_workbook(tables)
    if fmt == "docx":
        return docx.maturity_docx(tables, title=title)
    return pdf.render_pdf(
        "exchange/pdf/maturity.html",
        {"tables": tables, "title": title, "language": get_language()},
    )


@speaking_of_consortium
def maturity_document(user, consortium, fmt: str) -> Document:
    """Every city's table and the consortium's own (nine queries whatever the size)."""
    tables = consortium_tables(user, consortium)
    every = [*tables.cities, *([tables.consortium] if tables.consortium.blocks else [])]
    title = maturity_title(consortium.display_name)
    content = tables_content(every, title=title, fmt=fmt)
    return Document(content, MEDIA_TYPES[fmt], f"{consortium.slug}-maturity.{fmt}")


@speaking_of_consortium
def deliverable_document(user, consortium, fmt: str) -> Document:
    """The deliverable as DOCX or PDF (``read_deliverable``'s thirteen queries)."""
    deliverable = read_deliverable(user, consortium)
    if fmt == "docx":
        content = docx.deliverable_docx(deliverable)
    else:
        content = pdf.render_pdf(
            "exchange/pdf/deliverable.html",
            {"deliverable": deliverable, "language": get_language()},
        )
    return Document(content, MEDIA_TYPES[fmt], f"{consortium.slug}-deliverable.{fmt}")


MAKERS = {"deliverable": deliverable_document, "maturity": maturity_document}
