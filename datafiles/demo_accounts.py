"""Demo accounts for trying the portal locally: created in debug mode only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from cities.models import City, CityCoordinator, Consortium, Partner, SteeringCommitteeMember

DEMO_CONSORTIUM = "sern"
COORDINATED_CITIES = ["ravenna", "cervia", "trollhattan", "vanersborg"]


class DemoAccountsRefused(Exception):
    pass


def ensure_demo_accounts() -> list[str]:
    """Create the demo accounts that do not exist yet and link them to their roles.

    Existing accounts keep their password, so running this twice changes nothing.
    Returns the usernames that were created.
    """
    if not settings.DEBUG:
        raise DemoAccountsRefused(
            "Demo accounts share a published password and are only created with DEBUG on."
        )
    consortium = Consortium.objects.filter(slug=DEMO_CONSORTIUM).first()
    if consortium is None:
        return []
    User = get_user_model()
    created: list[str] = []

    def account(username: str, **flags) -> object:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@example.org", **flags)
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
            created.append(username)
        return user

    account("admin", is_staff=True, is_superuser=True)
    cities = {city.slug: city for city in City.objects.filter(slug__in=COORDINATED_CITIES)}
    for slug in COORDINATED_CITIES:
        if slug in cities:
            user = account(f"coordinator-{slug}")
            CityCoordinator.objects.get_or_create(user=user, city=cities[slug])
    SteeringCommitteeMember.objects.get_or_create(user=account("steering"), consortium=consortium)
    Partner.objects.get_or_create(
        user=account("partner"),
        consortium=consortium,
        defaults={"organisation": "Demo partner"},
    )
    return created
