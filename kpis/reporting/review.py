"""The review of a stage: submit, approve, return, reopen.

A *unit* is a city of a consortium, or the consortium itself (``city=None``) for the
KPIs it reports once. Its figures at one stage move together::

    draft ──submit──▶ submitted ──approve──▶ approved ──reopen──▶ draft
      ▲                   │
      └─────return────────┘  (state "returned", with the steering committee's comment)

Contract (all keyword-only; each runs in one transaction and returns the updated
:class:`~kpis.models.StageReview`)
    submit_stage(*, user, consortium, city, stage, comment="", confirm_missing=None)
                 coordinator of the city (or whoever may report the consortium's
                 figures); needs a draft figure. With figures still missing, only when
                 ``confirm_missing`` is their number (else :class:`MissingFigures`).
    approve_stage(*, user, consortium, city, stage, comment="", confirm_missing=None)
                 steering member who may approve; the stage must be submitted. Its
                 figures lock. Figures still missing need the same confirmation.
    return_stage(*, user, consortium, city, stage, comment)      same people; submitted
                 stage; the comment (required) is shown on the coordinator's grid.
    reopen_stage(*, user, consortium, city, stage, comment)      same people; a stage
                 that is approved or holds approved figures (loaded from a deliverable);
                 the comment (required) says why. Kept in history as "reopened".

Raises ``django.core.exceptions.PermissionDenied`` for the wrong user and
:class:`~kpis.reporting.errors.ReviewError` (``code``: ``invalid_stage``, ``not_member``,
``not_draft``, ``nothing_to_submit``, ``not_submitted``, ``not_approved``,
``comment_required``, ``missing_figures``) when the action does not fit the stage's state.
Figures whose review state changes get a new version, a history entry with the action as
its change reason, and a row in the change log (:mod:`changelog.log`) with the same reason.
Each action sends :data:`~kpis.reporting.signals.stage_reviewed` inside its transaction
(the e-mail notices go out once it commits).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from changelog import log as changelog
from cities import access
from cities.models import City, Consortium, Membership
from icc_portal.text import CODE as HIDDEN_CHARACTERS_CODE
from icc_portal.text import hidden_characters, hidden_characters_message
from kpis.models import KPI, Measurement, StageReview
from kpis.vocabulary import ReportingStage
from solutions.models import Solution

from .entry import lock_stage_review
from .errors import MissingFigures, ReviewError
from .missing import missing_kpis
from .signals import stage_reviewed

State = StageReview.State
ReviewState = Measurement.ReviewState


def consortium_lead_city_ids(consortium: Consortium) -> set[int]:
    """Lead cities of the solutions with KPIs the consortium reports once (one query)."""
    return set(
        Solution.lead_cities.through.objects.filter(
            solution__consortium=consortium,
            solution__kpis__reporting_level=KPI.ReportingLevel.CONSORTIUM,
        ).values_list("city_id", flat=True)
    )


def city_consortium(city: City, consortium_slug: str = "") -> Consortium | None:
    """The consortium whose figures of ``city`` are meant: the one named by its slug, or the
    city's only one; ``None`` unless that is exactly one. One query."""
    memberships = Membership.objects.filter(city=city).select_related("consortium__programme")
    if consortium_slug:
        memberships = memberships.filter(consortium__slug=consortium_slug)
    found = list(memberships[:2])
    return found[0].consortium if len(found) == 1 else None


def unit_measurements(consortium: Consortium, city: City | None, stage: str):
    return Measurement.objects.filter(kpi__solution__consortium=consortium, city=city, stage=stage)


def submit_stage(
    *,
    user,
    consortium: Consortium,
    city: City | None,
    stage: str,
    comment: str = "",
    confirm_missing: int | None = None,
) -> StageReview:
    _check_unit(consortium, city, stage)
    _check_comment(comment)
    lead_city_ids = consortium_lead_city_ids(consortium) if city is None else ()
    if not access.can_submit_stage(user, consortium, city, lead_city_ids):
        raise PermissionDenied(_("You may not submit these figures."))
    with transaction.atomic(), changelog.batch():
        review = lock_stage_review(consortium.pk, _pk(city), stage=stage)
        if review.state not in (State.DRAFT, State.RETURNED):
            raise ReviewError(
                _("The stage is already %(state)s.") % {"state": review.get_state_display()},
                code="not_draft",
            )
        changed = _move(
            consortium, city, stage, ReviewState.DRAFT, ReviewState.SUBMITTED, user, "submitted"
        )
        if not changed:
            raise ReviewError(
                _("There is nothing new to submit: enter at least one figure first."),
                code="nothing_to_submit",
            )
        # A refusal here rolls the move back with the rest of the transaction.
        missing = _confirmed_missing(consortium, city, stage, confirm_missing, "submit")
        return _record(review, State.SUBMITTED, user, comment, "submitted", missing)


def approve_stage(
    *,
    user,
    consortium: Consortium,
    city: City | None,
    stage: str,
    comment: str = "",
    confirm_missing: int | None = None,
) -> StageReview:
    _check_reviewer(user, consortium, city, stage)
    _check_comment(comment)
    with transaction.atomic(), changelog.batch():
        review = lock_stage_review(consortium.pk, _pk(city), stage=stage)
        _require_state(review, State.SUBMITTED, "not_submitted")
        missing = _confirmed_missing(consortium, city, stage, confirm_missing, "approve")
        _move(
            consortium,
            city,
            stage,
            (ReviewState.DRAFT, ReviewState.SUBMITTED),
            ReviewState.APPROVED,
            user,
            "approved",
        )
        return _record(review, State.APPROVED, user, comment, "approved", missing)


