"""``/api/v1/reviews/…``: a stage's review over the API — read it, submit, approve, return, reopen.

A *unit* is a city of a consortium, or the consortium itself for the KPIs it reports once;
its figures at one stage are reviewed together (:mod:`kpis.reporting.review`)::

    GET  /api/v1/reviews/<consortium>/<stage>/                      the consortium's own
    GET  /api/v1/reviews/<consortium>/<stage>/cities/<city>/        a city's
    POST …/submit/  …/approve/  …/return/  …/reopen/

Every action calls the web panels' service (``submit_stage`` …), so the rules, the
confirmations, the comments, the notices (:mod:`notices.receivers`, sent after commit),
the history and the change log are theirs. This module only translates:

* who may read the stage: whoever may open the unit's entry grid (404 for a consortium
  the caller may not read, a city outside it or an unknown stage; 403 otherwise);
* a refusal of the service: 403 (not yours to do), 409 for the stage's state
  (``not_draft``, ``nothing_to_submit``, ``not_submitted``, ``not_approved``, and
  ``missing_figures``: confirm them by sending their number, ``missing`` of the GET, as
  ``confirm_missing``), 400 for the request itself (``comment_required``,
  ``hidden_characters``);
* conflicts: the stage's ``ETag`` (``"stage-…"``) names its review state; an action sent
  with ``If-Match`` that no longer matches is a 412, checked under the stage's row lock
  (``kpis.reporting.entry.lock_stage_review`` takes it too, for every save and review),
  so no action lands on a state its sender did not see. Without ``If-Match`` the state
  rules alone decide (as on the web).

Queries of a GET: the unit (consortium, city and membership: 2–3), the roles, the review,
the figures by state, the missing KPIs.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cities import access
from cities.models import City, Consortium, Membership
from icc_portal.api.conditional import ConditionalReads
from icc_portal.api.errors import Conflict, PreconditionFailed, error_responses
from icc_portal.api.fields import PlainIntegerField
from icc_portal.api.filters import SingleValuedQuery
from icc_portal.api.schema import AutoSchema
from kpis.models import Measurement, StageReview
from kpis.reporting import review as review_service
from kpis.reporting.errors import NON_FIELD, ReviewError
from kpis.reporting.missing import missing_kpis
from kpis.vocabulary import ReportingStage

#: The actions, in the order the schema lists them, and the service each one calls.
REVIEW_ACTIONS = {
    "submit": review_service.submit_stage,
    "approve": review_service.approve_stage,
    "return": review_service.return_stage,
    "reopen": review_service.reopen_stage,
}
#: Review codes that say "the stage's state does not allow this now": 409, not 400.
STAGE_STATE_CODES = frozenset(
    {"not_draft", "nothing_to_submit", "not_submitted", "not_approved", "missing_figures"}
)


def stage_tag(consortium: Consortium, city: City | None, stage: str, review) -> str:
    """What names the stage's review state: the unit, its state and its last change
    (0: never reviewed). An action's answer carries it as its ETag (``"stage-…"``); a read's
    ETag is it followed by the read's digest (:mod:`icc_portal.api.conditional`)."""
    city_pk = city.pk if city is not None else 0
    if review is None:
        return f"stage-{consortium.pk}-{city_pk}-{stage}-draft-0"
    moment = int(review.changed_at.timestamp() * 1_000_000)
    return f"stage-{consortium.pk}-{city_pk}-{stage}-{review.state}-{moment}"


#: An ``If-Match`` value: the stage's tag, with a read's digest after it or not.
STAGE_TAG = re.compile(r'^(?:W/)?"(?P<tag>stage-\d+-\d+-[a-z]+-[a-z]+-\d+)(?:-[0-9a-f]+)?"$')


class StageFiguresSerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()


class StageReviewSerializer(serializers.Serializer):
    """A unit's stage as the review panel shows it (documentation of the answer)."""

    consortium = serializers.CharField(help_text="Consortium slug")
    city = serializers.CharField(
        allow_null=True, help_text="City slug; null for the figures the consortium reports once."
    )
    stage = serializers.ChoiceField(choices=ReportingStage.choices)
    state = serializers.ChoiceField(choices=StageReview.State.choices)
    comment = serializers.CharField(
        help_text="The steering committee's comment of the last return or reopening, or the "
        "note sent with the last submission or approval."
    )
    changed_at = serializers.DateTimeField(allow_null=True)
    figures = StageFiguresSerializer(help_text="The unit's figures at the stage, by review state.")
    missing = serializers.IntegerField(
        help_text="KPIs of the unit still without a figure: send this number as "
        "`confirm_missing` to submit or approve anyway."
    )
    missing_kpis = serializers.ListField(
        child=serializers.CharField(),
        help_text='The missing KPIs as `consortium/code` ("sern/2.2").',
    )
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REVIEW_ACTIONS)),
        help_text="What you may do with the stage now.",
    )


class StageActionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text="Required to return (what needs to change) and to reopen (why); shown on "
        "the coordinator's grid and in the notice.",
    )
    confirm_missing = PlainIntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Submit and approve: the number of figures still missing (`missing`), "
        "confirming the stage goes ahead without them. A number that is no longer right "
        "is refused (409 `missing_figures`), so you confirm what is true now.",
    )


class CommentedStageActionSerializer(StageActionSerializer):
    """What ``return`` and ``reopen`` take: the comment is required (the review refuses an
    empty one with 400 ``comment_required``, in the one error shape)."""

    comment = serializers.CharField(
        min_length=1,
        help_text="Required: what needs to change (return) or why (reopen); shown on the "
        "coordinator's grid and in the notice.",
    )


#: The actions whose request requires a comment.
COMMENTED_ACTIONS = ("return", "reopen")


class StageActionSchema(AutoSchema):
    """The schema of one action's ``POST``: ``return`` and ``reopen`` say their comment is
    required; ``submit`` and ``approve`` do not ask for one."""

    def get_request_serializer(self):
        if getattr(self.view, "action_name", "") in COMMENTED_ACTIONS:
            return CommentedStageActionSerializer
        return StageActionSerializer


STAGE_PARAMETER = OpenApiParameter(
    "stage", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ReportingStage.values)
)
IF_MATCH_STAGE = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The stage's ETag you read: the action is refused with 412 if the stage "
    "was reviewed since. Optional; without it the stage's state alone decides (409).",
)


class StageUnitView(APIView):
    """Finds the unit (404) and checks that the caller may read its stage (401/403)."""

    query_parameters: tuple = ()

    def unit(self, request, consortium: str, stage: str, city: str | None = None):
        SingleValuedQuery().check(request, self)
        if stage not in ReportingStage.values:
            raise exceptions.NotFound()
        found = get_object_or_404(
            access.visible_consortia(request.user).select_related(None), slug=consortium
        )
        unit_city = None
        if city is not None:
            unit_city = get_object_or_404(City, slug=city)
            if not Membership.objects.filter(consortium=found, city=unit_city).exists():
                raise exceptions.NotFound()
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not self.may_read(request.user, found, unit_city):
            raise exceptions.PermissionDenied(_("You may not read the review of these figures."))
        return found, unit_city, stage

    @staticmethod
    def may_read(user, consortium: Consortium, city: City | None) -> bool:
        if access.can_review_stage(user, consortium):
            return True
        if city is not None:
            return access.can_view_city_reporting(user, city, [consortium.pk])
        lead_city_ids = review_service.consortium_lead_city_ids(consortium)
        return access.can_report_for_consortium(user, consortium, lead_city_ids)

    @staticmethod
    def body(user, consortium: Consortium, city: City | None, stage: str, review) -> dict:
        by_state = dict(
            review_service.unit_measurements(consortium, city, stage)
            .order_by()
            .values_list("review_state")
            .annotate(count=Count("pk"))
        )
        missing = missing_kpis(consortium, city, stage)
        state = review.state if review is not None else StageReview.State.DRAFT
        figures = {name: by_state.get(name, 0) for name in Measurement.ReviewState.values}
        return {
            "consortium": consortium.slug,
            "city": city.slug if city is not None else None,
            "stage": stage,
            "state": state,
            "comment": review.comment if review is not None else "",
            "changed_at": (
                serializers.DateTimeField().to_representation(review.changed_at)
                if review is not None
                else None
            ),
            "figures": figures,
            "missing": len(missing),
            "missing_kpis": [f"{consortium.slug}/{kpi.code}" for kpi in missing],
            "actions": _possible_actions(user, consortium, city, state, figures),
        }


def _possible_actions(user, consortium, city, state: str, figures: dict) -> list[str]:
    """The actions the service would take now (it decides again when asked)."""
    State = StageReview.State
    reviewer = access.can_review_stage(user, consortium)
    lead_city_ids = review_service.consortium_lead_city_ids(consortium) if city is None else ()
    possible = []
    if (
        access.can_submit_stage(user, consortium, city, lead_city_ids)
        and state in (State.DRAFT, State.RETURNED)
        and figures["draft"]
    ):
        possible.append("submit")
    if reviewer and state == State.SUBMITTED:
        possible += ["approve", "return"]
    if reviewer and (state == State.APPROVED or figures["approved"]):
        possible.append("reopen")
    return possible


def _current_review(consortium, city, stage):
    return StageReview.objects.filter(consortium=consortium, city=city, stage=stage).first()


UNIT_ERRORS = error_responses(400, 401, 403, 404, 429)
ACTION_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 413, 429)


