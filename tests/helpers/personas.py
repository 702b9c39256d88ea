"""The SERN demo world's personas (tests/conftest.py describes them), made the same way
wherever the demo data is loaded: the test database of the ``sern`` fixture, or a live
server's. One name, one person: ``sern-coord-<city>``, ``sern-steering``, ``sern-partner``.

Without ``password`` a persona has the factory's; browser tests that sign in through the
login page give their own."""

from __future__ import annotations


def _user(username: str, password: str | None):
    from tests.cities.factories import UserFactory

    return UserFactory(username=username, **({"password": password} if password else {}))


def sern_coordinator(slug: str, password: str | None = None):
    """Coordinates SERN's city ``slug``: writes its figures and reads its drafts."""
    from cities.models import City
    from tests.cities.factories import CityCoordinatorFactory

    user = _user(f"sern-coord-{slug}", password)
    CityCoordinatorFactory(user=user, city=City.objects.get(slug=slug))
    return user


def sern_steering(password: str | None = None):
    """Sits on SERN's steering committee: reads every SERN figure and reviews stages."""
    from cities.models import Consortium
    from tests.cities.factories import SteeringCommitteeMemberFactory

    user = _user("sern-steering", password)
    SteeringCommitteeMemberFactory(user=user, consortium=Consortium.objects.get(slug="sern"))
    return user


def sern_partner(password: str | None = None):
    """A SERN partner: reads approved figures only."""
    from cities.models import Consortium
    from tests.cities.factories import PartnerFactory

    user = _user("sern-partner", password)
    PartnerFactory(user=user, consortium=Consortium.objects.get(slug="sern"))
    return user
