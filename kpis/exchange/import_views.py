"""The entry grid's "Download template" and "Upload" pages (web views).

Upload shows a preview (:func:`kpis.exchange.imports.preview_upload`) and keeps the file
on the server (:class:`~kpis.exchange.models.PendingImport`) under a signed token; "Apply"
sends the token back and the accepted rows are stored through the write service. The
unit, the stage and who may open the page are the entry grid's own
(:class:`kpis.reporting.views.GridMixin`).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from icc_portal.api.csv import streaming_csv
from kpis.reporting.views import GridMixin

from . import template
from .bounds import MAX_FILE_BYTES, FileRefused, check_size
from .imports import ImportChanged, apply_upload, preview_upload
from .models import PendingImport
from .views import attachment
from .xlsx import XLSX_MEDIA_TYPE


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def read_file(uploaded) -> bytes:
    """The upload's bytes; :class:`FileRefused` for one too large, before reading it."""
    check_size(uploaded.size)
    return uploaded.read()


class UnitPage(GridMixin):
    """The grid's unit, with the rows the user may enter (403 when there are none)."""

    def enterable_grid(self):
        grid = self.read_grid()
        if not grid.enterable_rows:
            raise PermissionDenied
        return grid

    def unit_slug(self) -> str:
        return self.city.slug if self.city is not None else self.unit_consortium.slug

    def page_url(self, name: str, *args) -> str:
        prefix = "entry" if self.city is not None else "consortium-entry"
        return reverse(f"{prefix}-{name}", args=[self.unit_slug(), self.stage, *args])


class TemplateDownload(UnitPage, View):
    """``…/report/<stage>/template/<xlsx|csv>/``: the template of the rows the user enters.

    Queries (fixed): the unit; the grid's (memberships, KPIs, lead cities, figures,
    reviews) — plus session, user and roles.
    """

    def get(self, request, *args, fmt: str, **kwargs):
        if fmt not in ("xlsx", "csv"):
            raise Http404(_("There is no download in the format “%(format)s”.") % {"format": fmt})
        grid = self.enterable_grid()
        filename = f"{self.unit_slug()}-{self.stage}-template"
        if fmt == "csv":
            rows = template.template_csv_rows(grid, grid.enterable_rows)
            return streaming_csv(template.CSV_COLUMNS, rows, filename=f"{filename}.csv")
        content = template.template_workbook(grid, grid.enterable_rows)
        return attachment(content, XLSX_MEDIA_TYPE, f"{filename}.xlsx")


class ImportView(UnitPage, View):
    """``…/report/<stage>/import/``: upload a filled-in template, see what would change,
    apply it.

    Queries (fixed for a file of a given number of rows): the unit; the grid's; the
    figures at the versions the file was based on; the write service's dry run; keeping
    the upload (two) — plus session, user and roles. "Apply" adds the service's writes.
    """

    template_name = "exchange/import.html"

    def get(self, request, *args, **kwargs):
        grid = self.enterable_grid()
        return self.render(grid, UploadForm())

    def post(self, request, *args, **kwargs):
        grid = self.enterable_grid()
        if "token" in request.POST:
            return self.apply(grid, request.POST["token"])
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(grid, form, status=400)
        uploaded = form.cleaned_data["file"]
        try:
            content = read_file(uploaded)
            preview = preview_upload(user=request.user, grid=grid, content=content)
        except FileRefused as refused:
            form.add_error("file", refused.message)
            return self.render(grid, form, status=400)
        pending = PendingImport.keep(
            user=request.user,
            city=self.city,
            consortium=self.unit_consortium,
            stage=self.stage,
            filename=uploaded.name,
            content=content,
            digest=preview.digest,
        )
        return self.render(grid, UploadForm(), preview=preview, pending=pending)

    def apply(self, grid, signed: str):
        request = self.request
        pending = PendingImport.find(
            signed,
            user=request.user,
            city=self.city,
            consortium=self.unit_consortium,
            stage=self.stage,
        )
        if pending is None:
            form = UploadForm()
            messages.error(request, _("This upload is no longer kept: upload the file again."))
            return self.render(grid, form, status=400)
        content = bytes(pending.content)
        try:
            preview = apply_upload(
                user=request.user, grid=grid, content=content, expected=pending.preview_digest
            )
        except ImportChanged as changed:
            preview = changed.preview or preview_upload(
                user=request.user, grid=self.read_grid(), content=content
            )
            pending.preview_digest = preview.digest
            pending.save(update_fields=["preview_digest"])
            messages.warning(
                request,
                _(
                    "The figures changed since this preview was made, so nothing was stored. "
                    "Here is the preview again: check it and apply."
                ),
            )
            return self.render(grid, UploadForm(), preview=preview, pending=pending, status=409)
        pending.delete()
        messages.success(
            request,
            ngettext(
                "Stored %(count)s figure from %(file)s.",
                "Stored %(count)s figures from %(file)s.",
                preview.stored,
            )
            % {"count": preview.stored, "file": pending.filename},
        )
        return HttpResponseRedirect(self.grid_url())

    def render(self, grid, form, *, preview=None, pending=None, status: int = 200):
        context = {
            "grid": grid,
            "unit_name": self.unit_name(),
            "city": self.city,
            "stage": self.stage,
            "form": form,
            "preview": preview,
            "pending": pending,
            "grid_url": self.grid_url(),
            "import_url": self.page_url("import"),
            "xlsx_url": self.page_url("template", "xlsx"),
            "csv_url": self.page_url("template", "csv"),
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
        }
        return render(self.request, self.template_name, context, status=status)
