"""Who hears of a review action, and when: written with the action, sent after it commits.

Submitted: the consortium's steering committee members. Returned (with the comment),
approved or reopened: the coordinators of the city (for the consortium's own figures,
the coordinators of its lead cities). The person who acted is not told of their own act.

The notices are written to the outbox (:mod:`notices.outbox`) in the action's own
transaction, so they exist exactly when the action does; they are sent once it commits,
and a notice the mail server refuses waits for ``manage.py send_notices``. Nothing here
can fail the action: writing the notices runs in a savepoint, and its failure is logged.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from cities.models import CityCoordinator, SteeringCommitteeMember
from cities.words import StageWords
from kpis.models import StageReview
from kpis.reporting.missing import missing_kpis
from kpis.reporting.review import consortium_lead_city_ids
from kpis.reporting.signals import stage_reviewed

from . import mail, outbox

logger = logging.getLogger("notices")


@receiver(stage_reviewed)
def queue_review_notices(sender, review, action, user, missing=0, **kwargs) -> None:
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the action whole
            notices = write_review_notices(review, action, getattr(user, "pk", None), missing)
    except Exception:
        logger.exception("review notices not written: review=%s action=%s", review.pk, action)
        return
    if notices:
        pks = [notice.pk for notice in notices]
        transaction.on_commit(partial(send_after_commit, pks), robust=True)


def send_after_commit(pks: list[int]) -> None:
    """Send the action's notices; one the mail server refuses waits for send_notices."""
    try:
        outbox.deliver(pks)
    except Exception:  # the database itself failing: the notices wait for send_notices
        logger.exception("notices not sent after commit: %s", pks)


def review_audience(review: StageReview, action: str) -> list:
    if action == "submitted":
        members = SteeringCommitteeMember.objects.filter(consortium_id=review.consortium_id)
        return [member.user for member in members.select_related("user")]
    if review.city_id is not None:
        city_ids = {review.city_id}
    else:
        city_ids = consortium_lead_city_ids(review.consortium)
    coordinators = CityCoordinator.objects.filter(city_id__in=city_ids).select_related("user")
    return list({coordinator.user.pk: coordinator.user for coordinator in coordinators}.values())


def grid_path(review: StageReview) -> str:
    if review.city_id is not None:
        return reverse("entry-grid", args=[review.city.slug, review.stage])
    return reverse("consortium-entry-grid", args=[review.consortium.slug, review.stage])


#: How many missing figures a notice names; the rest are counted ("and 12 more").
MISSING_NAMED = 15


class MissingLine:
    """A KPI without a figure as an e-mail lists it ("1.2 Number of datasets published"),
    named when it is rendered: each recipient reads the KPI's name in their own language
    (the consortium's own words, :mod:`icc_portal.own_words`), not in the actor's."""

    def __init__(self, kpi) -> None:
        self.kpi = kpi

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.kpi.name}"


def missing_lines(review: StageReview) -> list[MissingLine]:
    """The KPIs of the unit without a figure at the stage, at most ``MISSING_NAMED``."""
    kpis = missing_kpis(review.consortium, review.city, review.stage)
    return [MissingLine(kpi) for kpi in kpis[:MISSING_NAMED]]


def write_review_notices(review: StageReview, action: str, actor_pk: int | None, missing: int):
    """The outbox's notices of one review action, one per person concerned."""
    review = StageReview.objects.select_related("consortium__programme", "city", "changed_by").get(
        pk=review.pk
    )
    audience = [user for user in review_audience(review, action) if user.pk != actor_pk]
    context = {
        "review": review,
        "action": action,
        # Said in the recipient's language, in the words of the consortium's programme.
        "stage_label": StageWords(review.consortium.programme).lazy_label(review.stage),
        "unit": review.city.name if review.city_id else str(review.consortium),
        "consortium": review.consortium,
        "actor": review.changed_by.get_username() if review.changed_by else "",
        "comment": review.comment,
        "missing": missing,
        "missing_figures": (named := missing_lines(review) if missing else []),
        "missing_more": max(missing - len(named), 0),
        "url": mail.absolute(grid_path(review)),
        "profile_url": mail.absolute(reverse("profile")),
    }
    return outbox.queue(mail.recipients(audience), "review", context)