class StageReviewView(ConditionalReads, StageUnitView):
    """A unit's stage: its review state, figures, what is missing and what you may do.

    Validators by the consortium's data version (a review action moves its figures, so
    the version), with the stage's tag in front of the ETag for ``If-Match``.
    """

    etag_prefix_pattern = re.compile(r"stage-\d+-\d+-[a-z]+-[a-z]+-\d+-")

    def version_scope(self, request) -> str | None:
        return self.kwargs.get("consortium")

    @extend_schema(
        summary="The review of a stage",
        description="The unit's review state at the stage, its figures by review state, "
        "the KPIs still missing (send their number as `confirm_missing` to submit or "
        "approve anyway) and the actions you may take now. The `ETag` names the review "
        "state: send it as `If-Match` with an action to be sure nobody reviewed the stage "
        "since. Readable by whoever may open the unit's entry grid.",
        parameters=[STAGE_PARAMETER],
        responses={200: StageReviewSerializer, **UNIT_ERRORS},
    )
    def get(self, request, consortium: str, stage: str, city: str | None = None):
        consortium, city, stage = self.unit(request, consortium, stage, city)
        review = _current_review(consortium, city, stage)
        request.etag_prefix = stage_tag(consortium, city, stage, review) + "-"
        return Response(self.body(request.user, consortium, city, stage, review))


class StageActionView(StageUnitView):
    """``POST`` one review action (``action_name``) on a unit's stage."""

    action_name = ""
    schema = StageActionSchema()

    @extend_schema(
        summary="Submit, approve, return or reopen a stage",
        description="Calls the web review panel's action, with its rules: `submit` "
        "(whoever may enter the unit's figures; a draft or returned stage with a draft "
        "figure), `approve` (the steering committee; a submitted stage: its figures "
        "lock), `return` (a submitted stage, with a `comment` saying what needs to "
        "change), `reopen` (an approved stage, with a `comment` saying why). With figures "
        "still missing, submit and approve need `confirm_missing` set to their number "
        "(409 `missing_figures` otherwise). The notices go out once the action is "
        "stored, the figures get a new version, a history entry and a row in the change "
        "feed. Answers the stage as `GET` shows it, with its new `ETag`. 409 when the "
        "stage's state does not allow the action (`not_draft`, `nothing_to_submit`, "
        "`not_submitted`, `not_approved`, `missing_figures`), 412 when `If-Match` names a "
        "state the stage has left.",
        parameters=[STAGE_PARAMETER, IF_MATCH_STAGE],
        responses={200: StageReviewSerializer, **ACTION_ERRORS},
    )
    def post(self, request, consortium: str, stage: str, city: str | None = None):
        consortium, city, stage = self.unit(request, consortium, stage, city)
        data = StageActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        extra = {}
        if self.action_name in ("submit", "approve"):
            extra["confirm_missing"] = data.validated_data["confirm_missing"]
        if_match = request.headers.get("If-Match", "").strip()
        try:
            with transaction.atomic():
                if if_match:
                    self.check_precondition(if_match, consortium, city, stage)
                review = REVIEW_ACTIONS[self.action_name](
                    user=request.user,
                    consortium=consortium,
                    city=city,
                    stage=stage,
                    comment=data.validated_data["comment"],
                    **extra,
                )
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from error
        except ReviewError as error:
            raise self.refused(error, consortium, city, stage) from error
        response = Response(self.body(request.user, consortium, city, stage, review))
        response["ETag"] = f'"{stage_tag(consortium, city, stage, review)}"'
        return response

    def check_precondition(self, if_match: str, consortium, city, stage) -> None:
        """Under the stage's lock: 412 unless ``If-Match`` names its current state.

        Who may not act is told so (403) before anything about the stage's state.
        """
        lead_city_ids = review_service.consortium_lead_city_ids(consortium) if city is None else ()
        may_act = (
            access.can_submit_stage(self.request.user, consortium, city, lead_city_ids)
            if self.action_name == "submit"
            else access.can_review_stage(self.request.user, consortium)
        )
        if not may_act:
            raise exceptions.PermissionDenied()
        review = (
            StageReview.objects.select_for_update(of=("self",))
            .filter(consortium=consortium, city=city, stage=stage)
            .first()
        )
        current = stage_tag(consortium, city, stage, review)
        sent = {
            match["tag"] if (match := STAGE_TAG.match(tag.strip())) else tag.strip()
            for tag in if_match.split(",")
        }
        if "*" not in sent and current not in sent:
            raise PreconditionFailed(
                _("The stage was reviewed since you read it (its ETag is now %(etag)s).")
                % {"etag": f'"{current}"'},
                code="precondition_failed",
                etag=f'"{current}"',
            )

    @staticmethod
    def refused(error: ReviewError, consortium, city, stage) -> exceptions.APIException:
        field = "non_field_errors" if error.field == NON_FIELD else error.field
        errors = {field: [exceptions.ErrorDetail(error.message, error.code)]}
        if error.code in STAGE_STATE_CODES:
            current = stage_tag(consortium, city, stage, _current_review(consortium, city, stage))
            return Conflict(error.message, code=error.code, errors=errors, etag=f'"{current}"')
        return exceptions.ValidationError(errors)
