"""Downloads: the overview matrix (XLSX, CSV), the maturity tables of a city or of the whole
consortium (XLSX, DOCX, PDF), and the deliverable (a page, DOCX, PDF).

Views stay short: find what was asked for among what the user may read (404 otherwise),
call a reader (:mod:`kpis.exchange.tables`, :mod:`kpis.exchange.deliverable`, the
dashboards' matrix), hand the record to a writer and send the file. Labels follow the
requester's language; drafts appear only for those who may see them, marked as drafts.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from cities.access import visible_consortia, visible_consortia_filter
from cities.models import City, Membership
from cities.words import active_words, speaking
from icc_portal.api.csv import streaming_csv
from kpis.dashboards import build, versioned
from kpis.dashboards.readers import matrix_inputs

from . import background, csv, documents, pdf, xlsx
from .deliverable import read_deliverable
from .tables import approval_dates, approval_wording, city_table

MATURITY_FORMATS = ("xlsx", "docx", "pdf")
MATRIX_FORMATS = ("xlsx", "csv")
DELIVERABLE_FORMATS = ("docx", "pdf")


def attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_unavailable(request) -> HttpResponse:
    """503: this server cannot make PDFs (WeasyPrint's system libraries are missing)."""
    return render(request, "exchange/pdf_unavailable.html", {"status": 503}, status=503)


def tables_file(request, tables, *, title: str, fmt: str, filename: str) -> HttpResponse:
    """The maturity tables as one XLSX workbook, DOCX or PDF document."""
    try:
        content = documents.tables_content(tables, title=title, fmt=fmt)
    except pdf.PdfUnavailable:
        return pdf_unavailable(request)
    return attachment(content, documents.MEDIA_TYPES[fmt], f"{filename}.{fmt}")


#: Seconds between two checks (HEAD, by static/js/prepared-document.js) of the page
#: saying a document is being prepared; also its Retry-After.
REFRESH_SECONDS = 5
#: The maturity tables are named in their programme's words (cities.words).
DOCUMENT_NAMES = {"deliverable": pgettext_lazy("document", "The deliverable")}


def consortium_document(request, consortium, *, kind: str, fmt: str) -> HttpResponse:
    """A consortium's document: made at once, or for a large consortium by a background
    task (:mod:`kpis.exchange.background`), with a page saying so until it is ready; in
    the words of the consortium's programme."""
    with speaking(consortium.programme):
        return _consortium_document(request, consortium, kind=kind, fmt=fmt)


def _consortium_document(request, consortium, *, kind: str, fmt: str) -> HttpResponse:
    if not background.made_in_background(consortium):
        made = documents.MAKERS[kind](request.user, consortium, fmt)
        return attachment(made.content, made.media_type, made.filename)
    document = background.prepared_document(request.user, consortium, kind=kind, fmt=fmt)
    if document.content is not None:
        filename = f"{consortium.slug}-{kind}.{fmt}"
        return attachment(bytes(document.content), documents.MEDIA_TYPES[fmt], filename)
    context = {
        "consortium": consortium,
        "document": active_words().maturity if kind == "maturity" else DOCUMENT_NAMES[kind],
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = render(request, "exchange/preparing.html", context, status=202)
    response["Retry-After"] = str(REFRESH_SECONDS)
    add_never_cache_headers(response)
    return response


def _format(fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        raise Http404(_("There is no download in the format “%(format)s”.") % {"format": fmt})
    return fmt


class CityMaturityExport(View):
    """``/cities/<city>/maturity/<xlsx|docx|pdf>/`` (``?consortium=<slug>`` for a city in
    several): the city's "Assessment of solution maturity" table.

    Queries (fixed): the city; its memberships in readable consortia; the table
    (:func:`~kpis.exchange.tables.city_table`: six) — plus session, user and roles.
    """

    def get(self, request, slug: str, fmt: str):
        fmt = _format(fmt, MATURITY_FORMATS)
        city = get_object_or_404(City, slug=slug)
        memberships = list(
            Membership.objects.filter(
                visible_consortia_filter(request.user, prefix="consortium__"), city=city
            )
            .select_related("consortium__programme")
            .order_by("consortium__name")
        )
        wanted = request.GET.get("consortium")
        consortium = next(
            (m.consortium for m in memberships if not wanted or m.consortium.slug == wanted), None
        )
        if consortium is None:
            raise Http404("The city takes part in no such consortium you may read.")
        filename = f"{consortium.slug}-{city.slug}-maturity"
        with speaking(consortium.programme):
            table = city_table(request.user, city, consortium)
            return tables_file(request, [table], title=table.title, fmt=fmt, filename=filename)


class ConsortiumDocumentExport(View):
    """A consortium's document of ``kind`` in one of ``formats``, made at once or in the
    background (:func:`consortium_document`)."""

    kind: str
    formats: tuple[str, ...]

    def get(self, request, slug: str, fmt: str):
        fmt = _format(fmt, self.formats)
        consortium = get_object_or_404(visible_consortia(request.user), slug=slug)
        if fmt == "pdf" and not pdf.pdf_available():
            return pdf_unavailable(request)
        return consortium_document(request, consortium, kind=self.kind, fmt=fmt)


class ConsortiumMaturityExport(ConsortiumDocumentExport):
    """``/consortia/<slug>/maturity/<xlsx|docx|pdf>/``: every city's table and the
    consortium's own (queries: the consortium, then nine for the tables)."""

    kind = "maturity"
    formats = MATURITY_FORMATS


class MatrixExport(View):
    """``/consortia/<slug>/matrix/<xlsx|csv>/?stage=…``: the overview's matrix.

    Queries (fixed): the consortium; ``matrix_inputs`` (memberships, solutions,
    implementing cities, KPIs, stages with figures, figures, baselines); for XLSX the
    approval dates (two) — plus session, user and roles.
    """

    def get(self, request, slug: str, fmt: str):
        fmt = _format(fmt, MATRIX_FORMATS)
        consortium = get_object_or_404(visible_consortia(request.user), slug=slug)
        with speaking(consortium.programme):
            return self.export(request, consortium, fmt)

    def export(self, request, consortium, fmt: str) -> HttpResponse:
        inputs = matrix_inputs(request.user, consortium, requested_stage=request.GET.get("stage"))
        matrix = build.consortium_matrix(inputs)
        filename = f"{consortium.slug}-matrix-{inputs.stage}"
        if fmt == "csv":
            rows = csv.matrix_rows(matrix, inputs.kpis)
            return streaming_csv(csv.MATRIX_COLUMNS, rows, filename=f"{filename}.csv")
        dates = approval_dates(consortium.pk, loaded_on=consortium.figures_approved_on)
        approved = ""
        if dates:
            approved = approval_wording(max(dates.values()), consortium.figures_approved_on)
        content = xlsx.matrix_workbook(
            matrix,
            consortium=consortium,
            kpis=inputs.kpis,
            approved=approved,
            exported_on=timezone.localdate(),
        )
        return attachment(content, xlsx.XLSX_MEDIA_TYPE, f"{filename}.xlsx")


class DeliverableView(versioned.ConditionalPage, TemplateView):
    """``/consortia/<slug>/deliverable/``: the deliverable on a page, with its downloads
    (the document itself: :class:`DeliverableExport`).

    Served whole, as the dashboard pages are (:class:`~kpis.dashboards.versioned.
    ConditionalPage`), under the day as well: the page is dated. Read again, it costs the
    request's versions alone. Built, its queries are fixed: the consortium with its
    programme, then :func:`~kpis.exchange.deliverable.read_deliverable`'s thirteen — plus
    session, user and roles. Its judged part is kept by data version, reader's view,
    language and day too (a programme's deliverable takes seconds to build), for a page
    of the same consortium at another address or after a change elsewhere.
    """

    template_name = "exchange/deliverable.html"

    def page_facts(self, request) -> tuple:
        return (timezone.localdate().isoformat(),)

    def get_context_data(self, slug: str, **kwargs):
        request = self.request
        consortium = get_object_or_404(visible_consortia(request.user), slug=slug)
        today = timezone.localdate()
        page = versioned.kept_page(
            "deliverable",
            request,
            [consortium.pk],
            today.isoformat(),
            build=lambda: _deliverable_page(request, consortium),
        )
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "consortium": consortium,
            "pdf_available": pdf.pdf_available(),
        }


class DeliverableExport(ConsortiumDocumentExport):
    """``/consortia/<slug>/deliverable/<docx|pdf>/``: the deliverable as a document."""

    kind = "deliverable"
    formats = DELIVERABLE_FORMATS


def _deliverable_page(request, consortium) -> dict:
    """What the deliverable page shows of the deliverable: its title, date, whether it
    holds drafts, and its body rendered, in the words of the consortium's programme."""
    with speaking(consortium.programme):
        deliverable = read_deliverable(request.user, consortium)
        body = render_to_string(
            "exchange/_deliverable_body.html", {"deliverable": deliverable}, request=request
        )
        return {
            "title": deliverable.title,
            "exported_on": deliverable.exported_on,
            "has_drafts": deliverable.has_drafts,
            "body": SafeString(body),
        }
