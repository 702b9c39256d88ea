"""Personas made the same way wherever their world is built (tests/conftest.py names them
and says who may do what): a coordinator of one or more cities, a steering committee
member, a partner. One name, one person in one world.

The SERN demo world's are made by name wherever the demo data is loaded, the test database
of the ``sern`` fixture or a live server's: ``sern-coord-<city>``, ``sern-steering``,
``sern-partner``. Without ``password`` a SERN persona has the factory's; browser tests that
sign in through the login page give their own. ``**user`` is passed to the user factory
(``password=None`` for a persona who never types one)."""

from __future__ import annotations


def coordinator(username: str, *cities, **user):
    """Coordinates ``cities``: enters their figures and reads their drafts."""
    from tests.cities.factories import CityCoordinatorFactory, UserFactory

    person = UserFactory(username=username, **user)
    for city in cities:
        CityCoordinatorFactory(user=person, city=city)
    return person


def steering(username: str, consortium, **user):
    """Sits on ``consortium``'s steering committee: reads every figure, reviews stages."""
    from tests.cities.factories import SteeringCommitteeMemberFactory, UserFactory

    person = UserFactory(username=username, **user)
    SteeringCommitteeMemberFactory(user=person, consortium=consortium)
    return person


def partner(username: str, consortium, **user):
    """A partner of ``consortium``: reads its approved figures only."""
    from tests.cities.factories import PartnerFactory, UserFactory

    person = UserFactory(username=username, **user)
    PartnerFactory(user=person, consortium=consortium)
    return person


def _password(password: str | None) -> dict:
    return {"password": password} if password else {}


def _sern():
    from cities.models import Consortium

    return Consortium.objects.get(slug="sern")


def sern_coordinator(slug: str, password: str | None = None):
    """Coordinates SERN's city ``slug``."""
    from cities.models import City

    return coordinator(f"sern-coord-{slug}", City.objects.get(slug=slug), **_password(password))


def sern_steering(password: str | None = None):
    return steering("sern-steering", _sern(), **_password(password))


def sern_partner(password: str | None = None):
    return partner("sern-partner", _sern(), **_password(password))
