"""Build a large consortium for the speed benchmark and the query-count tests.

Everything is written with ``bulk_create`` in one transaction: cities, memberships,
solutions with activities and KPIs of every kind the portal knows (per-city,
per-country and consortium-wide targets, a consortium-reported KPI, percentages,
lower-is-better, yes/no and text answers), measurements at all three stages with
every status and review state, and a roadmap. The figures come from a seeded
random generator, so two runs with the same options build the same data.

Run again, it leaves an existing consortium of that slug alone; ``--replace``
deletes it (and its cities) and builds it anew. Bulk-created measurements have no
history rows: the benchmark data is not an audit trail.

``--programme`` builds a programme instead, at the EU Cities Mission's scale by default:
112 cities in 12 consortia (``--cities``, ``--consortia``), each consortium one such as
above (``<slug>-01``…, in the programme ``<slug>-programme``), every fifth KPI of each
solution carrying a CITYkeys code all consortia share, so the programme page has one
table per code to compare them by.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from changelog import log as changelog
from cities.models import City, Consortium, Membership, Programme
from kpis.models import KPI, FrameworkReference, Measurement
from kpis.vocabulary import ReportingStage
from roadmaps.models import (
    Commitment,
    GovernanceBody,
    GovernanceRole,
    Lesson,
    Phase,
    PlanTarget,
    ThreeYearPlan,
)
from solutions.models import Activity, Solution

COUNTRIES = ["IT", "SE", "ES", "FR", "DE", "PT", "PL", "NL", "BE", "FI"]
BATCH = 2000

# One KPI kind per position, cycling: (value type, target, scope, direction, roll-up,
# reporting level). Mostly per-city counts, as in real charters.
KPI_KINDS = [
    ("count", "4", "city", "higher", "count_met", "city"),
    ("count", "10", "city", "higher", "sum", "city"),
    ("count", "2", "country", "higher", "sum", "city"),
    ("count", "40", "consortium", "higher", "sum", "city"),
    ("percent", "60", "city", "higher", "mean", "city"),
    ("number", "20", "city", "lower", "mean", "city"),
    ("boolean", None, "city", "higher", "all", "city"),
    ("text", None, "city", "higher", "none", "city"),
    ("count", "6", "consortium", "higher", "sum", "consortium"),
    ("count", "3", "city", "higher", "count_met", "city"),
]


class Command(BaseCommand):
    help = (
        "Build a large benchmark consortium (default: 200 cities, 5 solutions × 20 KPIs, "
        "all three stages) with bulk inserts. Leaves an existing one alone unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cities", type=int, default=None, help="200 for a consortium, 112 for a programme"
        )
        parser.add_argument(
            "--programme",
            action="store_true",
            help="build a programme of --consortia consortia sharing the --cities cities",
        )
        parser.add_argument("--consortia", type=int, default=12, help="with --programme")
        parser.add_argument("--solutions", type=int, default=5)
        parser.add_argument("--kpis", type=int, default=20, help="KPIs per solution")
        parser.add_argument("--slug", default="bench", help="the consortium's slug")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--replace", action="store_true", help="delete an existing consortium of that slug"
        )

    def handle(self, *args, cities, solutions, kpis, slug, seed, replace, **options):
        if options["programme"]:
            cities = 112 if cities is None else cities
            self.handle_programme(
                cities, options["consortia"], solutions, kpis, slug, seed, replace
            )
            return
        cities = 200 if cities is None else cities
        if min(cities, solutions, kpis) < 1:
            raise CommandError("--cities, --solutions and --kpis must be at least 1.")
        with transaction.atomic(), changelog.batch():
            if Consortium.objects.filter(slug=slug).exists():
                if not replace:
                    self.stdout.write(f"Consortium {slug!r} exists; use --replace to rebuild it.")
                    return
                delete_bench_consortium(slug)
            counts = build_bench_consortium(
                slug=slug, cities=cities, solutions=solutions, kpis=kpis, seed=seed
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Consortium {slug!r}: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
            )
        )

    def handle_programme(self, cities, consortia, solutions, kpis, slug, seed, replace):
        if min(solutions, kpis, consortia) < 1 or cities < consortia:
            raise CommandError(
                "--solutions, --kpis and --consortia must be at least 1, --cities at least "
                "--consortia."
            )
        with transaction.atomic(), changelog.batch():
            programme = Programme.objects.filter(slug=f"{slug}-programme").first()
            if programme is not None:
                if not replace:
                    self.stdout.write(f"Programme {programme.slug!r} exists; use --replace.")
                    return
                for consortium_slug in programme.consortia.values_list("slug", flat=True):
                    delete_bench_consortium(consortium_slug)
            counts = build_bench_programme(
                slug=slug,
                cities=cities,
                consortia=consortia,
                solutions=solutions,
                kpis=kpis,
                seed=seed,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Programme {slug}-programme: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
            )
        )


def build_bench_programme(
    *, slug: str, cities: int, consortia: int, solutions: int, kpis: int, seed: int = 2026
) -> dict[str, int]:
    """``consortia`` benchmark consortia sharing ``cities`` cities (as evenly as they go) in
    one programme; every fifth KPI of each solution (1, 6, 11…) carries the CITYkeys code
    ``BENCH-<solution>.<number>`` in every consortium."""
    programme = Programme.objects.create(
        slug=f"{slug}-programme",
        name=f"Benchmark programme ({slug})",
        description="A generated programme for measuring how the programme view scales.",
    )
    totals: Counter = Counter(consortia=consortia)
    for index in range(consortia):
        size = cities // consortia + (1 if index < cities % consortia else 0)
        totals.update(
            build_bench_consortium(
                slug=f"{slug}-{index + 1:02d}",
                cities=size,
                solutions=solutions,
                kpis=kpis,
                seed=seed + index,
                programme=programme,
            )
        )
    shared = KPI.objects.filter(solution__consortium__programme=programme).select_related(
        "solution"
    )
    references = FrameworkReference.objects.bulk_create(
        FrameworkReference(
            kpi=kpi,
            framework=FrameworkReference.Framework.CITYKEYS,
            code=f"BENCH-{kpi.code}",
            label=f"Generated indicator {kpi.code}",
        )
        for kpi in shared
        if int(kpi.code.split(".")[1]) % 5 == 1
    )
    changelog.record_definition()
    analyze()
    totals["framework references"] = len(references)
    return dict(totals)


def delete_bench_consortium(slug: str) -> None:
    consortium = Consortium.objects.get(slug=slug)
    city_ids = list(consortium.memberships.values_list("city_id", flat=True))
    Measurement.objects.filter(kpi__solution__consortium=consortium).delete()
    Measurement.history.filter(kpi__solution__consortium=consortium).delete()
    programme = consortium.programme
    consortium.delete()
    City.objects.filter(pk__in=city_ids, slug__startswith=f"{slug}-").delete()
    if not programme.consortia.exists():
        programme.delete()


def build_bench_consortium(
    *,
    slug: str,
    cities: int,
    solutions: int,
    kpis: int,
    seed: int = 2026,
    programme: Programme | None = None,
) -> dict[str, int]:
    """One benchmark consortium; in ``programme`` (whose builder analyzes once at the end),
    else in a programme of its own."""
    rng = random.Random(seed)
    in_programme = programme is not None
    if programme is None:
        programme, _ = Programme.objects.get_or_create(
            slug=f"{slug}-programme", defaults={"name": f"Benchmark programme ({slug})"}
        )
    consortium = Consortium.objects.create(
        programme=programme,
        name=f"Benchmark consortium ({slug})",
        short_name=slug.upper()[:40],
        slug=slug,
        vision="A generated consortium for measuring how the portal scales.",
        is_published=True,
    )
    city_objects = City.objects.bulk_create(
        City(
            name=f"Bench City {number:04d}",
            slug=f"{slug}-city-{number:04d}",
            country=COUNTRIES[number % len(COUNTRIES)],
            population=rng.randint(10_000, 900_000),
            population_year=2023,
        )
        for number in range(1, cities + 1)
    )
    Membership.objects.bulk_create(
        Membership(
            consortium=consortium,
            city=city,
            role=Membership.Role.LEAD if index == 0 else Membership.Role.MEMBER,
        )
        for index, city in enumerate(city_objects)
    )
    solution_objects = Solution.objects.bulk_create(
        Solution(
            consortium=consortium,
            number=number,
            title=f"Generated solution {number}",
            what="What the solution does, in a sentence or two.",
            why="Why the consortium needs it.",
            expected_impact="The impact the consortium expects, and when.",
            working_team="A working team per city.",
            risks_and_mitigation="Risks, and how the consortium means to handle them.",
            funding_source="Internal resources",
            estimated_cost=Decimal(rng.randint(10, 500) * 1000),
        )
        for number in range(1, solutions + 1)
    )
    # Every seventh city (shifted by solution) does not implement a solution: no cell.
    implementing = {
        solution.pk: [city for index, city in enumerate(city_objects) if (index + number) % 7 != 0]
        for number, solution in enumerate(solution_objects, start=1)
    }
    through = Solution.implementing_cities.through
    through.objects.bulk_create(
        through(solution_id=solution_id, city_id=city.pk)
        for solution_id, members in implementing.items()
        for city in members
    )
    Solution.lead_cities.through.objects.bulk_create(
        Solution.lead_cities.through(solution_id=solution.pk, city_id=city_objects[0].pk)
        for solution in solution_objects
    )
    statuses = list(Activity.Status)
    Activity.objects.bulk_create(
        Activity(
            solution=solution,
            code=f"{solution.number}.{number}",
            title=f"Generated activity {solution.number}.{number}",
            work_days_per_city=Decimal(rng.randint(1, 30)),
            resources="Staff work days per city",
            planned_start=datetime.date(2021, 1 + number % 12, 1),
            planned_end=datetime.date(2022, 1 + number % 12, 28),
            status=statuses[number % len(statuses)],
        )
        for solution in solution_objects
        for number in range(1, 6)
    )
    kpi_objects = KPI.objects.bulk_create(
        _kpi(solution, number) for solution in solution_objects for number in range(1, kpis + 1)
    )
    measurements = _measurements(kpi_objects, implementing, rng)
    for start in range(0, len(measurements), BATCH):
        created = Measurement.objects.bulk_create(measurements[start : start + BATCH])
        # bulk_create sends no signals: the change log is told here.
        changelog.record_figures(
            changelog.FigureState(m.pk, "created", m.kpi_id, m.city_id, m.review_state)
            for m in created
        )
    changelog.record_definition()
    _roadmap(consortium, city_objects)
    if not in_programme:
        analyze()
    return {
        "cities": len(city_objects),
        "solutions": len(solution_objects),
        "KPIs": len(kpi_objects),
        "measurements": len(measurements),
    }


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as a database does on its own
    in time; without them SQLite reads a small consortium's figures through the stage
    index, all 45,000 rows of it."""
    if connection.vendor in ("sqlite", "postgresql"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _kpi(solution: Solution, number: int) -> KPI:
    value_type, target, scope, direction, rollup, level = KPI_KINDS[(number - 1) % len(KPI_KINDS)]
    return KPI(
        solution=solution,
        code=f"{solution.number}.{number}",
        name=f"Generated indicator {solution.number}.{number} ({value_type}, {scope} target)",
        unit="%" if value_type == "percent" else "items",
        value_type=value_type,
        target_value=Decimal(target) if target else None,
        target_scope=scope,
        target_text=f"{target} ({scope})" if target else "",
        direction=direction,
        rollup=rollup,
        reporting_level=level,
        method="How the figure is counted.",
        data_source="Municipal records.",
    )


STAGE_SHARE = {
    ReportingStage.BASELINE: Decimal("0.2"),
    ReportingStage.MIDWAY: Decimal("0.6"),
    ReportingStage.FINAL: 1,
}


def _measurements(kpi_objects, implementing, rng: random.Random) -> list[Measurement]:
    measurements = []
    for kpi in kpi_objects:
        units = (
            [None]
            if kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM
            else implementing[kpi.solution_id]
        )
        for city in units:
            for stage in ReportingStage.ordered():
                roll = rng.random()
                if roll < 0.04:
                    continue  # not yet reported: no row at all
                measurement = Measurement(kpi=kpi, city=city, stage=stage, version=1)
                if roll < 0.08:
                    measurement.status = Measurement.Status.NOT_AVAILABLE
                    measurement.reason = "No source for this figure yet."
                elif roll < 0.10:
                    measurement.status = Measurement.Status.NOT_APPLICABLE
                else:
                    measurement.status = Measurement.Status.REPORTED
                    _answer(measurement, kpi, stage, rng)
                    measurement.note = "Generated figure." if roll < 0.3 else ""
                measurement.review_state = (
                    Measurement.ReviewState.DRAFT
                    if roll > 0.97
                    else Measurement.ReviewState.SUBMITTED
                    if roll > 0.94
                    else Measurement.ReviewState.APPROVED
                )
                measurements.append(measurement)
    return measurements


def _answer(measurement: Measurement, kpi: KPI, stage: str, rng: random.Random) -> None:
    if kpi.value_type == KPI.ValueType.BOOLEAN:
        measurement.boolean_value = rng.random() < 0.3 + 0.3 * ReportingStage.position(stage)
    elif kpi.value_type == KPI.ValueType.TEXT:
        measurement.text_value = "A short qualitative answer about the progress made."
    elif kpi.value_type == KPI.ValueType.PERCENT:
        measurement.value = Decimal(rng.randint(0, 100))
    else:
        target = kpi.target_value or Decimal(5)
        if kpi.target_scope == KPI.TargetScope.CONSORTIUM and kpi.reporting_level == "city":
            target = Decimal(1)
        spread = float(target * STAGE_SHARE[stage]) * 1.6 + 1
        measurement.value = Decimal(rng.randint(0, int(spread)))


def _roadmap(consortium: Consortium, city_objects: list[City]) -> None:
    date = datetime.date
    phases = [
        ("Preparation & assessment", date(2021, 1, 1), date(2021, 5, 31), "baseline"),
        ("Ambition & roadmap", date(2021, 6, 1), date(2021, 9, 30), ""),
        ("Implementation", date(2021, 10, 1), date(2023, 3, 31), "midway"),
        ("Review & way forward", date(2023, 4, 1), date(2023, 6, 30), "final"),
    ]
    Phase.objects.bulk_create(
        Phase(
            consortium=consortium,
            number=number,
            name=name,
            start=start,
            end=end,
            measured_stage=stage,
            summary=f"What happens during {name.lower()}.",
        )
        for number, (name, start, end, stage) in enumerate(phases, start=1)
    )
    bodies = GovernanceBody.objects.bulk_create(
        [GovernanceBody(consortium=consortium, level="transnational", name="Steering Committee")]
        + [
            GovernanceBody(consortium=consortium, level="city", city=city, name="Core team")
            for city in city_objects
        ]
    )
    GovernanceRole.objects.bulk_create(
        GovernanceRole(body=body, role=role, position=position)
        for body in bodies
        for position, role in enumerate(["Coordinator", "Head of ICT", "Expert of tourism"])
    )
    Commitment.objects.bulk_create(
        Commitment(consortium=consortium, kind=kind, text=f"A {kind} commitment.", position=1)
        for kind in Commitment.Kind.values
    )
    plans = ThreeYearPlan.objects.bulk_create(
        ThreeYearPlan(
            consortium=consortium,
            city=city,
            ambition="What the city aims to achieve in three years.",
            steps="- A first step.\n- A second step.",
        )
        for city in city_objects
    )
    PlanTarget.objects.bulk_create(
        PlanTarget(plan=plan, number=number, category=category, commitment="We commit to it.")
        for plan in plans
        for number, category in enumerate(["Digital maturity", "Skills", "Communication"], 1)
    )
    Lesson.objects.bulk_create(
        Lesson(consortium=consortium, number=number, text=f"Lesson number {number}.")
        for number in range(1, 6)
    )
