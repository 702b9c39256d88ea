import datetime

import factory

from roadmaps.models import GovernanceBody, Phase, ThreeYearPlan
from tests.cities.factories import CityFactory, ConsortiumFactory


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    consortium = factory.SubFactory(ConsortiumFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "Implementation"
    start = datetime.date(2021, 5, 1)
    end = datetime.date(2022, 7, 31)


class GovernanceBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceBody

    consortium = factory.SubFactory(ConsortiumFactory)
    level = GovernanceBody.Level.TRANSNATIONAL
    name = "Steering Committee"


class ThreeYearPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThreeYearPlan

    consortium = factory.SubFactory(ConsortiumFactory)
    city = factory.SubFactory(CityFactory)
    ambition = "A well developed capacity to capture the possibilities of digitalisation"
