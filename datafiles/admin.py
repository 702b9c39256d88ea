"""The admin's "Load a data file" page: upload, preview, apply (on the consortia's list).

The consortium admin of :mod:`kpis.admin` with one more page. A file is previewed by
loading it in a transaction rolled back (:func:`datafiles.loader.load_text` with
``dry_run``), held between preview and apply by :mod:`datafiles.uploads`, and applied
in one transaction: all of it, or on the first problem nothing, with the loader's
message (line, column, "did you mean"). Reading stops at the upload bounds
(``kpis.exchange.bounds``: size and time).
"""

from __future__ import annotations

import yaml
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from cities.models import Consortium
from kpis.admin import ConsortiumWithFrameworkAdmin

from . import uploads
from .forms import DataFileApplyForm, DataFileUploadForm
from .loader import DataFileError, load_text
from .preview import counted, headline, preview_of
from .yaml_source import read_document

#: What loading a file may write: the consortium, its solutions, activities and KPIs.
LOAD_PERMISSIONS = [
    "cities.change_consortium",
    "solutions.add_solution",
    "solutions.change_solution",
    "solutions.add_activity",
    "solutions.change_activity",
    "kpis.add_kpi",
    "kpis.change_kpi",
]
#: …and, for a file with users, the users and their roles.
USER_PERMISSIONS = ["auth.add_user", "auth.change_user"]


class _RemovalRefused(Exception):
    """Raised inside an apply to roll it back: the user may not delete what it removes."""


def has_users(content: bytes) -> bool:
    try:
        data = read_document(content.decode("utf-8")).data
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and bool(data.get("users"))


def removal_refusal(user, removed) -> str:
    """Why ``user`` may not remove the rows ``removed`` (each kind takes the right to
    delete it), or ''."""
    kinds = {row.model for row in removed}
    lacking = [
        str(model._meta.verbose_name_plural)
        for model in kinds
        if not user.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")
    ]
    if not lacking:
        return ""
    return _("Removing these rows takes the right to delete %(kinds)s.") % {
        "kinds": ", ".join(sorted(lacking))
    }


def may_load(user) -> bool:
    return user.is_active and user.is_staff and user.has_perms(LOAD_PERMISSIONS)


class ConsortiumWithDataFilesAdmin(ConsortiumWithFrameworkAdmin):
    """The consortia, with the page that loads a data file (linked above their list)."""

    change_list_template = "admin/cities/consortium/change_list_with_files.html"

    def get_urls(self):
        load = self.admin_site.admin_view(self.load_file_view)
        return [path("load-file/", load, name="cities_consortium_load_file"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_load_files": may_load(request.user)}
        return super().changelist_view(request, extra_context)

    def load_file_view(self, request):
        if not may_load(request.user):
            raise PermissionDenied
        if request.method == "POST" and "apply" in request.POST:
            return self.apply(request)
        form = DataFileUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            name, content = form.cleaned_data["file"]
            held = uploads.hold(request.session, name, content)
            return self.preview(request, held)
        return self.page(request, upload_form=form)

    def preview(self, request, held, *, problem: str = "", remove_absent: bool = False):
        try:
            report = load_text(
                held.content.decode("utf-8"), held.name, dry_run=True, time_limit=True
            )
        except DataFileError as error:
            uploads.release(request.session, held.digest)
            return self.page(request, upload_form=DataFileUploadForm(), error=str(error))
        refusal = self.refusal(request.user, held.content)
        shown = preview_of(report)
        apply_form = DataFileApplyForm(
            initial={"digest": held.digest, "remove_absent": remove_absent}
        )
        return self.page(
            request,
            held=held,
            preview=shown,
            headline=headline(shown),
            unchanged=counted(shown.unchanged),
            warnings=report.warnings,
            apply_form=apply_form,
            refusal=refusal or problem,
        )

    def refusal(self, user, content: bytes) -> str:
        """Why ``user`` may not apply this file, or '' (removing is asked in :meth:`apply`)."""
        if has_users(content) and not user.has_perms(USER_PERMISSIONS):
            return _("This file holds users: applying it takes the right to add and change users.")
        return ""

    def apply(self, request):
        form = DataFileApplyForm(request.POST)
        held = uploads.held(request.session, request.POST.get("digest", ""))
        if not form.is_valid() or held is None:
            self.message_user(
                request,
                _("The previewed file is no longer here (or was changed): upload it again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:cities_consortium_load_file"))
        remove_absent = form.cleaned_data["remove_absent"]
        refusal = self.refusal(request.user, held.content)
        if refusal:
            return self.preview(request, held, problem=refusal, remove_absent=remove_absent)
        try:
            with transaction.atomic():  # rolled back if the removal is refused
                report = load_text(
                    held.content.decode("utf-8"),
                    held.name,
                    remove_absent=remove_absent,
                    time_limit=True,
                )
                refusal = removal_refusal(request.user, report.removed)
                if refusal:
                    raise _RemovalRefused(refusal)
        except DataFileError as error:
            uploads.release(request.session, held.digest)
            return self.page(request, upload_form=DataFileUploadForm(), error=str(error))
        except _RemovalRefused as refused:
            return self.preview(request, held, problem=str(refused), remove_absent=True)
        uploads.release(request.session, held.digest)
        shown = preview_of(report)
        self.message_user(
            request,
            _("%(file)s applied: %(changes)s.")
            % {"file": held.name, "changes": headline(shown, applied=True)},
            messages.SUCCESS,
        )
        consortium = report.consortium
        if consortium is not None:
            return HttpResponseRedirect(
                reverse("admin:cities_consortium_change", args=[consortium.pk])
            )
        return HttpResponseRedirect(reverse("admin:cities_consortium_changelist"))

    def page(self, request, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Load a data file"),
            "opts": self.model._meta,
            **context,
        }
        return TemplateResponse(request, "admin/cities/consortium/load_file.html", context)


admin.site.unregister(Consortium)
admin.site.register(Consortium, ConsortiumWithDataFilesAdmin)
