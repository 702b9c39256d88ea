"""Every invariant a user could break is refused by the database itself, not only by forms."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cities.models import City, Membership
from kpis.models import KPI, Measurement
from roadmaps.models import GovernanceBody, Phase, PlanTarget, ThreeYearPlan
from solutions.models import Activity, Solution
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.roadmaps.factories import PhaseFactory, ThreeYearPlanFactory
from tests.solutions.factories import ActivityFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def refused(create, *args, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        create(*args, **kwargs)


# -- cities -----------------------------------------------------------------------


def test_city_population_cannot_be_negative():
    refused(City.objects.create, name="X", slug="x", country="IT", population=-1)


def test_city_country_must_be_iso_alpha2():
    refused(City.objects.create, name="X", slug="x", country="it")
    refused(City.objects.create, name="Y", slug="y", country="I1")


def test_city_slug_is_unique():
    CityFactory(slug="ravenna")
    refused(City.objects.create, name="Ravenna 2", slug="ravenna", country="IT")


def test_city_population_year_must_be_plausible():
    refused(City.objects.create, name="X", slug="x", country="IT", population_year=22)


def test_city_is_member_of_a_consortium_once():
    membership = MembershipFactory()
    refused(
        Membership.objects.create,
        consortium=membership.consortium,
        city=membership.city,
        role="mentor",
    )


def test_membership_role_must_be_known():
    refused(
        Membership.objects.create,
        consortium=ConsortiumFactory(),
        city=CityFactory(),
        role="boss",
    )


# -- solutions ----------------------------------------------------------------------


def test_solution_number_is_unique_in_a_consortium():
    solution = SolutionFactory(number=1)
    refused(Solution.objects.create, consortium=solution.consortium, number=1, title="Again")


def test_solution_cost_cannot_be_negative():
    refused(
        Solution.objects.create,
        consortium=ConsortiumFactory(),
        number=1,
        title="X",
        estimated_cost=Decimal("-1"),
    )


def test_activity_code_is_unique_in_a_solution():
    activity = ActivityFactory(code="1.1")
    refused(Activity.objects.create, solution=activity.solution, code="1.1", title="Again")


def test_activity_cannot_end_before_it_starts():
    refused(
        Activity.objects.create,
        solution=SolutionFactory(),
        code="1.1",
        title="X",
        planned_start=datetime.date(2022, 1, 2),
        planned_end=datetime.date(2022, 1, 1),
    )


def test_activity_work_days_cannot_be_negative():
    refused(
        Activity.objects.create,
        solution=SolutionFactory(),
        code="1.1",
        title="X",
        work_days_per_city=Decimal("-3"),
    )


def test_activity_status_must_be_known():
    refused(Activity.objects.create, solution=SolutionFactory(), code="1.1", title="X", status="?")


# -- KPIs ---------------------------------------------------------------------------


def test_kpi_code_is_unique_in_a_solution():
    kpi = KPIFactory(code="2.2")
    refused(KPI.objects.create, solution=kpi.solution, code="2.2", name="Again")


def test_kpi_target_cannot_be_negative():
    refused(KPI.objects.create, solution=SolutionFactory(), code="1", name="X", target_value=-2)


def test_percent_kpi_target_cannot_exceed_100():
    refused(
        KPI.objects.create,
        solution=SolutionFactory(),
        code="1",
        name="X",
        value_type="percent",
        target_value=Decimal("120"),
    )


def test_text_kpi_has_no_numeric_target():
    refused(
        KPI.objects.create,
        solution=SolutionFactory(),
        code="1",
        name="X",
        value_type="text",
        target_value=Decimal("4"),
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("value_type", "colour"),
        ("target_scope", "planet"),
        ("direction", "sideways"),
        ("reporting_level", "region"),
        ("rollup", "median"),
    ],
)
def test_kpi_choices_are_enforced(field, value):
    refused(KPI.objects.create, solution=SolutionFactory(), code="1", name="X", **{field: value})


def test_consortium_reported_kpi_has_consortium_target():
    refused(
        KPI.objects.create,
        solution=SolutionFactory(),
        code="3.1",
        name="Meetings",
        reporting_level="consortium",
        target_scope="city",
    )


# -- measurements -------------------------------------------------------------------


def test_one_measurement_per_kpi_city_and_stage():
    measurement = MeasurementFactory(city=CityFactory())
    refused(
        Measurement.objects.create,
        kpi=measurement.kpi,
        city=measurement.city,
        stage=measurement.stage,
        status="reported",
        value=2,
    )


def test_one_consortium_level_measurement_per_kpi_and_stage():
    kpi = KPIFactory(reporting_level="consortium", target_scope="consortium")
    MeasurementFactory(kpi=kpi, city=None, stage="final")
    refused(
        Measurement.objects.create, kpi=kpi, city=None, stage="final", status="reported", value=3
    )


def test_same_kpi_may_be_measured_at_each_stage_and_city():
    kpi = KPIFactory()
    city_a, city_b = CityFactory(), CityFactory()
    for stage in ("baseline", "midway", "final"):
        MeasurementFactory(kpi=kpi, city=city_a, stage=stage)
        MeasurementFactory(kpi=kpi, city=city_b, stage=stage)
    assert Measurement.objects.count() == 6


def test_stage_must_exist():
    refused(
        Measurement.objects.create, kpi=KPIFactory(), stage="halfway", status="reported", value=1
    )


@pytest.mark.parametrize("status", ["not_available", "not_applicable", "not_reported"])
def test_value_only_when_status_says_reported(status):
    refused(
        Measurement.objects.create,
        kpi=KPIFactory(),
        city=CityFactory(),
        stage="final",
        status=status,
        reason="Data not collected",
        value=Decimal("0"),
    )


def test_text_answer_only_when_reported():
    refused(
        Measurement.objects.create,
        kpi=KPIFactory(),
        city=CityFactory(),
        stage="final",
        status="not_reported",
        text_value="Draft plans in development",
    )


def test_reported_measurement_has_an_answer():
    refused(
        Measurement.objects.create,
        kpi=KPIFactory(),
        city=CityFactory(),
        stage="final",
        status="reported",
    )


def test_not_available_needs_a_reason():
    refused(
        Measurement.objects.create,
        kpi=KPIFactory(),
        city=CityFactory(),
        stage="final",
        status="not_available",
    )


def test_evidence_link_must_be_http():
    refused(
        Measurement.objects.create,
        kpi=KPIFactory(),
        city=CityFactory(),
        stage="final",
        status="reported",
        value=1,
        evidence_url="javascript:alert(1)",
    )


def test_measurement_version_starts_at_one():
    refused(
        Measurement.objects.create,
        kpi=KPIFactory(),
        city=CityFactory(),
        stage="final",
        status="reported",
        value=1,
        version=0,
    )


def test_measurement_of_a_kpi_in_use_cannot_be_deleted_with_the_kpi():
    measurement = MeasurementFactory(city=CityFactory())
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        measurement.kpi.delete()


# -- roadmaps -----------------------------------------------------------------------


def test_phase_cannot_end_before_it_starts():
    refused(
        Phase.objects.create,
        consortium=ConsortiumFactory(),
        number=1,
        name="X",
        start=datetime.date(2021, 2, 1),
        end=datetime.date(2021, 1, 1),
    )


def test_phase_number_is_unique_in_a_consortium():
    phase = PhaseFactory(number=1)
    refused(
        Phase.objects.create,
        consortium=phase.consortium,
        number=1,
        name="Again",
        start=phase.start,
        end=phase.end,
    )


def test_city_governance_body_names_its_city():
    refused(
        GovernanceBody.objects.create,
        consortium=ConsortiumFactory(),
        level="city",
        name="Steering Committee",
    )


def test_one_three_year_plan_per_city_and_consortium():
    plan = ThreeYearPlanFactory()
    refused(
        ThreeYearPlan.objects.create, consortium=plan.consortium, city=plan.city, ambition="Again"
    )


def test_plan_target_number_is_unique_in_a_plan():
    plan = ThreeYearPlanFactory()
    PlanTarget.objects.create(plan=plan, number=1, category="Digital maturity")
    refused(PlanTarget.objects.create, plan=plan, number=1, category="Communication")


def test_every_constraint_says_what_it_refuses_in_words_and_names_its_field():
    """When a constraint fires (in validation or in the database), people read a translated
    sentence beside a field, never Django's "Constraint “…” is violated."."""
    from django.apps import apps
    from django.core.exceptions import NON_FIELD_ERRORS

    from icc_portal.validation import blamed_field

    silent, unplaced = [], []
    for app_label in ("cities", "solutions", "kpis", "roadmaps"):
        for model in apps.get_app_config(app_label).get_models():
            for constraint in model._meta.constraints:
                message = constraint.violation_error_message
                if message is None or message == constraint.default_violation_error_message:
                    silent.append(constraint.name)
                if blamed_field(model, constraint) == NON_FIELD_ERRORS:
                    unplaced.append(constraint.name)
    assert not silent, f"constraints without a message of their own: {silent}"
    assert not unplaced, f"constraints reported on no field: {unplaced}"


def test_a_database_refusal_is_read_back_as_the_constraints_sentence():
    from icc_portal.validation import constraint_refusal

    solution = SolutionFactory()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        KPI.objects.create(
            solution=solution, code="1.1", name="X", value_type="text", target_value=Decimal("3")
        )
    refusal = constraint_refusal(error.value)
    assert (refusal.model, refusal.field) == (KPI, "target_value")
    assert refusal.message == (
        "Target value: a yes/no or text KPI has no target value; leave it empty."
    )

    KPIFactory(solution=solution, code="1.2")
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        KPI.objects.create(solution=solution, code="1.2", name="Again")
    refusal = constraint_refusal(error.value)
    assert (refusal.field, refusal.message) == (
        "code",
        "Code: the solution already has a KPI with this code.",
    )
