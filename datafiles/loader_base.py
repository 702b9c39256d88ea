"""How the data loader reads an entry and says what is wrong with it, like the admin does.

A problem names the file, the line and column, the entry and the field, says what is
expected (the valid choices, the known slugs) and, for a slip of the keyboard, the
value probably meant. Rows are validated by the models' own ``clean()``, the rules the
admin applies, and written only when a value differs.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icc_portal.own_words import WORD_LANGUAGES, words_per_language
from kpis.exchange.bounds import TIME_BUDGET_SECONDS

from .yaml_source import Place, YamlDocument, did_you_mean

#: Where a problem is: a mapping or list of the file, or (container, key or index).
At = Any


class DataFileError(Exception):
    """A problem in a data file, worded for the person who edits it."""

    def __init__(self, path: Path, entry: str, problem: str, place: Place | None = None) -> None:
        self.path, self.entry, self.problem, self.place = path, entry, problem, place
        where = (
            _("%(file)s, line %(line)s, column %(column)s")
            % {"file": path, "line": place.line, "column": place.column}
            if place
            else str(path)
        )
        super().__init__(f"{where}: {entry}: {problem}")


@dataclass(frozen=True)
class RowChange:
    """One row the file names: its model, the file's label for it, and what loading does."""

    model: type[models.Model] | None
    name: str  # the model's plural name (or the file's word for a set of rows)
    label: str
    action: str  # "created", "updated" or "unchanged"
    fields: tuple[str, ...] = ()
    singular: str = ""  # the name of one such row


class LoadReport:
    """What a load did (or, dry, would do): each row named by the file created, updated or
    left alone, the rows of the consortium the file lacks (:mod:`datafiles.absent`), those
    removed, and warnings worth a look."""

    def __init__(self) -> None:
        self.rows: list[RowChange] = []
        self.warnings: list[str] = []
        self.absent: list = []  # datafiles.absent.AbsentRow
        self.removed: list = []
        self.invited: list[str] = []
        self.applied = False
        self.consortium = None  # the file's consortium, once read
        self.touched: dict[type[models.Model], set] = {}

    def record(
        self,
        model: type[models.Model] | tuple[str, str],
        created: bool | None,
        label: str = "",
        fields: tuple[str, ...] = (),
    ) -> None:
        """``created`` True (a new row), False (a row changed) or None (left alone);
        ``model`` a model, or the names of one and of several rows of another kind."""
        action = {True: "created", False: "updated", None: "unchanged"}[created]
        if isinstance(model, tuple):
            singular, plural = model
            self.rows.append(RowChange(None, plural, label, action, fields, singular))
        else:
            names = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
            self.rows.append(RowChange(model, names[1], label, action, fields, names[0]))

    def touch(self, instance: models.Model) -> None:
        self.touched.setdefault(type(instance), set()).add(instance.pk)

    def counts(self, action: str) -> dict[str, int]:
        """How many rows of each kind ``action`` touches, each kind named for its count."""
        return counted_names([row for row in self.rows if row.action == action])

    @property
    def created(self) -> dict[str, int]:
        return self.counts("created")

    @property
    def updated(self) -> dict[str, int]:
        return self.counts("updated")

    @property
    def changed(self) -> bool:
        return any(row.action != "unchanged" for row in self.rows) or bool(self.removed)

    def summary(self) -> str:
        if not self.changed:
            return "nothing to change"
        parts = [f"{count} {name} created" for name, count in self.created.items()]
        parts += [f"{count} {name} updated" for name, count in self.updated.items()]
        parts += [f"{len(self.removed)} removed"] if self.removed else []
        return ", ".join(parts)


def expected(kind: str, value: Any) -> str:
    return _("expected %(kind)s, found %(found)s") % {"kind": kind, "found": type(value).__name__}


def not_one_of(value: Any, choices: Iterable[str]) -> str:
    return _("%(value)s is not one of %(choices)s.") % {
        "value": repr(value),
        "choices": ", ".join(choices),
    }


def coordinates_label(user: str, city: str) -> str:
    """A city coordinator's row, as the preview names it (and :mod:`datafiles.absent`)."""
    return _("%(user)s coordinates %(city)s") % {"user": user, "city": city}


def steering_label(user: str) -> str:
    return _("%(user)s on the steering committee") % {"user": user}


