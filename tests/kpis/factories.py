from decimal import Decimal

import factory

from kpis.models import KPI, Measurement, StageReview
from tests.solutions.factories import SolutionFactory


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    solution = factory.SubFactory(SolutionFactory)
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    name = "Number of involved departments"
    unit = "departments"
    value_type = KPI.ValueType.COUNT
    target_value = Decimal("2")
    target_scope = KPI.TargetScope.CITY


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KPIFactory)
    city = None
    stage = "final"
    status = Measurement.Status.REPORTED
    value = Decimal("1")
    review_state = Measurement.ReviewState.APPROVED


class StageReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageReview

    consortium = factory.SubFactory("tests.cities.factories.ConsortiumFactory")
    city = None
    stage = "final"
    state = StageReview.State.DRAFT
