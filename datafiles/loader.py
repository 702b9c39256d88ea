"""Load a consortium from a readable YAML data file (``data/sern.yaml``, ``data/letsgov.yaml``).

The file format is documented in ``data/README.md``. Loading is an upsert by
natural keys (slugs, numbers, codes): a row is written only when a value
differs, so loading the same file twice changes nothing — not even the
measurement history. The whole file loads in one transaction; the first
problem found raises :class:`DataFileError` naming the file, the line and column,
the entry and the problem (with the valid choices and the value probably meant),
and nothing is written. Rows pass the same ``clean()`` rules as in the admin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from changelog import log as changelog
from cities.models import City, Consortium, Membership, OpenDataLicence, Programme
from cities.words import WORD_FIELDS
from kpis.invariants import target_text_warning
from kpis.models import KPI, FrameworkReference, Measurement
from kpis.vocabulary import KPI_DEFINITION_FIELDS
from solutions.models import Activity, AmbitionStatement, Solution, Theme, solution_city_errors

from .absent import find_absent, remove_rows
from .loader_base import DataFileError, EntryReader, LoadReport, not_true_or_false
from .roadmap import load_roadmap
from .users import invite_on_commit, load_users
from .yaml_source import DuplicateKey, Place, did_you_mean, read_document

__all__ = ["DataFileError", "LoadReport", "load_file", "load_text"]

SECTIONS = {
    "programme",
    "cities",
    "consortium",
    "ambition_statements",
    "themes",
    "solutions",
    "measurements",
    "roadmap",
    "users",
}
KPI_KEYS = {*KPI_DEFINITION_FIELDS, "framework_refs", "parts"}
MEASUREMENT_KEYS = {"boolean_value": "boolean", "text_value": "text"}


class _DryRun(Exception):
    """Raised at the end of a dry run to roll its writes back."""


def load_file(
    path: Path | str, *, dry_run: bool = False, remove_absent: bool = False
) -> LoadReport:
    """Load the file at ``path`` (see :func:`load_text`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        problem = _("cannot be read (%(why)s)") % {"why": error.strerror}
        raise DataFileError(path, _("file"), problem) from error
    return load_text(text, path, dry_run=dry_run, remove_absent=remove_absent)


def load_text(
    text: str,
    path: Path | str,
    *,
    dry_run: bool = False,
    remove_absent: bool = False,
    time_limit: bool = False,
) -> LoadReport:
    """Load a data file's ``text`` (named ``path`` in messages) in one transaction.

    The report lists every row the file names as created, updated or left alone, and the
    rows of its consortium the file lacks (``report.absent``). With ``remove_absent`` those
    are removed, except where figures hang on them (:mod:`datafiles.absent`). A
    ``dry_run`` does all of it and rolls it back, so its report is the preview of what
    loading would do. New users with an address are sent a set-password e-mail in their
    language once the load commits (never on a dry run). ``time_limit`` holds the reading
    to the upload bounds (``kpis.exchange.bounds``). Raises :class:`DataFileError`;
    nothing is written then.
    """
    path = Path(path)
    try:
        document = read_document(text)
    except DuplicateKey as error:
        raise DataFileError(path, _("file"), str(error), error.again) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = Place(mark.line + 1, mark.column + 1) if mark else None
        problem = getattr(error, "problem", None) or str(error)
        problem = _("is not valid YAML: %(problem)s") % {"problem": problem}
        raise DataFileError(path, _("file"), problem, place) from error
    loader = _Loader(path, document, time_limit=time_limit)
    try:
        with transaction.atomic(), changelog.batch():  # the change log's rows last, in one go
            consortium = loader.report.consortium = loader.load(document.data)
            loader.report.absent = find_absent(
                consortium, loader.report.touched, file_sections(document.data)
            )
            if remove_absent:
                loader.report.removed = remove_rows(loader.report.absent)
            if dry_run:
                raise _DryRun
            invite_on_commit(loader.report, loader.new_users)
    except _DryRun:
        return loader.report
    loader.report.applied = True
    return loader.report


def file_sections(data: dict) -> set[str]:
    """What the file speaks of as a whole (:func:`datafiles.absent.find_absent`): its
    sections, ``consortium.members`` when it lists the members, and ``roadmap.<key>``
    for each list its roadmap gives. Read after loading, so ``data`` is well formed."""
    sections = set(data)
    if "members" in data["consortium"]:
        sections.add("consortium.members")
    sections |= {f"roadmap.{key}" for key in data.get("roadmap") or {}}
    return sections


class _Loader(EntryReader):
    def __init__(self, path: Path, document, time_limit: bool = False) -> None:
        super().__init__(path, document, time_limit)
        self.kpis: dict[str, KPI] = {}
        self.new_users: list = []

    def load(self, data: Any) -> Consortium:
        required = ["programme", "cities", "consortium"]
        data = self.mapping(data, _("file"), SECTIONS, required=required)
        programme = self.load_programme(data["programme"])
        self.load_cities(data["cities"])
        consortium = self.load_consortium(data["consortium"], programme)
        statements = self.load_ambition_statements(data.get("ambition_statements"), consortium)
        themes = self.load_themes(data.get("themes"), consortium)
        self.load_solutions(data.get("solutions"), consortium, statements, themes)
        self.load_measurements(data.get("measurements"), consortium)
        load_roadmap(self, data.get("roadmap"), consortium)
        load_users(self, data.get("users"), consortium)
        return consortium

    def load_programme(self, entry: Any) -> Programme:
        keys = {"slug", "name", "description", *WORD_FIELDS}
        entry = self.mapping(entry, "programme", keys, required=["slug", "name"])
        values = {"name": entry["name"], "description": entry.get("description") or ""}
        # A programme's own words, per language (cities/words.py); left out: the portal's.
        languages = [code for code, _name in settings.LANGUAGES]
        for field in WORD_FIELDS:
            words = self.mapping(entry.get(field) or {}, f"programme.{field}", languages)
            for language in languages:
                values[f"{field}_{language}"] = str(words.get(language) or "").strip()
        return self.sync(Programme, "programme", {"slug": entry["slug"]}, values, source=entry)

    def load_cities(self, entries: Any) -> None:
        keys = {"slug", "name", "country", "region", "population", "population_year"}
        keys.add("programme_role")
        for index, entry in enumerate(self.items(entries, "cities")):
            label = f"cities[{index}]"
            entry = self.mapping(entry, label, keys, required=["slug", "name", "country"])
            label = _("city %(slug)s") % {"slug": repr(entry["slug"])}
            self.once(_("city slug"), entry["slug"], label, (entry, "slug"))
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
                source=entry,
            )

    def load_consortium(self, entry: Any, programme: Programme) -> Consortium:
        keys = {"slug", "name", "short_name", "vision", "description", "is_published", "members"}
        keys |= {"previous_round", "open_data", "open_data_licence", "open_data_contact"}
        keys |= {"figures_approved_on"}
        entry = self.mapping(entry, "consortium", keys, required=["slug", "name"])
        previous = None
        if entry.get("previous_round"):
            previous = Consortium.objects.filter(slug=entry["previous_round"]).first()
            if previous is None:
                problem = _(
                    "no consortium %(slug)s is loaded; load its file first (load_demo "
                    "data/sern.yaml data/sern-2023.yaml)."
                ) % {"slug": repr(entry["previous_round"])}
                raise self.fail(
                    "consortium", f"previous_round: {problem}", (entry, "previous_round")
                )
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
                "open_data": bool(entry.get("open_data", False)),
                "open_data_licence": entry.get("open_data_licence") or OpenDataLicence.CC_BY_4_0,
                "open_data_contact": entry.get("open_data_contact") or "",
                "previous_round": previous,
                "figures_approved_on": self.date(entry, "figures_approved_on", "consortium"),
            },
            source=entry,
        )
        for index, member in enumerate(self.items(entry.get("members"), "consortium.members")):
            label = f"consortium.members[{index}]"
            member = self.mapping(member, label, {"city", "role"}, required=["city"])
            self.once(_("member city"), member["city"], label, (member, "city"))
            self.sync(
                Membership,
                label,
                {
                    "consortium": consortium,
                    "city": self.city(member["city"], label, (member, "city")),
                },
                {"role": member.get("role") or Membership.Role.MEMBER},
                source=member,
            )
        return consortium

    def load_ambition_statements(self, entries: Any, consortium: Consortium) -> dict:
        statements = {}
        for index, entry in enumerate(self.items(entries, "ambition_statements")):
            label = f"ambition_statements[{index}]"
            entry = self.mapping(entry, label, {"number", "text"}, required=["number", "text"])
            what = _("ambition statement number")
            self.once(what, entry["number"], label, (entry, "number"))
            statements[entry["number"]] = self.sync(
                AmbitionStatement,
                label,
                {"consortium": consortium, "number": entry["number"]},
                {"text": entry["text"]},
                source=entry,
            )
        return statements

    def load_themes(self, entries: Any, consortium: Consortium) -> dict:
        themes = {}
        for index, entry in enumerate(self.items(entries, "themes")):
            label = f"themes[{index}]"
            entry = self.mapping(entry, label, {"slug", "name"}, required=["slug", "name"])
            self.once(_("theme slug"), entry["slug"], label, (entry, "slug"))
            themes[entry["slug"]] = self.sync(
                Theme,
                label,
                {"consortium": consortium, "slug": entry["slug"]},
                {"name": entry["name"]},
                source=entry,
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
        within = {"solution__consortium": consortium}
        self.prefetch(Solution, consortium.solutions.all(), ["consortium", "number"])
        self.prefetch(Activity, Activity.objects.filter(**within), ["solution", "code"])
        self.prefetch(KPI, KPI.objects.filter(**within), ["solution", "code"])
        references = FrameworkReference.objects.filter(kpi__solution__consortium=consortium)
        self.prefetch(FrameworkReference, references, ["kpi", "framework", "code"])
        for index, entry in enumerate(self.items(entries, "solutions")):
            label = f"solutions[{index}]"
            entry = self.mapping(entry, label, keys, required=["number", "title"])
            label = _("solution %(number)s") % {"number": entry["number"]}
            self.once(_("solution number"), entry["number"], label, (entry, "number"))
            for key, known, unknown in (
                ("theme", themes, _("unknown theme %(value)s (known: %(known)s).")),
                (
                    "ambition_statement",
                    statements,
                    _("unknown ambition statement %(value)s (known: %(known)s)."),
                ),
            ):
                chosen = entry.get(key)
                if chosen is not None and chosen not in known:
                    listed = ", ".join(map(str, known)) or _("none in this file")
                    problem = unknown % {"value": repr(chosen), "known": listed}
                    raise self.fail(
                        label, f"{key}: {problem}" + did_you_mean(chosen, known), (entry, key)
                    )
            values = {key: entry.get(key) or "" for key in text_keys}
            values.update(
                title=entry["title"],
                theme=themes.get(entry.get("theme")),
                ambition_statement=statements.get(entry.get("ambition_statement")),
                estimated_cost=self.decimal(entry, "estimated_cost", label),
            )
            solution = self.sync(
                Solution,
                label,
                {"consortium": consortium, "number": entry["number"]},
                values,
                source=entry,
            )
            self.load_solution_cities(entry, solution, label)
            self.load_activities(entry.get("activities"), solution, label)
            for kpi_index, kpi_entry in enumerate(self.items(entry.get("kpis"), label)):
                self.load_kpi(kpi_entry, solution, f"{label}.kpis[{kpi_index}]", parent=None)

    def load_solution_cities(self, entry: dict, solution: Solution, label: str) -> None:
        """Lead and implementing cities, checked by the rule the admin's form asks too."""
        chosen = {}
        for key in ("lead_cities", "implementing_cities"):
            slugs = self.items(entry.get(key), label, (entry, key))
            chosen[key] = [
                self.city(slug, label, (slugs, index)) for index, slug in enumerate(slugs)
            ]
        errors = solution_city_errors(
            solution.consortium, chosen["lead_cities"], chosen["implementing_cities"]
        )
        for key, messages in errors.items():
            problem = " ".join(str(message) for error in messages for message in error)
            raise self.fail(label, f"{key}: {problem}", (entry, key))
        for key, cities in chosen.items():
            self.sync_m2m(getattr(solution, key), cities, f"{label} {key}")

    def sync_m2m(self, manager, wanted: list, label: str) -> None:
        current = set(manager.values_list("pk", flat=True))
        if current != {item.pk for item in wanted}:
            manager.set(wanted)
            names = _("solution city list"), _("solution city lists")
            self.report.record(names, not current, label)

    def load_activities(self, entries: Any, solution: Solution, parent_label: str) -> None:
        keys = {"code", "title", "description", "work_days_per_city", "resources"}
        keys |= {"planned_start", "planned_end", "status"}
        for index, entry in enumerate(self.items(entries, f"{parent_label}.activities")):
            label = f"{parent_label}.activities[{index}]"
            entry = self.mapping(entry, label, keys, required=["code", "title"])
            label = _("activity %(code)s") % {"code": entry["code"]}
            self.once(_("activity code"), entry["code"], label, (entry, "code"), parent_label)
            self.sync(
                Activity,
                label,
                {"solution": solution, "code": str(entry["code"])},
                {
                    "title": entry["title"],
                    "description": entry.get("description") or "",
                    "work_days_per_city": self.decimal(entry, "work_days_per_city", label),
                    "resources": entry.get("resources") or "",
                    "planned_start": self.date(entry, "planned_start", label),
                    "planned_end": self.date(entry, "planned_end", label),
                    "status": entry.get("status") or Activity.Status.PLANNED,
                },
                source=entry,
            )

    def load_kpi(self, entry: Any, solution: Solution, label: str, parent: KPI | None) -> None:
        allowed = KPI_KEYS - {"parts"} if parent else KPI_KEYS
        if isinstance(entry, dict) and entry.get("code"):
            label = f"KPI {entry['code']}"
        entry = self.mapping(entry, label, allowed, required=["code", "name"])
        code = str(entry["code"])
        label = f"KPI {code}"
        self.once(_("KPI code"), code, label, (entry, "code"))
        values = {
            key: entry.get(key) or ""
            for key in ("unit", "target_text", "method", "data_source", "means_of_verification")
        }
        values.update(
            parent=parent,
            name=entry["name"],
            value_type=entry.get("value_type") or KPI.ValueType.COUNT,
            target_value=self.decimal(entry, "target_value", label),
            target_basis=entry.get("target_basis") or KPI.TargetBasis.ABSOLUTE,
            target_scope=entry.get("target_scope") or KPI.TargetScope.CITY,
            direction=entry.get("direction") or KPI.Direction.HIGHER,
            reporting_level=entry.get("reporting_level") or KPI.ReportingLevel.CITY,
            rollup=entry.get("rollup") or KPI.Rollup.SUM,
        )
        kpi = self.sync(KPI, label, {"solution": solution, "code": code}, values, source=entry)
        self.kpis[code] = kpi
        warning = target_text_warning(kpi)
        if warning:
            self.warn(label, warning, (entry, "target_text"))
        for index, ref in enumerate(self.items(entry.get("framework_refs"), label)):
            ref_label = f"{label}.framework_refs[{index}]"
            ref = self.mapping(
                ref, ref_label, {"framework", "code", "label"}, required=["framework", "code"]
            )
            reference = f"{ref['framework']} {ref['code']}"
            self.once(_("framework reference"), reference, ref_label, (ref, "code"), label)
            self.sync(
                FrameworkReference,
                ref_label,
                {"kpi": kpi, "framework": ref["framework"], "code": str(ref["code"])},
                {"label": ref.get("label") or ""},
                source=ref,
            )
        for index, part in enumerate(self.items(entry.get("parts"), label)):
            self.load_kpi(part, solution, f"{label}.parts[{index}]", parent=kpi)

    def load_measurements(self, entries: Any, consortium: Consortium) -> None:
        keys = {"kpi", "city", "stage", "status", "value", "boolean", "text", "reason", "note"}
        keys |= {"as_of", "evidence_url", "review_state"}
        if not entries:
            return
        # What each figure's checks ask of its KPI, read once for all of them.
        prefetch_related_objects(list(self.kpis.values()), "parts", "solution__implementing_cities")
        figures = Measurement.objects.filter(kpi__solution__consortium=consortium)
        self.prefetch(Measurement, figures, ["kpi", "city", "stage"])
        for index, entry in enumerate(self.items(entries, "measurements")):
            label = f"measurements[{index}]"
            entry = self.mapping(entry, label, keys, required=["kpi", "stage"])
            code = str(entry["kpi"])
            unit = entry.get("city") or _("consortium")
            label = f"{label} (KPI {code}, {unit}, {entry['stage']})"
            kpi = self.kpis.get(code)
            if kpi is None:
                problem = _("unknown KPI code %(code)s.") % {"code": repr(code)}
                raise self.fail(label, problem + did_you_mean(code, self.kpis), (entry, "kpi"))
            if kpi.parts.exists():
                problem = _("KPI %(code)s is composite: report its parts instead")
                raise self.fail(label, problem % {"code": code}, (entry, "kpi"))
            city = self.city(entry["city"], label, (entry, "city")) if entry.get("city") else None
            if (kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM) != (city is None):
                if city:
                    problem = _("KPI %(code)s is reported with no city")
                else:
                    problem = _("KPI %(code)s is reported with a city")
                raise self.fail(label, problem % {"code": code}, entry)
            if city is not None and city not in kpi.solution.implementing_cities.all():
                problem = _("%(city)s does not implement solution %(number)s") % {
                    "city": city,
                    "number": kpi.solution.number,
                }
                raise self.fail(label, problem, (entry, "city"))
            unit = city.slug if city is not None else _("consortium")
            figure = f"KPI {code}, {unit}, {entry['stage']}"
            self.once(_("measurement"), figure, label, entry)
            boolean = entry.get("boolean")
            if boolean is not None and not isinstance(boolean, bool):
                problem = "boolean: " + not_true_or_false(boolean)
                raise self.fail(label, problem, (entry, "boolean"))
            self.sync(
                Measurement,
                label,
                {"kpi": kpi, "city": city, "stage": entry["stage"]},
                {
                    "status": entry.get("status") or Measurement.Status.REPORTED,
                    "value": self.decimal(entry, "value", label),
                    "boolean_value": boolean,
                    "text_value": entry.get("text") or "",
                    "reason": entry.get("reason") or "",
                    "note": entry.get("note") or "",
                    "evidence_url": entry.get("evidence_url") or "",
                    "as_of": self.date(entry, "as_of", label),
                    # Figures published in a deliverable were approved by the consortium.
                    "review_state": entry.get("review_state") or Measurement.ReviewState.APPROVED,
                },
                source=entry,
                keys=MEASUREMENT_KEYS,
            )
