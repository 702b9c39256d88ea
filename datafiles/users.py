"""The users section of a data file: people, their address and language, and their roles in
the file's consortium (coordinator of which of its cities, steering member, may approve).

A password is never in a file: a new user gets an unusable one, and once the load commits
a set-password e-mail in their language (:mod:`notices.invitations`). Existing users keep
theirs; the loader never makes anyone staff or superuser.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from cities.models import CityCoordinator, Consortium, SteeringCommitteeMember
from notices.invitations import send_invitation
from notices.models import Profile

from .loader_base import coordinates_label, not_one_of, not_true_or_false, steering_label

USER_KEYS = {"username", "email", "first_name", "last_name", "language"}
USER_KEYS |= {"coordinator_of", "steering", "may_approve"}


def load_users(loader, entries: Any, consortium: Consortium) -> None:
    """Upsert the ``users`` entries through the file's ``loader`` (see ``loader.sync``)."""
    User = get_user_model()
    languages = [code for code, _name in settings.LANGUAGES]
    for index, entry in enumerate(loader.items(entries, "users")):
        label = f"users[{index}]"
        if isinstance(entry, dict) and "password" in entry:
            problem = _(
                "a data file never holds passwords; a new user is sent an e-mail to choose one."
            )
            raise loader.fail(label, f"password: {problem}", (entry, "password"))
        entry = loader.mapping(entry, label, USER_KEYS, required=["username", "email"])
        label = _("user %(username)s") % {"username": repr(entry["username"])}
        loader.once(_("user name"), entry["username"], label, (entry, "username"))
        language = entry.get("language")
        if language is not None and language not in languages:
            problem = not_one_of(language, languages)
            raise loader.fail(label, f"language: {problem}", (entry, "language"))
        values = {
            "email": entry["email"],
            "first_name": entry.get("first_name") or "",
            "last_name": entry.get("last_name") or "",
        }
        existing = User.objects.filter(username=entry["username"]).exists()
        if not existing:
            values["password"] = make_password(None)  # unusable: chosen through the e-mail
        user = loader.sync(User, label, {"username": str(entry["username"])}, values, entry)
        if not existing:
            loader.new_users.append(user)
        if language is not None:
            language_label = _("%(user)s language") % {"user": label}
            loader.sync(Profile, language_label, {"user": user}, {"language": language}, entry)
        slugs = loader.items(entry.get("coordinator_of"), label, (entry, "coordinator_of"))
        member_slugs = set(consortium.cities.values_list("slug", flat=True))
        for slug_index, slug in enumerate(slugs):
            city = loader.city(slug, label, (slugs, slug_index))
            if slug not in member_slugs:
                problem = _("%(slug)s is not a member of %(consortium)s.") % {
                    "slug": repr(slug),
                    "consortium": consortium.slug,
                }
                raise loader.fail(label, f"coordinator_of: {problem}", (slugs, slug_index))
            coordinates = coordinates_label(label, slug)
            loader.sync(CityCoordinator, coordinates, {"user": user, "city": city}, {})
        steering = entry.get("steering")
        for key in ("steering", "may_approve"):
            if entry.get(key) is not None and not isinstance(entry[key], bool):
                problem = not_true_or_false(entry[key])
                raise loader.fail(label, f"{key}: {problem}", (entry, key))
        if entry.get("may_approve") is not None and not steering:
            problem = _("only a steering member approves (add steering: true)")
            raise loader.fail(label, f"may_approve: {problem}", entry)
        if steering:
            loader.sync(
                SteeringCommitteeMember,
                steering_label(label),
                {"user": user, "consortium": consortium},
                {"can_approve": entry.get("may_approve", True)},
                source=entry,
                keys={"can_approve": "may_approve"},
            )


def invite_on_commit(report, users: list) -> None:
    """Send each new user of the load their set-password e-mail once it commits."""

    def invite() -> None:
        for user in users:
            if send_invitation(user):
                report.invited.append(user.get_username())

    if users:
        transaction.on_commit(invite)
