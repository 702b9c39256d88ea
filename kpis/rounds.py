"""Start a consortium's next round: a new consortium that continues the previous one.

SERN took part in the ICC in 2020–2022 and again from 2023: the second round is a
consortium of its own (its own members, framework, figures and reviews) whose
``previous_round`` is the first, so a city's new baseline can be read beside its last
final (:mod:`kpis.dashboards.rounds`). What carries over is chosen: the framework
(solutions, activities, KPIs with their targets, copied by :mod:`kpis.framework`), the
memberships (and then each copied solution's lead and implementing cities among them),
the steering committee and the partners. Figures never carry over: a round starts with
none. City coordinators belong to cities, not consortia, so they follow the cities.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.models import Consortium, Membership, Partner, SteeringCommitteeMember

from .framework import FrameworkCopy, copy_framework


@dataclass
class NextRound:
    """The new consortium and what carried over into it."""

    consortium: Consortium
    framework: FrameworkCopy | None = None
    memberships: int = 0
    roles: int = 0

    def summary(self) -> str:
        said = [
            _("Started %(new)s as the next round of %(previous)s; no figures carried over.")
            % {"new": self.consortium, "previous": self.consortium.previous_round}
        ]
        if self.memberships:
            said.append(_("Member cities: %(count)s.") % {"count": self.memberships})
        if self.roles:
            said.append(
                _("Steering committee members and partners: %(count)s.") % {"count": self.roles}
            )
        if self.framework is not None:
            said.append(self.framework.summary())
        return " ".join(said)


def start_next_round(
    *,
    previous: Consortium,
    name: str,
    slug: str,
    short_name: str = "",
    framework: bool = True,
    memberships: bool = True,
    roles: bool = True,
) -> NextRound:
    """A new, unpublished consortium of ``previous``'s programme continuing it, with what
    was chosen carried over; all or nothing. Raises ``ValidationError`` for a name or slug
    the new consortium cannot have (the slug taken), and :class:`~kpis.framework.
    FrameworkCopyError` as :func:`~kpis.framework.copy_framework` does."""
    with transaction.atomic():
        consortium = Consortium(
            programme_id=previous.programme_id,
            name=name,
            short_name=short_name,
            slug=slug,
            vision=previous.vision,
            description=previous.description,
            previous_round=previous,
        )
        consortium.full_clean()
        consortium.save()
        started = NextRound(consortium)
        if memberships:
            for membership in previous.memberships.all():
                Membership.objects.create(
                    consortium=consortium, city_id=membership.city_id, role=membership.role
                )
                started.memberships += 1
        if roles:
            for member in previous.steering_members.all():
                SteeringCommitteeMember.objects.create(
                    consortium=consortium, user_id=member.user_id, can_approve=member.can_approve
                )
                started.roles += 1
            for partner in previous.partners.all():
                Partner.objects.create(
                    consortium=consortium,
                    user_id=partner.user_id,
                    organisation=partner.organisation,
                )
                started.roles += 1
        if framework and previous.solutions.exists():
            started.framework = copy_framework(source=previous, target=consortium)
            if memberships:
                _carry_solution_cities(previous, consortium)
    return started


def _carry_solution_cities(previous: Consortium, consortium: Consortium) -> None:
    """Each copied solution keeps its lead and implementing cities (all members now)."""
    copies = {solution.number: solution for solution in consortium.solutions.all()}
    for solution in previous.solutions.prefetch_related("lead_cities", "implementing_cities"):
        copy = copies[solution.number]
        copy.implementing_cities.set(solution.implementing_cities.all())
        copy.lead_cities.set(solution.lead_cities.all())


class NextRoundForm(forms.Form):
    """The admin's intermediate page of "Start the next round"."""

    name = forms.CharField(label=gettext_lazy("Name of the new round"), max_length=200)
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=40, required=False)
    slug = forms.SlugField(
        label=gettext_lazy("Slug"),
        max_length=80,
        help_text=gettext_lazy(
            "The name in web addresses: lower-case letters, digits and hyphens."
        ),
    )
    framework = forms.BooleanField(
        label=gettext_lazy("Carry over the framework"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Solutions, activities and KPIs with their targets."),
    )
    memberships = forms.BooleanField(
        label=gettext_lazy("Carry over the member cities"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "With their roles, and each solution's lead and implementing cities."
        ),
    )
    roles = forms.BooleanField(
        label=gettext_lazy("Carry over the steering committee and the partners"),
        required=False,
        initial=True,
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Consortium.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Another consortium has this slug already."), code="slug_taken"
            )
        return slug
