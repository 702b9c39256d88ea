"""Who may do what: the one place the web views and the API ask.

Roles (see DESIGN.md): a *city coordinator* enters and corrects figures for the
cities they coordinate; a *steering committee member* of a consortium sees every
figure of it and approves stages; a *partner* reads approved figures; an
*admin* (superuser) does everything; anonymous visitors read approved figures
of published consortia.

The role ids are read once per request and cached on the user object, which lives for
the request (the session's user, or the token's); every check after that is a set
lookup. Within a request they come from the shared cache, kept under the definitions'
version (:mod:`changelog.versions`): a role given or taken, a membership or a user's
superuser flag changed writes a definition row, so kept roles are never stale; only the
first request after such a change reads them (one query).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from changelog import kept, versions

from .models import (
    City,
    CityCoordinator,
    Consortium,
    Membership,
    Partner,
    SteeringCommitteeMember,
)


@dataclass(frozen=True, slots=True)
class Roles:
    """The ids of everything a user holds a role on."""

    coordinated_city_ids: frozenset[int]
    steering_consortium_ids: frozenset[int]
    approving_consortium_ids: frozenset[int]
    partner_consortium_ids: frozenset[int]
    coordinated_consortium_ids: frozenset[int]
    is_admin: bool

    @property
    def reader_consortium_ids(self) -> frozenset[int]:
        """Consortia the user belongs to in any role."""
        return (
            self.steering_consortium_ids
            | self.partner_consortium_ids
            | self.coordinated_consortium_ids
        )


NO_ROLES = Roles(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), False)


def roles_of(user) -> Roles:
    if user is None or not user.is_authenticated:
        return NO_ROLES
    cached = getattr(user, "_icc_roles", None)
    if cached is not None:
        return cached
    roles = _kept_roles(user)
    user._icc_roles = roles
    return roles


def _kept_roles(user) -> Roles:
    """The user's roles from the shared cache, under the request's definitions' version;
    outside a request, read (one query)."""
    known = versions.request_versions()
    if known is None:
        return _read_roles(user)
    key = kept.key("roles", known.definitions.position, user.pk)
    return kept.kept(key, lambda: _read_roles(user))


@cache
def _roles_sql() -> str:
    """The four role tables as one ``UNION ALL`` of (kind, id, may approve) rows: plain SQL
    built once, as it runs on every signed-in request."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    coordinator, steering = table(CityCoordinator), table(SteeringCommitteeMember)
    user = column(CityCoordinator, "user")
    city = column(CityCoordinator, "city")
    coordinated = f"SELECT {city} FROM {coordinator} WHERE {user} = %s"
    return " UNION ALL ".join(
        [
            f"SELECT 'city', {city}, 0 FROM {coordinator} WHERE {user} = %s",
            f"SELECT 'steering', {column(SteeringCommitteeMember, 'consortium')}, "
            f"CASE WHEN {column(SteeringCommitteeMember, 'can_approve')} THEN 1 ELSE 0 END "
            f"FROM {steering} WHERE {column(SteeringCommitteeMember, 'user')} = %s",
            f"SELECT 'partner', {column(Partner, 'consortium')}, 0 FROM {table(Partner)} "
            f"WHERE {column(Partner, 'user')} = %s",
            f"SELECT 'member', {column(Membership, 'consortium')}, 0 FROM {table(Membership)} "
            f"WHERE {column(Membership, 'city')} IN ({coordinated})",
        ]
    )


def _read_roles(user) -> Roles:
    """Every role of the user in one query (:func:`_roles_sql`)."""
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), [user.pk] * 4)
        rows = cursor.fetchall()
    ids: dict[str, set[int]] = {"city": set(), "steering": set(), "partner": set(), "member": set()}
    approving = set()
    for kind, pk, approves in rows:
        ids[kind].add(pk)
        if approves:
            approving.add(pk)
    return Roles(
        coordinated_city_ids=frozenset(ids["city"]),
        steering_consortium_ids=frozenset(ids["steering"]),
        approving_consortium_ids=frozenset(approving),
        partner_consortium_ids=frozenset(ids["partner"]),
        coordinated_consortium_ids=frozenset(ids["member"]),
        is_admin=bool(user.is_superuser),
    )


def visibility_class(user, consortium_id: int) -> str:
    """Which of a consortium's figures the user sees, as a word a cache key can hold.

    ``all`` (admins, its steering committee), ``cities:<ids>`` (coordinators: the
    approved figures and those of their cities and led solutions), or ``approved``
    (everyone else who may read it). Readers of one class see the same figures of the
    consortium; who holds which role is itself a change in the log, so a cache key with
    the consortium's data version and this class pins down what a page shows.
    """
    roles = roles_of(user)
    if roles.is_admin or consortium_id in roles.steering_consortium_ids:
        return "all"
    if roles.coordinated_city_ids:
        return "cities:" + ",".join(map(str, sorted(roles.coordinated_city_ids)))
    return "approved"


def can_edit_city(user, city: City) -> bool:
    """Enter and correct the city's figures (never approved ones: see the review rules)."""
    roles = roles_of(user)
    return roles.is_admin or city.pk in roles.coordinated_city_ids


def can_report_for_consortium(user, consortium: Consortium, lead_city_ids=()) -> bool:
    """Enter figures the consortium reports once (e.g. a shared project's KPIs).

    Steering committee members of the consortium may, and so may the coordinators
    of a lead city of the solution concerned (pass its lead city ids).
    """
    roles = roles_of(user)
    return (
        roles.is_admin
        or consortium.pk in roles.steering_consortium_ids
        or bool(roles.coordinated_city_ids.intersection(lead_city_ids))
    )


