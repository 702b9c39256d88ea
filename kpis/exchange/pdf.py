"""PDF documents (WeasyPrint, on Debian's Pango; no browser): the maturity tables and the
deliverable, printed from the same templates as the deliverable page.

WeasyPrint loads Pango through the system's libraries when it is first imported. A machine
without them (``libpango-1.0-0``, ``libpangoft2-1.0-0``) cannot make PDFs:
:func:`render_pdf` raises :class:`PdfUnavailable`, which the views answer with a 503 that
says so, never a 500. Nothing is fetched while rendering: the style sheet is this folder's
``pdf.css``, and any other URL in the document is refused.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

PDF_MEDIA_TYPE = "application/pdf"
STYLE_SHEET = Path(__file__).with_name("pdf.css")
# WeasyPrint says every layout step at INFO: one line per page is noise in the request log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are missing on this machine."""


@cache
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: a system library is missing
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"the PDF fetches nothing: {url}")


def render_pdf(template: str, context: dict) -> bytes:
    """``template`` rendered with ``context`` as a PDF; :class:`PdfUnavailable` without
    WeasyPrint's libraries."""
    weasyprint = _weasyprint()
    html = render_to_string(template, context)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refuse)
    style = weasyprint.CSS(string=STYLE_SHEET.read_text(encoding="utf-8"))
    return document.write_pdf(stylesheets=[style])
