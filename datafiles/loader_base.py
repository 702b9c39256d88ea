"""How the data loader reads an entry and says what is wrong with it, like the admin does.

A problem names the file, the line and column, the entry and the field, says what is
expected (the valid choices, the known slugs) and, for a slip of the keyboard, the
value probably meant. Rows are validated by the models' own ``clean()``, the rules the
admin applies, and written only when a value differs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from .yaml_source import Place, YamlDocument, did_you_mean

#: Where a problem is: a mapping or list of the file, or (container, key or index).
At = Any


class DataFileError(Exception):
    """A problem in a data file, worded for the person who edits it."""

    def __init__(self, path: Path, entry: str, problem: str, place: Place | None = None) -> None:
        self.path, self.entry, self.problem, self.place = path, entry, problem, place
        where = f"{path}, line {place.line}, column {place.column}" if place else str(path)
        super().__init__(f"{where}: {entry}: {problem}")


class LoadReport:
    """Counts of rows created and updated, per model, and warnings worth a look."""

    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.updated: dict[str, int] = {}
        self.warnings: list[str] = []

    def record(self, model: type[models.Model] | str, created: bool) -> None:
        bucket = self.created if created else self.updated
        name = model if isinstance(model, str) else str(model._meta.verbose_name_plural)
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "nothing to change"
        parts = [f"{count} {name} created" for name, count in sorted(self.created.items())]
        parts += [f"{count} {name} updated" for name, count in sorted(self.updated.items())]
        return ", ".join(parts)


def _choices(model: type[models.Model], field: str) -> list[str]:
    return [str(value) for value, _ in model._meta.get_field(field).flatchoices if value != ""]


class EntryReader:
    """Reads entries of one file; each problem raised as a :class:`DataFileError`."""

    def __init__(self, path: Path, document: YamlDocument) -> None:
        self.path = path
        self.document = document
        self.report = LoadReport()
        self.cities: dict[str, Any] = {}
        self._keys_seen: dict[tuple, Place | None] = {}

    def place(self, at: At) -> Place | None:
        if isinstance(at, tuple):
            return self.document.place(*at)
        return self.document.place(at) if at is not None else None

    def fail(self, entry: str, problem: str, at: At = None) -> DataFileError:
        return DataFileError(self.path, entry, problem, self.place(at))

    def warn(self, entry: str, message: str, at: At = None) -> None:
        place = self.place(at)
        where = f"{self.path}, line {place.line}" if place else str(self.path)
        self.report.warnings.append(f"{where}: {entry}: {message}")

    def once(self, what: str, key: Any, entry: str, at: At, within: Any = None) -> None:
        """Refuse a natural key (``what`` ``key``, such as activity code "1.3" ``within``
        solution 1) met a second time in this file, naming both lines: the loader writes
        by these keys, so two entries with one key would silently become one row."""
        seen_key = (what, str(within), str(key))
        place = self.place(at)
        if seen_key not in self._keys_seen:
            self._keys_seen[seen_key] = place
            return
        first = self._keys_seen[seen_key]
        where = f" in {within}" if within is not None else ""
        lines = f" (lines {first.line} and {place.line})" if first and place else ""
        raise self.fail(
            entry,
            f"{what} {key!r} used twice{where} in this file{lines}: the second entry would "
            "overwrite the first.",
            at,
        )

    def mapping(self, value: Any, entry: str, allowed: Iterable[str], required=()) -> dict:
        allowed = set(allowed)
        if not isinstance(value, dict):
            raise self.fail(entry, f"expected a mapping, found {type(value).__name__}", value)
        for key in value:
            if key not in allowed:
                raise self._unknown_key(entry, value, key, allowed)
        missing = [key for key in required if value.get(key) in (None, "")]
        if missing:
            raise self.fail(entry, f"missing required key(s): {', '.join(missing)}", value)
        return value

    def _unknown_key(self, entry: str, container: dict, key: Any, allowed: set) -> DataFileError:
        known = ", ".join(sorted(allowed))
        problem = f"unknown key {key!r}.{did_you_mean(key, allowed)} The keys here are: {known}."
        return DataFileError(self.path, entry, problem, self.document.key_place(container, key))

    def items(self, value: Any, entry: str, at: At = None) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(entry, f"expected a list, found {type(value).__name__}", at or value)
        return value

    def decimal(self, container: dict, key: str, entry: str) -> Decimal | None:
        value = container.get(key)
        if value is None or value == "":
            return None
        at = (container, key)
        if isinstance(value, float):
            raise self.fail(
                entry,
                f'{key}: write the decimal {value!r} in quotes ("{value!r}"), so it is read '
                "exactly as written rather than as an approximate binary number.",
                at,
            )
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.fail(entry, f"{key}: {value!r} is not a number", at)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(entry, f"{key}: {value!r} is not a number", at) from None
        if not number.is_finite():
            raise self.fail(entry, f"{key}: {value!r} is not a finite number", at)
        return number

    def date(self, container: dict, key: str, entry: str) -> datetime.date | None:
        value = container.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            problem = f"{key}: {value!r} is not a date (write it as YYYY-MM-DD, e.g. 2022-11-30)"
            raise self.fail(entry, problem, (container, key)) from None

    def city(self, slug: Any, entry: str, at: At = None):
        try:
            return self.cities[slug]
        except (KeyError, TypeError):
            raise self.fail(
                entry,
                f"unknown city {slug!r} (not in this file's cities: "
                f"{', '.join(sorted(self.cities)) or 'none'}).{did_you_mean(slug, self.cities)}",
                at,
            ) from None

    def sync(
        self,
        model: type[models.Model],
        entry: str,
        lookup: dict,
        values: dict,
        source: dict | None = None,
        keys: dict[str, str] | None = None,
    ):
        """Create or update one row by its natural key; save only what changed.

        ``source`` is the file's entry the values come from and ``keys`` names its keys
        where they differ from the model's fields, so a refusal points at the right line.
        """
        instance = model.objects.filter(**lookup).first()
        created = instance is None
        if created:
            instance = model(**lookup)
        changed = created
        for name, value in values.items():
            field = model._meta.get_field(name)
            current = getattr(instance, field.attname)
            wanted = value.pk if isinstance(value, models.Model) else value
            if current != wanted or (created and wanted is None):
                setattr(instance, name, value)
                changed = True
        if changed:
            if not created and hasattr(instance, "version"):
                instance.version += 1  # keep stale-edit detection true for loaded changes
            try:
                instance.full_clean()
            except ValidationError as error:
                raise self.refused(model, entry, error, source, keys or {}) from None
            instance.save()
            self.report.record(model, created)
        return instance

    def refused(self, model, entry: str, error: ValidationError, source, keys) -> DataFileError:
        """The models' refusal as the file's words: the key, its line, the valid choices."""
        problems, first_at = [], source
        for field, errors in error.error_dict.items():
            key = keys.get(field, field)
            for item in errors:
                message = " ".join(item.messages)
                if item.code == "invalid_choice":
                    choices = _choices(model, field)
                    wrong = (item.params or {}).get("value")
                    message = f"{wrong!r} is not one of {', '.join(choices)}." + did_you_mean(
                        wrong, choices
                    )
                problems.append(message if field == NON_FIELD_ERRORS else f"{key}: {message}")
            if source is not None and key in source and first_at is source:
                first_at = (source, key)
        return self.fail(entry, " ".join(problems), first_at)