def can_approve(user, consortium: Consortium) -> bool:
    roles = roles_of(user)
    return roles.is_admin or consortium.pk in roles.approving_consortium_ids


def visible_consortia_filter(user, prefix: str = "") -> Q:
    """Consortia whose approved figures the user may read."""
    roles = roles_of(user)
    if roles.is_admin:
        return Q()
    return Q(**{f"{prefix}is_published": True}) | Q(
        **{f"{prefix}pk__in": roles.reader_consortium_ids}
    )


def visible_consortia(user):
    """The consortia the user may read, with their programme; a queryset.

    The one query every page and API list of consortia starts from.
    """
    return Consortium.objects.filter(visible_consortia_filter(user)).select_related("programme")


def visible_measurements_filter(user) -> Q:
    """Measurements the user may read, as a filter for ``Measurement`` querysets.

    Approved figures of consortia the user may read; on top of that, unapproved
    figures of the consortia they steer, of the cities they coordinate, and the
    consortium-level figures of the solutions their cities lead (they enter those).

    The lookups (``review_state``, ``city_id``, ``kpi__…``) exist on the historical
    model too, so the same filter applies to ``Measurement.history`` querysets.
    """
    return _visible_figures(
        user,
        consortium="kpi__solution__consortium_id",
        published="kpi__solution__consortium__is_published",
        solution="kpi__solution_id",
    )


def visible_changes_filter(user) -> Q:
    """The same rule for the change log's rows (``changelog.Change``): whether the user
    could see a figure in the state a row records (its review state, its consortium
    published or not). A row of a deleted figure is never visible."""
    return Q(deleted=False) & _visible_figures(
        user, consortium="consortium_id", published="published", solution="solution_id"
    )


def _visible_figures(user, *, consortium: str, published: str, solution: str) -> Q:
    """Who sees which figure, for rows that say their consortium, whether it is
    published, their solution, their city (``city_id``) and review state."""
    roles = roles_of(user)
    if roles.is_admin:
        return Q()
    readable = Q(**{published: True}) | Q(**{f"{consortium}__in": roles.reader_consortium_ids})
    approved = Q(review_state="approved") & readable
    if not (roles.steering_consortium_ids or roles.coordinated_city_ids):
        return approved
    visible = approved | Q(**{f"{consortium}__in": roles.steering_consortium_ids})
    if roles.coordinated_city_ids:
        visible |= Q(city_id__in=roles.coordinated_city_ids) | Q(
            **{"city_id__isnull": True, f"{solution}__in": led_solutions(roles)}
        )
    return visible


def led_solutions(roles: Roles):
    """The solutions led by the cities the user coordinates, as a subquery."""
    from solutions.models import Solution

    return Solution.lead_cities.through.objects.filter(
        city_id__in=roles.coordinated_city_ids
    ).values("solution_id")


def reader_fingerprint(user) -> str:
    """What decides which figures the user sees, as a short digest: it changes when their
    roles do (a feed cursor from before is then refused). At most one query beyond the
    roles, for the solutions a coordinator's cities lead."""
    import hashlib

    roles = roles_of(user)
    led = (
        sorted(led_solutions(roles).values_list("solution_id", flat=True))
        if (roles.coordinated_city_ids and not roles.is_admin)
        else []
    )
    facts = (
        roles.is_admin,
        sorted(roles.reader_consortium_ids),
        sorted(roles.steering_consortium_ids),
        sorted(roles.coordinated_city_ids),
        led,
    )
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]


# --- Reporting: the entry grid, the review of a stage, history ---------------------------
#
# One reporting *unit* is a city of a consortium, or the consortium itself for the KPIs it
# reports once (``city is None``). The actions below are what the permission matrix test
# (tests/test_permissions.py) checks for every role.


def can_view_city_reporting(user, city: City, consortium_ids: Iterable[int]) -> bool:
    """Open the city's entry grid and missing list (read-only unless :func:`can_edit_city`).

    ``consortium_ids``: the consortia the city belongs to. Coordinators of the city,
    steering committee members of one of those consortia and admins may.
    """
    roles = roles_of(user)
    return (
        roles.is_admin
        or city.pk in roles.coordinated_city_ids
        or bool(roles.steering_consortium_ids.intersection(consortium_ids))
    )


def can_submit_stage(user, consortium: Consortium, city: City | None, lead_city_ids=()) -> bool:
    """Send a unit's stage for review: whoever may enter its figures."""
    if city is None:
        return can_report_for_consortium(user, consortium, lead_city_ids)
    return can_edit_city(user, city)


def can_review_stage(user, consortium: Consortium) -> bool:
    """Approve, return or reopen a stage of any unit of the consortium."""
    return can_approve(user, consortium)


def can_see_names(user) -> bool:
    """Show who changed a figure: signed-in users only, never anonymous visitors."""
    return bool(user is not None and user.is_authenticated)


def has_reporting_role(user) -> bool:
    """Whether the user enters or reviews figures anywhere (for the "My reporting" link).

    Uses the cached roles when a view already read them; otherwise one query.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_icc_roles", None)
    if cached is not None:
        return bool(cached.coordinated_city_ids or cached.steering_consortium_ids)
    flag = getattr(user, "_icc_reports", None)
    if flag is None:
        from django.contrib.auth import get_user_model

        flag = bool(
            get_user_model()
            .objects.filter(pk=user.pk)
            .filter(
                Exists(CityCoordinator.objects.filter(user=OuterRef("pk")))
                | Exists(SteeringCommitteeMember.objects.filter(user=OuterRef("pk")))
            )
            .exists()
        )
        user._icc_reports = flag
    return flag
