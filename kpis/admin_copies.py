"""The admin's actions that copy one solution into another consortium, or one KPI into a
solution (:mod:`kpis.framework` does the copying), with their intermediate page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .framework import KPICopyForm, SolutionCopyForm, copy_kpi, copy_solution


def copy_page(model_admin, request, *, title: str, form, chosen, action: str, button: str):
    """The intermediate page of a "copy one" action: its form, for the one row chosen."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "chosen": chosen,
        "action": action,
        "button": button,
        "opts": model_admin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/kpis/copy_one.html", context)


class CopyKPIAction:
    """The KPI list's action *Copy one KPI into a solution*."""

    @admin.action(description=_("Copy one KPI into a solution"))
    def copy_kpi(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one KPI to copy."), messages.WARNING)
            return None
        kpi = queryset.get()
        data = request.POST if "copy" in request.POST else None
        form = KPICopyForm(data, initial={"code": kpi.code})
        if form.is_valid():
            try:
                copied = copy_kpi(kpi=kpi, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("code", " ".join(error.messages))
            else:
                self.message_user(request, copied.summary(), messages.SUCCESS)
                return None
        title = _("Copy KPI %(code)s") % {"code": kpi}
        return copy_page(
            self,
            request,
            title=title,
            form=form,
            chosen=kpi,
            action="copy_kpi",
            button=_("Copy the KPI"),
        )


class CopySolutionAction:
    """The solution list's action *Copy one solution into another consortium*."""

    @admin.action(description=_("Copy one solution into another consortium"))
    def copy_solution(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one solution to copy."), messages.WARNING)
            return None
        solution = queryset.get()
        data = request.POST if "copy" in request.POST else None
        form = SolutionCopyForm(data, solution=solution, initial={"number": solution.number})
        if form.is_valid():
            try:
                copied = copy_solution(solution=solution, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("number", " ".join(error.messages))
            else:
                self.message_user(request, copied.summary(), messages.SUCCESS)
                return None
        title = _("Copy solution %(number)s of %(consortium)s") % {
            "number": solution.number,
            "consortium": solution.consortium,
        }
        button = _("Copy the solution")
        return copy_page(
            self,
            request,
            title=title,
            form=form,
            chosen=solution,
            action="copy_solution",
            button=button,
        )