def counted_names(rows: Iterable, order: Iterable[tuple[str, str]] = ()) -> dict[str, int]:
    """How many of ``rows`` (each with ``name``, plural, and ``singular``) there are of each
    kind, keyed by the kind's name for that count ("1 solution", "3 solutions"); the kinds
    of ``order`` (singular, plural) first."""
    names = dict((plural, singular) for singular, plural in order)
    counts = dict.fromkeys(names, 0)
    for row in rows:
        names.setdefault(row.name, row.singular or row.name)
        counts[row.name] = counts.get(row.name, 0) + 1
    return {
        ngettext(names[plural], plural, count): count for plural, count in counts.items() if count
    }


def not_true_or_false(value: Any) -> str:
    return _("%(value)s is not true or false") % {"value": repr(value)}


def _choices(model: type[models.Model], field: str) -> list[str]:
    return [str(value) for value, _label in model._meta.get_field(field).flatchoices if value != ""]


class EntryReader:
    """Reads entries of one file; each problem raised as a :class:`DataFileError`."""

    def __init__(self, path: Path, document: YamlDocument, time_limit: bool = False) -> None:
        self.path = path
        self.document = document
        self.report = LoadReport()
        self.cities: dict[str, Any] = {}
        self._keys_seen: dict[tuple, Place | None] = {}
        self._known: dict[type[models.Model], tuple[tuple[str, ...], dict]] = {}
        self.ends = time.monotonic() + (TIME_BUDGET_SECONDS if time_limit else 10**9)

    def place(self, at: At) -> Place | None:
        if isinstance(at, tuple):
            return self.document.place(*at)
        return self.document.place(at) if at is not None else None

    def fail(self, entry: str, problem: str, at: At = None) -> DataFileError:
        return DataFileError(self.path, entry, problem, self.place(at))

    def warn(self, entry: str, message: str, at: At = None) -> None:
        place = self.place(at)
        where = (
            _("%(file)s, line %(line)s") % {"file": self.path, "line": place.line}
            if place
            else str(self.path)
        )
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
        values = {"what": what, "key": repr(key), "within": within}
        if within is not None:
            problem = _("%(what)s %(key)s used twice in %(within)s in this file")
        else:
            problem = _("%(what)s %(key)s used twice in this file")
        problem %= values
        if first and place:
            problem += " " + _("(lines %(first)s and %(again)s)") % {
                "first": first.line,
                "again": place.line,
            }
        overwrite = _("the second entry would overwrite the first.")
        raise self.fail(entry, f"{problem}: {overwrite}", at)

    def mapping(self, value: Any, entry: str, allowed: Iterable[str], required=()) -> dict:
        allowed = set(allowed)
        if not isinstance(value, dict):
            raise self.fail(entry, expected(_("a mapping"), value), value)
        for key in value:
            if key not in allowed:
                raise self._unknown_key(entry, value, key, allowed)
        missing = [key for key in required if value.get(key) in (None, "")]
        if missing:
            problem = ngettext(
                "missing required key: %(keys)s", "missing required keys: %(keys)s", len(missing)
            )
            raise self.fail(entry, problem % {"keys": ", ".join(missing)}, value)
        return value

    def _unknown_key(self, entry: str, container: dict, key: Any, allowed: set) -> DataFileError:
        known = ", ".join(sorted(allowed))
        problem = _("unknown key %(key)s.") % {"key": repr(key)} + did_you_mean(key, allowed)
        problem += " " + _("The keys here are: %(keys)s.") % {"keys": known}
        return DataFileError(self.path, entry, problem, self.document.key_place(container, key))

    def items(self, value: Any, entry: str, at: At = None) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(entry, expected(_("a list"), value), at or value)
        return value

    def decimal(self, container: dict, key: str, entry: str) -> Decimal | None:
        value = container.get(key)
        if value is None or value == "":
            return None
        at = (container, key)
        if isinstance(value, float):
            problem = _(
                'write the decimal %(value)s in quotes ("%(value)s"), so it is read exactly '
                "as written rather than as an approximate binary number."
            )
            raise self.fail(entry, f"{key}: " + problem % {"value": repr(value)}, at)
        not_a_number = f"{key}: " + _("%(value)s is not a number") % {"value": repr(value)}
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.fail(entry, not_a_number, at)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(entry, not_a_number, at) from None
        if not number.is_finite():
            problem = _("%(value)s is not a finite number") % {"value": repr(value)}
            raise self.fail(entry, f"{key}: {problem}", at)
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
            problem = _("%(value)s is not a date (write it as YYYY-MM-DD, e.g. 2022-11-30)")
            problem = f"{key}: " + problem % {"value": repr(value)}
            raise self.fail(entry, problem, (container, key)) from None

    def city(self, slug: Any, entry: str, at: At = None):
        try:
            return self.cities[slug]
        except (KeyError, TypeError):
            problem = _("unknown city %(slug)s (not in this file's cities: %(cities)s).") % {
                "slug": repr(slug),
                "cities": ", ".join(sorted(self.cities)) or _("none"),
            }
            raise self.fail(entry, problem + did_you_mean(slug, self.cities), at) from None

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
        self.tick()
        values, keys = self.words_per_language(model, entry, values, keys or {})
        instance = self.existing(model, lookup)
        created = instance is None
        if created:
            instance = model(**lookup)
        changed_fields = []
        for name, value in values.items():
            field = model._meta.get_field(name)
            current = getattr(instance, field.attname)
            wanted = value.pk if isinstance(value, models.Model) else value
            if current != wanted or (created and wanted is None):
                setattr(instance, name, value)
                changed_fields.append(name)
        if created or changed_fields:
            if not created and hasattr(instance, "version"):
                instance.version += 1  # keep stale-edit detection true for loaded changes
            try:
                instance.full_clean()
            except ValidationError as error:
                raise self.refused(model, entry, error, source, keys or {}) from None
            instance.save()
            if created and model in self._known:
                key, rows = self._known[model]
                rows[self._key(model, key, instance.__dict__)] = instance
            fields = () if created else tuple(changed_fields)
            self.report.record(model, created, entry, fields)
        else:
            self.report.record(model, None, entry)
        self.report.touch(instance)
        return instance

    def prefetch(self, model: type[models.Model], rows: Iterable, key: Iterable[str]) -> None:
        """Read the rows of ``model`` the file may name in one query (``rows``), found by
        :meth:`sync` through the fields of its lookup (``key``) instead of a query each."""
        key = tuple(sorted(key))
        self._known[model] = (key, {self._key(model, key, row.__dict__): row for row in rows})

    def existing(self, model: type[models.Model], lookup: dict):
        """The row ``lookup`` names: from the rows prefetched, or read."""
        key, rows = self._known.get(model, ((), None))
        if rows is not None and tuple(sorted(lookup)) == key:
            values = {
                model._meta.get_field(name).attname: (
                    value.pk if isinstance(value, models.Model) else value
                )
                for name, value in lookup.items()
            }
            try:
                return rows.get(self._key(model, key, values))
            except ValidationError:
                pass  # a value of another kind: the query says what it matches
        return model.objects.filter(**lookup).first()

    @staticmethod
    def _key(model: type[models.Model], key: tuple[str, ...], values: dict) -> tuple:
        fields = [model._meta.get_field(name) for name in key]
        return tuple(field.to_python(values[field.attname]) for field in fields)

    def tick(self) -> None:
        """Refuse a file that takes longer to read than an upload may (``bounds``)."""
        if time.monotonic() > self.ends:
            problem = _(
                "reading it took longer than the %(seconds)s seconds a data file may take: "
                "split it, or load it with manage.py load_demo."
            )
            raise self.fail(_("file"), problem % {"seconds": f"{TIME_BUDGET_SECONDS:.0f}"})

    def words_per_language(
        self, model: type[models.Model], entry: str, values: dict, keys: dict[str, str]
    ) -> tuple[dict, dict[str, str]]:
        """A consortium's own words (a KPI's name, unit and target wording, a solution's
        and an activity's title) as the columns of each language (``icc_portal.own_words``).

        The file gives them as English text (``name: Number of…``) or per language
        (``name: {en: Number of…, it: Numero di…, sv: Antal…}``), as a programme's stage
        words; a language left out reads as English.
        """
        columns = words_per_language(model)
        if not columns.keys() & values.keys():
            return values, keys
        expanded, keys = {}, dict(keys)
        for name, value in values.items():
            if name not in columns:
                expanded[name] = value
                continue
            words = value if isinstance(value, dict) else {WORD_LANGUAGES[0]: value}
            required = () if model._meta.get_field(name).blank else WORD_LANGUAGES[:1]
            self.mapping(words, f"{entry}.{name}", WORD_LANGUAGES, required=required)
            for language, column in zip(WORD_LANGUAGES, columns[name], strict=True):
                given = words.get(language)
                if language == WORD_LANGUAGES[0]:
                    expanded[column] = "" if given is None else str(given)
                else:
                    expanded[column] = str(given).strip() or None if given is not None else None
                keys.setdefault(column, name)
        return expanded, keys

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
                    message = not_one_of(wrong, choices) + did_you_mean(wrong, choices)
                problems.append(message if field == NON_FIELD_ERRORS else f"{key}: {message}")
            if source is not None and key in source and first_at is source:
                first_at = (source, key)
        return self.fail(entry, " ".join(problems), first_at)
