"""Which coordinators to remind, of what: the figures still missing at a stage whose roadmap
phase ends within a few days or has ended.

A consortium's journey phase may name the stage measured in it (``Phase.measured_stage``);
the stage's deadline is the end of the last such phase. Each city of the consortium whose
stage is neither submitted nor approved, and still has figures missing, is reminded through
its coordinators; each of them at most once a day per stage (:class:`ReminderSent`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse

from cities.models import CityCoordinator, Membership
from cities.words import StageWords
from kpis.models import KPI, StageReview
from kpis.reporting.missing import missing_kpis
from roadmaps.models import Phase

from . import mail
from .models import ReminderSent

#: A stage in one of these states is with the steering committee: nothing to remind.
WITH_THE_COMMITTEE = (StageReview.State.SUBMITTED, StageReview.State.APPROVED)


@dataclass
class Reminder:
    consortium: object
    city: object
    stage: str
    phase: Phase
    missing: list[KPI]
    overdue: bool


def deadlines(today: datetime.date, days: int) -> list[tuple[int, str, datetime.date]]:
    """(consortium id, stage, deadline) of every stage whose phase ends by today + days."""
    rows = (
        Phase.objects.exclude(measured_stage="")
        .values("consortium_id", "measured_stage")
        .annotate(deadline=Max("end"))
        .order_by("consortium_id", "measured_stage")
    )
    horizon = today + datetime.timedelta(days=days)
    return [
        (row["consortium_id"], row["measured_stage"], row["deadline"])
        for row in rows
        if row["deadline"] <= horizon
    ]


def due_reminders(today: datetime.date, days: int) -> list[Reminder]:
    """Every city stage that needs a reminder today, with its missing KPIs."""
    due = deadlines(today, days)
    if not due:
        return []
    consortium_ids = {consortium_id for consortium_id, _stage, _deadline in due}
    phases = {
        (phase.consortium_id, phase.measured_stage, phase.end): phase
        for phase in Phase.objects.filter(consortium_id__in=consortium_ids)
    }
    busy = set(
        StageReview.objects.filter(
            consortium_id__in=consortium_ids, state__in=WITH_THE_COMMITTEE
        ).values_list("consortium_id", "city_id", "stage")
    )
    memberships = Membership.objects.filter(consortium_id__in=consortium_ids).select_related(
        "consortium__programme", "city"
    )
    reminders = []
    for membership in memberships.order_by("consortium__name", "city__name"):
        for consortium_id, stage, deadline in due:
            if consortium_id != membership.consortium_id:
                continue
            if (consortium_id, membership.city_id, stage) in busy:
                continue
            missing = missing_kpis(membership.consortium, membership.city, stage)
            if missing:
                reminders.append(
                    Reminder(
                        consortium=membership.consortium,
                        city=membership.city,
                        stage=stage,
                        phase=phases[(consortium_id, stage, deadline)],
                        missing=missing,
                        overdue=deadline < today,
                    )
                )
    return reminders


def send_reminders(today: datetime.date, days: int) -> tuple[int, int]:
    """Send today's reminders; (sent, already sent today). Safe to run again."""
    sent = skipped = 0
    for reminder in due_reminders(today, days):
        coordinators = CityCoordinator.objects.filter(city=reminder.city).select_related("user")
        for recipient in mail.recipients([coordinator.user for coordinator in coordinators]):
            try:
                with transaction.atomic():
                    record = ReminderSent.objects.create(
                        user=recipient.user,
                        consortium=reminder.consortium,
                        city=reminder.city,
                        stage=reminder.stage,
                        day=today,
                        missing=len(reminder.missing),
                    )
            except IntegrityError:  # already reminded today
                skipped += 1
                continue
            context = {
                "unit": reminder.city.name,
                "stage_label": StageWords(reminder.consortium.programme).lazy_label(reminder.stage),
                "phase": reminder.phase,
                "overdue": reminder.overdue,
                "missing": reminder.missing,
                "url": mail.absolute(
                    reverse("entry-missing", args=[reminder.city.slug, reminder.stage])
                ),
                "profile_url": mail.absolute(reverse("profile")),
            }
            if mail.send(recipient, "reminder", context):
                sent += 1
            else:
                record.delete()  # not sent: a later run today may try again
    return sent, skipped
