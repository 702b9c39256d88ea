"""Who hears of a review action, and when: after the action's transaction commits.

Submitted: the consortium's steering committee members. Returned (with the comment),
approved or reopened: the coordinators of the city (for the consortium's own figures,
the coordinators of its lead cities). The person who acted is not told of their own act.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from cities.models import CityCoordinator, SteeringCommitteeMember
from kpis.models import StageReview
from kpis.reporting.review import consortium_lead_city_ids
from kpis.reporting.signals import stage_reviewed

from . import mail

logger = logging.getLogger("notices")


@receiver(stage_reviewed)
def notify_after_commit(sender, review, action, user, missing=0, **kwargs) -> None:
    transaction.on_commit(
        partial(send_review_notices, review.pk, action, getattr(user, "pk", None), missing),
        robust=True,  # a failing notice is logged, never raised into the action
    )


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


def send_review_notices(review_pk: int, action: str, actor_pk: int | None, missing: int) -> int:
    """E-mail everyone concerned by one review action; returns how many were sent."""
    try:
        review = StageReview.objects.select_related("consortium", "city", "changed_by").get(
            pk=review_pk
        )
        audience = [user for user in review_audience(review, action) if user.pk != actor_pk]
        context = {
            "review": review,
            "action": action,
            "unit": review.city.name if review.city_id else str(review.consortium),
            "consortium": review.consortium,
            "actor": review.changed_by.get_username() if review.changed_by else "",
            "comment": review.comment,
            "missing": missing,
            "url": mail.absolute(grid_path(review)),
            "profile_url": mail.absolute(reverse("profile")),
        }
        return sum(mail.send(person, "review", context) for person in mail.recipients(audience))
    except Exception:
        logger.exception("review notices not sent: review=%s action=%s", review_pk, action)
        return 0
