import factory

from solutions.models import Activity, AmbitionStatement, Solution, Theme
from tests.cities.factories import ConsortiumFactory


class AmbitionStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AmbitionStatement

    consortium = factory.SubFactory(ConsortiumFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "To define a plan in each municipality"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    consortium = factory.SubFactory(ConsortiumFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution
        skip_postgeneration_save = True

    consortium = factory.SubFactory(ConsortiumFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Solution {n}")

    @factory.post_generation
    def implementing_cities(self, create, cities, **kwargs):
        if create and cities:
            self.implementing_cities.set(cities)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    solution = factory.SubFactory(SolutionFactory)
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    title = "Work groups established"
