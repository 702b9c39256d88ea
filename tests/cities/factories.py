import factory
from django.contrib.auth import get_user_model

from cities.models import (
    City,
    CityCoordinator,
    Consortium,
    Membership,
    Partner,
    Programme,
    SteeringCommitteeMember,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = "IT"
    population = 50_000


class ConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consortium

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Consortium {n}")
    slug = factory.Sequence(lambda n: f"consortium-{n}")
    is_published = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    consortium = factory.SubFactory(ConsortiumFactory)
    city = factory.SubFactory(CityFactory)
    role = Membership.Role.MEMBER


class CityCoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityCoordinator

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)


class SteeringCommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SteeringCommitteeMember

    user = factory.SubFactory(UserFactory)
    consortium = factory.SubFactory(ConsortiumFactory)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    user = factory.SubFactory(UserFactory)
    consortium = factory.SubFactory(ConsortiumFactory)
