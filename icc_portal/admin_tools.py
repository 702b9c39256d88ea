"""What every admin page of the project shares: plain numbers, refusals in words, no silent rows.

- :class:`PlainDecimalFormField` shows a stored ``5.0000`` as ``5`` in forms.
- :class:`ExplainedAdmin` catches a database refusal that slipped past validation and
  shows the form again, as typed, with the rule's sentence beside its field
  (:func:`icc_portal.validation.constraint_refusal`) instead of a server error.
- :class:`RulesInlineFormSet` checks an inline row's constraints together with the
  object it belongs to (Django leaves those out), reports them on a visible field, and
  refuses a row that was added and left empty rather than dropping it silently.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from .numbers import plain
from .validation import constraint_refusal


class PlainDecimalFormField(forms.DecimalField):
    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) else value


#: Form fields of every project admin: plain numbers; a web address typed without its
#: scheme read as https (Django 6's default, and what the evidence links are), in a text
#: box (a browser refuses www.example.org in a type="url" one before it is sent).
FORM_FIELDS = {
    models.DecimalField: {"form_class": PlainDecimalFormField},
    models.URLField: {
        "assume_scheme": "https",
        "widget": forms.TextInput(attrs={"inputmode": "url", "class": "vURLField"}),
    },
}


def visible_field(form, field: str | None) -> str | None:
    """``field`` if the form shows it, else ``None`` (the form or row as a whole)."""
    if field in (None, NON_FIELD_ERRORS) or field not in form.fields:
        return None
    return None if form.fields[field].widget.is_hidden else field


def add_errors(form, error: ValidationError) -> None:
    """Put each of ``error``'s messages beside its field, or on the form when it is hidden."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: [error]}
    for field, messages in by_field.items():
        form.add_error(visible_field(form, field), messages)


class ExplainedAdmin(admin.ModelAdmin):
    """A model admin whose database refusals come back as the form with a sentence."""

    formfield_overrides = FORM_FIELDS

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            refusal = constraint_refusal(error)
            if request.method != "POST" or getattr(request, "_refusal", None):
                raise
            # The save was rolled back: validate the same input again, this time with
            # the refusal as a form error, so the page comes back as it was typed.
            request._refusal = refusal or _(
                "This could not be saved: it conflicts with a row saved meanwhile. "
                "Check the fields and save again."
            )
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_refusal", None)
        if refusal is None:
            return form
        own_field = (
            getattr(refusal, "field", None)
            if getattr(refusal, "model", None) is self.model
            else None
        )

        class RefusedForm(form):
            def clean(self):
                data = super().clean()
                self.add_error(visible_field(self, own_field), str(refusal))
                return data

        return RefusedForm


class RulesInlineFormSet(BaseInlineFormSet):
    """Inline rows checked with the object they belong to, and no row dropped silently.

    ``also_checked`` names fields the inline sets itself (not shown in its form) that
    the row's constraints must still be checked with, e.g. a KPI part's solution.
    """

    also_checked: tuple[str, ...] = ()

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            kwargs["empty_permitted"] = False  # an added row left empty is an error
        return kwargs

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if field.required and name != self.fk.name and not field.widget.is_hidden:
                field.error_messages["required"] = _("Fill in “%(field)s”, or remove this row.") % {
                    "field": field.label
                }

    def validate_unique(self):
        """Two rows of this table with one value (a city chosen twice) are refused beside
        the second row's field, in plain words, rather than with Django's "Please correct
        the duplicate data for city" above the table."""
        seen: set = set()
        found = False
        for form in self.forms:
            if not form.is_valid() or (self.can_delete and self._should_delete_form(form)):
                continue
            exclude = form._get_validation_exclusions()
            checks, _dates = form.instance._get_unique_checks(
                exclude=exclude, include_meta_constraints=True
            )
            for _model, check in checks:
                shown = [name for name in check if name in form.cleaned_data]
                shown = [name for name in shown if name != self.fk.name]
                values = tuple(
                    getattr(form.cleaned_data[name], "pk", None) or form.cleaned_data[name]
                    for name in shown
                )
                if not shown or None in values or "" in values:
                    continue
                key = (tuple(check), values)
                if key in seen:
                    field = shown[-1]
                    form.add_error(
                        field,
                        _("“%(value)s” is already chosen in another row: keep one of the two.")
                        % {"value": form.cleaned_data[field]},
                    )
                    found = True
                    break
                seen.add(key)
        if not found:
            super().validate_unique()

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.is_valid() or (self.can_delete and self._should_delete_form(form)):
                continue
            checked = {self.fk.name, *self.also_checked}
            exclude = form._get_validation_exclusions() - checked
            try:
                form.instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                add_errors(form, error)


class ExplainedInline:
    """Mixin for inlines: plain numbers and :class:`RulesInlineFormSet`."""

    formfield_overrides = FORM_FIELDS
    formset = RulesInlineFormSet
    extra = 0
