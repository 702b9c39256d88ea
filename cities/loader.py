"""Load a consortium from a readable YAML data file (``data/sern.yaml``, ``data/letsgov.yaml``).

The file format is documented in ``data/README.md``. Loading is an upsert by
natural keys (slugs, numbers, codes): a row is written only when a value
differs, so loading the same file twice changes nothing — not even the
measurement history. The whole file loads in one transaction; the first
problem found raises :class:`DataFileError` naming the file, the entry and
the problem, and nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from changelog import log as changelog
from kpis.models import KPI, FrameworkReference, Measurement
from roadmaps.loader import load_roadmap
from solutions.models import Activity, AmbitionStatement, Solution, Theme

from .models import City, Consortium, Membership, Programme

SECTIONS = {
    "programme",
    "cities",
    "consortium",
    "ambition_statements",
    "themes",
    "solutions",
    "measurements",
    "roadmap",
}
KPI_KEYS = {
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_scope",
    "target_text",
    "direction",
    "reporting_level",
    "rollup",
    "method",
    "data_source",
    "means_of_verification",
    "framework_refs",
    "parts",
}


class DataFileError(Exception):
    """A problem in a data file, worded for the person who edits it."""

    def __init__(self, path: Path, entry: str, problem: str) -> None:
        self.path, self.entry, self.problem = path, entry, problem
        super().__init__(f"{path}: {entry}: {problem}")


class LoadReport:
    """Counts of rows created and updated, per model."""

    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.updated: dict[str, int] = {}

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


def load_file(path: Path | str) -> LoadReport:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataFileError(path, "file", f"cannot be read ({error.strerror})") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problem = getattr(error, "problem", None) or str(error)
        raise DataFileError(path, where, f"is not valid YAML: {problem}") from error
    loader = _Loader(path)
    with transaction.atomic(), changelog.batch():  # the change log's rows last, in one go
        loader.load(data)
    return loader.report


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.report = LoadReport()
        self.cities: dict[str, City] = {}
        self.kpis: dict[str, KPI] = {}

    # -- helpers -----------------------------------------------------------------

    def fail(self, entry: str, problem: str) -> DataFileError:
        return DataFileError(self.path, entry, problem)

    def mapping(self, value: Any, entry: str, allowed: Iterable[str], required=()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(entry, f"expected a mapping, found {type(value).__name__}")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise self.fail(entry, f"unknown key(s): {', '.join(map(str, unknown))}")
        missing = [key for key in required if value.get(key) in (None, "")]
        if missing:
            raise self.fail(entry, f"missing required key(s): {', '.join(missing)}")
        return value

    def items(self, value: Any, entry: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(entry, f"expected a list, found {type(value).__name__}")
        return value

    def decimal(self, value: Any, entry: str, key: str) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise self.fail(entry, f"{key}: {value!r} is not a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(entry, f"{key}: {value!r} is not a number") from None
        if not number.is_finite():
            raise self.fail(entry, f"{key}: {value!r} is not a finite number")
        return number

    def date(self, value: Any, entry: str, key: str) -> datetime.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(entry, f"{key}: {value!r} is not a date (YYYY-MM-DD)") from None

    def city(self, slug: Any, entry: str) -> City:
        try:
            return self.cities[slug]
        except (KeyError, TypeError):
            raise self.fail(entry, f"unknown city {slug!r} (not in this file's cities)") from None

    def sync(self, model: type[models.Model], entry: str, lookup: dict, values: dict):
        """Create or update one row by its natural key; save only what changed."""
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
                raise self.fail(entry, _describe(error)) from None
            instance.save()
            self.report.record(model, created)
        return instance

    def sync_m2m(self, manager, wanted: list[models.Model]) -> None:
        current = set(manager.values_list("pk", flat=True))
        if current != {item.pk for item in wanted}:
            manager.set(wanted)
            self.report.record("solution city lists", created=not current)

    # -- sections ----------------------------------------------------------------

    def load(self, data: Any) -> None:
        data = self.mapping(data, "file", SECTIONS, required=["programme", "cities", "consortium"])
        programme = self.load_programme(data["programme"])
        self.load_cities(data["cities"])
        consortium = self.load_consortium(data["consortium"], programme)
        statements = self.load_ambition_statements(data.get("ambition_statements"), consortium)
        themes = self.load_themes(data.get("themes"), consortium)
        self.load_solutions(data.get("solutions"), consortium, statements, themes)
        self.load_measurements(data.get("measurements"))
        load_roadmap(self, data.get("roadmap"), consortium)

    def load_programme(self, entry: Any) -> Programme:
        entry = self.mapping(
            entry, "programme", {"slug", "name", "description"}, required=["slug", "name"]
        )
        return self.sync(
            Programme,
            "programme",
            {"slug": entry["slug"]},
            {"name": entry["name"], "description": entry.get("description") or ""},
        )

    def load_cities(self, entries: Any) -> None:
        keys = {"slug", "name", "country", "region", "population", "population_year"}
        keys.add("programme_role")
        for index, entry in enumerate(self.items(entries, "cities")):
            label = f"cities[{index}]"
            entry = self.mapping(entry, label, keys, required=["slug", "name", "country"])
            label = f"city {entry['slug']!r}"
            self.cities[entry["slug"]] = self.sync(
                City,
                label,
                {"slug": entry["slug"]},
                {
                    "name": entry["name"],
                    "country": entry["country"],
                    "region": entry.get("region") or "",
                    "population": entry.get("population"),
                    "population_year": entry.get("population_year"),
                    "programme_role": entry.get("programme_role") or City.ProgrammeRole.CORE,
                },
            )

    def load_consortium(self, entry: Any, programme: Programme) -> Consortium:
        keys = {"slug", "name", "short_name", "vision", "description", "is_published", "members"}
        entry = self.mapping(entry, "consortium", keys, required=["slug", "name"])
        consortium = self.sync(
            Consortium,
            "consortium",
            {"slug": entry["slug"]},
            {
                "programme": programme,
                "name": entry["name"],
                "short_name": entry.get("short_name") or "",
                "vision": entry.get("vision") or "",
                "description": entry.get("description") or "",
                "is_published": bool(entry.get("is_published", False)),
            },
        )
        for index, member in enumerate(self.items(entry.get("members"), "consortium.members")):
            label = f"consortium.members[{index}]"
            member = self.mapping(member, label, {"city", "role"}, required=["city"])
            self.sync(
                Membership,
                label,
                {"consortium": consortium, "city": self.city(member["city"], label)},
                {"role": member.get("role") or Membership.Role.MEMBER},
            )
        return consortium

    def load_ambition_statements(self, entries: Any, consortium: Consortium) -> dict:
        statements = {}
        for index, entry in enumerate(self.items(entries, "ambition_statements")):
            label = f"ambition_statements[{index}]"
            entry = self.mapping(entry, label, {"number", "text"}, required=["number", "text"])
            statements[entry["number"]] = self.sync(
                AmbitionStatement,
                label,
                {"consortium": consortium, "number": entry["number"]},
                {"text": entry["text"]},
            )
        return statements

    def load_themes(self, entries: Any, consortium: Consortium) -> dict:
        themes = {}
        for index, entry in enumerate(self.items(entries, "themes")):
            label = f"themes[{index}]"
            entry = self.mapping(entry, label, {"slug", "name"}, required=["slug", "name"])
            themes[entry["slug"]] = self.sync(
                Theme,
                label,
                {"consortium": consortium, "slug": entry["slug"]},
                {"name": entry["name"]},
            )
        return themes

    def load_solutions(
        self, entries: Any, consortium: Consortium, statements: dict, themes: dict
    ) -> None:
        text_keys = [
            "what",
            "why",
            "link_to_vision",
            "expected_impact",
            "working_team",
            "contributors",
            "risks_and_mitigation",
            "funding_source",
            "cost_note",
        ]
        keys = {"number", "title", "theme", "ambition_statement", "estimated_cost"}
        keys |= {"lead_cities", "implementing_cities", "activities", "kpis", *text_keys}
        for index, entry in enumerate(self.items(entries, "solutions")):
            label = f"solutions[{index}]"
            entry = self.mapping(entry, label, keys, required=["number", "title"])
            label = f"solution {entry['number']}"
            theme = entry.get("theme")
            if theme is not None and theme not in themes:
                raise self.fail(label, f"unknown theme {theme!r}")
            statement = entry.get("ambition_statement")
            if statement is not None and statement not in statements:
                raise self.fail(label, f"unknown ambition statement {statement!r}")
            values = {key: entry.get(key) or "" for key in text_keys}
            values.update(
                title=entry["title"],
                theme=themes.get(theme),
                ambition_statement=statements.get(statement),
                estimated_cost=self.decimal(entry.get("estimated_cost"), label, "estimated_cost"),
            )
            solution = self.sync(
                Solution, label, {"consortium": consortium, "number": entry["number"]}, values
            )
            for key in ("lead_cities", "implementing_cities"):
                cities = [self.city(slug, label) for slug in self.items(entry.get(key), label)]
                self.sync_m2m(getattr(solution, key), cities)
            self.load_activities(entry.get("activities"), solution, label)
            for kpi_index, kpi_entry in enumerate(self.items(entry.get("kpis"), label)):
                self.load_kpi(kpi_entry, solution, f"{label}.kpis[{kpi_index}]", parent=None)

    def load_activities(self, entries: Any, solution: Solution, parent_label: str) -> None:
        keys = {"code", "title", "description", "work_days_per_city", "resources"}
        keys |= {"planned_start", "planned_end", "status"}
        for index, entry in enumerate(self.items(entries, f"{parent_label}.activities")):
            label = f"{parent_label}.activities[{index}]"
            entry = self.mapping(entry, label, keys, required=["code", "title"])
            label = f"activity {entry['code']}"
            self.sync(
                Activity,
                label,
                {"solution": solution, "code": str(entry["code"])},
                {
                    "title": entry["title"],
                    "description": entry.get("description") or "",
                    "work_days_per_city": self.decimal(
                        entry.get("work_days_per_city"), label, "work_days_per_city"
                    ),
                    "resources": entry.get("resources") or "",
                    "planned_start": self.date(entry.get("planned_start"), label, "planned_start"),
                    "planned_end": self.date(entry.get("planned_end"), label, "planned_end"),
                    "status": entry.get("status") or Activity.Status.PLANNED,
                },
            )

    def load_kpi(self, entry: Any, solution: Solution, label: str, parent: KPI | None) -> None:
        allowed = KPI_KEYS - {"parts"} if parent else KPI_KEYS
        entry = self.mapping(entry, label, allowed, required=["code", "name"])
        code = str(entry["code"])
        label = f"KPI {code}"
        if code in self.kpis:
            raise self.fail(label, "code used twice in this file")
        values = {
            key: entry.get(key) or ""
            for key in ("unit", "target_text", "method", "data_source", "means_of_verification")
        }
        values.update(
            parent=parent,
            name=entry["name"],
            value_type=entry.get("value_type") or KPI.ValueType.COUNT,
            target_value=self.decimal(entry.get("target_value"), label, "target_value"),
            target_scope=entry.get("target_scope") or KPI.TargetScope.CITY,
            direction=entry.get("direction") or KPI.Direction.HIGHER,
            reporting_level=entry.get("reporting_level") or KPI.ReportingLevel.CITY,
            rollup=entry.get("rollup") or KPI.Rollup.SUM,
        )
        kpi = self.sync(KPI, label, {"solution": solution, "code": code}, values)
        self.kpis[code] = kpi
        for index, ref in enumerate(self.items(entry.get("framework_refs"), label)):
            ref_label = f"{label}.framework_refs[{index}]"
            ref = self.mapping(
                ref, ref_label, {"framework", "code", "label"}, required=["framework", "code"]
            )
            self.sync(
                FrameworkReference,
                ref_label,
                {"kpi": kpi, "framework": ref["framework"], "code": str(ref["code"])},
                {"label": ref.get("label") or ""},
            )
        for index, part in enumerate(self.items(entry.get("parts"), label)):
            self.load_kpi(part, solution, f"{label}.parts[{index}]", parent=kpi)

    def load_measurements(self, entries: Any) -> None:
        keys = {"kpi", "city", "stage", "status", "value", "boolean", "text", "reason", "note"}
        keys |= {"as_of", "evidence_url", "review_state"}
        for index, entry in enumerate(self.items(entries, "measurements")):
            label = f"measurements[{index}]"
            entry = self.mapping(entry, label, keys, required=["kpi", "stage"])
            code = str(entry["kpi"])
            label = f"{label} (KPI {code}, {entry.get('city') or 'consortium'}, {entry['stage']})"
            kpi = self.kpis.get(code)
            if kpi is None:
                raise self.fail(label, f"unknown KPI code {code!r}")
            if kpi.parts.exists():
                raise self.fail(label, f"KPI {code} is composite: report its parts instead")
            city = self.city(entry["city"], label) if entry.get("city") else None
            if (kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM) != (city is None):
                expected = "no city" if city else "a city"
                raise self.fail(label, f"KPI {code} is reported with {expected}")
            if city is not None and not kpi.solution.implementing_cities.filter(pk=city.pk):
                raise self.fail(label, f"{city} does not implement solution {kpi.solution.number}")
            boolean = entry.get("boolean")
            if boolean is not None and not isinstance(boolean, bool):
                raise self.fail(label, f"boolean: {boolean!r} is not true or false")
            self.sync(
                Measurement,
                label,
                {"kpi": kpi, "city": city, "stage": entry["stage"]},
                {
                    "status": entry.get("status") or Measurement.Status.REPORTED,
                    "value": self.decimal(entry.get("value"), label, "value"),
                    "boolean_value": boolean,
                    "text_value": entry.get("text") or "",
                    "reason": entry.get("reason") or "",
                    "note": entry.get("note") or "",
                    "evidence_url": entry.get("evidence_url") or "",
                    "as_of": self.date(entry.get("as_of"), label, "as_of"),
                    # Figures published in a deliverable were approved by the consortium.
                    "review_state": entry.get("review_state") or Measurement.ReviewState.APPROVED,
                },
            )


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