def return_stage(
    *, user, consortium: Consortium, city: City | None, stage: str, comment: str
) -> StageReview:
    _check_reviewer(user, consortium, city, stage)
    comment = _required_comment(comment, _("Say what needs to change."))
    with transaction.atomic(), changelog.batch():
        review = lock_stage_review(consortium.pk, _pk(city), stage=stage)
        _require_state(review, State.SUBMITTED, "not_submitted")
        _move(consortium, city, stage, ReviewState.SUBMITTED, ReviewState.DRAFT, user, "returned")
        return _record(review, State.RETURNED, user, comment, "returned")


def reopen_stage(
    *, user, consortium: Consortium, city: City | None, stage: str, comment: str
) -> StageReview:
    _check_reviewer(user, consortium, city, stage)
    comment = _required_comment(comment, _("Say why the approved figures need to change."))
    with transaction.atomic(), changelog.batch():
        review = lock_stage_review(consortium.pk, _pk(city), stage=stage)
        changed = _move(
            consortium, city, stage, ReviewState.APPROVED, ReviewState.DRAFT, user, "reopened"
        )
        if review.state != State.APPROVED and not changed:
            raise ReviewError(_("Only an approved stage can be reopened."), code="not_approved")
        return _record(review, State.DRAFT, user, comment, "reopened")


# --- helpers -----------------------------------------------------------------------------


def _pk(city: City | None) -> int | None:
    return city.pk if city is not None else None


def _check_unit(consortium: Consortium, city: City | None, stage: str) -> None:
    if stage not in ReportingStage.values:
        raise ReviewError(
            _("There is no stage “%(stage)s”.") % {"stage": stage}, code="invalid_stage"
        )
    if (
        city is not None
        and not Membership.objects.filter(consortium=consortium, city=city).exists()
    ):
        raise ReviewError(
            _("%(city)s is not a member of %(consortium)s.")
            % {"city": city.name, "consortium": consortium},
            code="not_member",
        )


def _check_reviewer(user, consortium: Consortium, city: City | None, stage: str) -> None:
    _check_unit(consortium, city, stage)
    if not access.can_review_stage(user, consortium):
        raise PermissionDenied(_("Only the steering committee may review these figures."))


def _require_state(review: StageReview, state: str, code: str) -> None:
    if review.state != state:
        raise ReviewError(
            _("This needs a stage that is %(wanted)s; it is %(state)s.")
            % {"wanted": State(state).label, "state": review.get_state_display()},
            code=code,
        )


def _required_comment(comment: str, message: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ReviewError(message, code="comment_required", field="comment")
    _check_comment(comment)
    return comment


def _check_comment(comment: str) -> None:
    """A comment holding characters that change how it reads is refused (icc_portal.text)."""
    found = hidden_characters(comment)
    if found:
        raise ReviewError(
            hidden_characters_message(found), code=HIDDEN_CHARACTERS_CODE, field="comment"
        )


def _move(consortium, city, stage, from_states, to_state, user, reason: str) -> int:
    """Move the unit's figures between review states, raising their version; with history."""
    if isinstance(from_states, str):
        from_states = (from_states,)
    measurements = list(
        unit_measurements(consortium, city, stage)
        .filter(review_state__in=from_states)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    now = timezone.now()
    for measurement in measurements:
        measurement.review_state = to_state
        measurement.version += 1
        measurement.updated_at = now
    if measurements:
        bulk_update_with_history(
            measurements,
            Measurement,
            ["review_state", "version", "updated_at"],
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
        # A bulk update sends no signals: the change log is told here (partners see an
        # approved stage appear, a reopened one withdrawn).
        changelog.record_figures(
            changelog.FigureState(m.pk, reason, m.kpi_id, m.city_id, to_state) for m in measurements
        )
    return len(measurements)


def _confirmed_missing(consortium, city, stage, confirmed: int | None, action: str) -> int:
    """How many figures are missing; refuses unless ``confirmed`` says exactly that many."""
    missing = missing_kpis(consortium, city, stage)
    if missing and confirmed != len(missing):
        count = len(missing)
        if action == "submit":
            message = ngettext(
                "%(count)s figure is still missing. Confirm that you submit the stage with "
                "%(count)s figure missing, or enter it first.",
                "%(count)s figures are still missing. Confirm that you submit the stage with "
                "%(count)s figures missing, or enter them first.",
                count,
            )
        else:
            message = ngettext(
                "%(count)s figure is still missing. Confirm that you approve the stage with "
                "%(count)s figure missing, or return it.",
                "%(count)s figures are still missing. Confirm that you approve the stage with "
                "%(count)s figures missing, or return it.",
                count,
            )
        raise MissingFigures(message % {"count": count}, missing=missing)
    return len(missing)


def _record(
    review: StageReview, state: str, user, comment: str, reason: str, missing: int = 0
) -> StageReview:
    review.state = state
    review.comment = (comment or "").strip()
    review.changed_by = user
    review._history_user = user
    review._change_reason = reason
    review.save()
    stage_reviewed.send(
        sender=StageReview, review=review, action=reason, user=user, missing=missing
    )
    return review
