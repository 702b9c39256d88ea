"""Model rules reported on the field they concern, in words, wherever a row is saved from.

Each model keeps its invariants in ``clean()`` (shared by the admin, the YAML loader
and any later import) and its database constraints as the last line. Django reports a
violated constraint as a message for the whole form; :class:`FieldRules` reports it on
the field a person would change instead (``constraint_fields`` names it), and moves an
error on a field the form does not show to the form as a whole, so no message ever sits
on a hidden field.

A check constraint is judged in Python where :mod:`icc_portal.conditions` can say what the
database would, and in a query of its own otherwise.

The database's own refusals (:class:`~django.db.IntegrityError`, when a row slips past
validation) are turned into the same sentences by :func:`constraint_refusal`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.utils.translation import gettext as _

from .conditions import holds

#: Which field a rule's message belongs beside: field name → errors.
FieldErrors = dict[str, list[ValidationError]]


def blamed_field(model, constraint) -> str:
    """The field a person changes to satisfy ``constraint``.

    Named in the model's ``constraint_fields``; else the last field of a unique
    constraint, or the one field a check constraint reads; else the form as a whole.
    """
    named = getattr(model, "constraint_fields", {}).get(constraint.name)
    if named:
        return named
    if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
        return constraint.fields[-1]
    condition = getattr(constraint, "condition", None)
    fields = set(_fields_read(condition)) if condition is not None else set()
    return fields.pop() if len(fields) == 1 else NON_FIELD_ERRORS


def _fields_read(condition):
    for child in getattr(condition, "children", ()):
        if isinstance(child, tuple):
            yield child[0].split("__")[0]
            if hasattr(child[1], "name"):  # F("planned_start")
                yield child[1].name
        else:
            yield from _fields_read(child)


class FieldRules:
    """Mixin for models: constraint and ``clean()`` messages beside their fields.

    A violated constraint is reported on :func:`blamed_field` (``constraint_fields``
    maps a constraint's name to its field where that is not plain). A model's own rules
    go in :meth:`rule_errors`, returning field → errors.
    """

    constraint_fields: ClassVar[Mapping[str, str]] = {}

    def rule_errors(self) -> FieldErrors:
        return {}

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        self._clean_exclude = set(exclude or ())
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        finally:
            del self._clean_exclude

    def clean(self) -> None:
        super().clean()
        errors = self.rule_errors()
        for field, error in self._hidden_character_errors():
            errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(self._shown(errors))

    def _hidden_character_errors(self):
        """Every text field holding characters that change how it reads (icc_portal.text)."""
        from .text import CODE, hidden_characters, hidden_characters_message

        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                found = hidden_characters(getattr(self, field.attname))
                if found:
                    yield field.name, ValidationError(hidden_characters_message(found), code=CODE)

    def validate_constraints(self, exclude=None) -> None:
        using = router.db_for_write(type(self), instance=self)
        errors: FieldErrors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    _validate(constraint, model_class, self, exclude, using)
                except ValidationError as error:
                    field = blamed_field(type(self), constraint)
                    errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(self._shown(errors, exclude))

    def _shown(self, errors: FieldErrors, exclude: Iterable[str] | None = None) -> FieldErrors:
        """Errors on fields left out of the form being validated go to the form itself."""
        hidden = set(exclude or ()) | getattr(self, "_clean_exclude", set())
        shown: FieldErrors = {}
        for field, messages in errors.items():
            key = NON_FIELD_ERRORS if field in hidden else field
            shown.setdefault(key, []).extend(messages)
        return shown


def _validate(constraint, model_class, instance, exclude, using) -> None:
    """``constraint.validate``, a check constraint judged in Python where it can be
    (:mod:`icc_portal.conditions`) rather than in a query of its own."""
    if isinstance(constraint, models.CheckConstraint):
        verdict = holds(constraint, instance, exclude or (), model_class._meta)
        if verdict is True:
            return
        if verdict is False:
            raise ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
    constraint.validate(model_class, instance, exclude=exclude, using=using)


def add_error(errors: FieldErrors, field: str, message, code: str, **params) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))


@dataclass(frozen=True)
class Refusal:
    """A database refusal in words: the sentence, and the model and field it concerns."""

    model: type[models.Model]
    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")
_NOT_NULL = re.compile(
    r'NOT NULL constraint failed: (\w+)\.(\w+)|column "(\w+)" of relation "(\w+)"'
)

PROJECT_APPS = ("cities", "solutions", "kpis", "roadmaps")


def _constraints():
    for app_label in PROJECT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            for constraint in model._meta.constraints:
                yield model, constraint


def constraint_refusal(error: Exception) -> Refusal | None:
    """The translated sentence for a database refusal of one of the project's rules.

    Reads the constraint's name (PostgreSQL names every constraint, SQLite a check
    constraint by name and a unique one by its columns) and answers with the
    constraint's ``violation_error_message`` and the field it concerns, or says which
    required field was left empty; ``None`` for anything else.
    """
    text = str(error)
    unique = _SQLITE_UNIQUE.search(text)
    columns = {part.strip() for part in unique.group(1).split(",")} if unique else set()
    for model, constraint in _constraints():
        named = re.search(rf"\b{re.escape(constraint.name)}\b", text)
        if not named and isinstance(constraint, models.UniqueConstraint) and columns:
            table = model._meta.db_table
            fields = {f"{table}.{model._meta.get_field(f).column}" for f in constraint.fields}
            named = fields == columns
        if named:
            field = blamed_field(model, constraint)
            field = None if field == NON_FIELD_ERRORS else field
            return Refusal(model, field, str(constraint.get_violation_error_message()))
    missing = _NOT_NULL.search(text)
    if missing:
        table, column = missing.group(1) or missing.group(4), missing.group(2) or missing.group(3)
        for app_label in PROJECT_APPS:
            for model in apps.get_app_config(app_label).get_models():
                for field in model._meta.concrete_fields if model._meta.db_table == table else ():
                    if field.column == column:
                        message = _("“%(field)s” must be filled in.")
                        name = {"field": field.verbose_name}
                        return Refusal(model, field.name, message % name)
    return None
