"""``/api/v1/changes/``: the change feed a partner keeps a copy in sync with.

What a page holds is :mod:`kpis.api.feed`. This module reads the query, checks the
cursor and writes the page. Without a cursor the feed starts with a snapshot of the
reader's view (each figure once, ``reason`` ``snapshot``), then follows the log from the
position it had when the snapshot began: a first sync costs as many items as figures.

The cursor (``since``) is opaque: the position read up to (and in a snapshot, the last
figure read), and a digest of what decides
the reader's view (``access.reader_fingerprint``: their roles), signed with the site's
secret (:mod:`icc_portal.api.cursors`), so it survives restarts. It is refused with 400,
asking for a full pull (a new snapshot: the feed without ``since``), when

* it does not verify (``cursor_invalid``: forged, cut short, from another list);
* it is older than the retention (``cursor_expired``): ``manage.py prune_changes`` drops
  rows older than ``CHANGES_RETENTION_DAYS`` (90 by default), and a reader resuming
  from before the newest row dropped might have missed a change;
* the reader's roles changed since (``cursor_reader_changed``): figures that became
  visible or hidden by that change are in no row of the log.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from changelog.models import Change
from cities import access
from icc_portal.api import cursors
from icc_portal.api.conditional import ConditionalReads, version_for
from icc_portal.api.errors import READ_ERRORS, BadRequest, error_responses
from icc_portal.api.fields import PlainIntegerField
from icc_portal.api.filters import QueryTextField, SingleValuedQuery, given_values
from icc_portal.api.schema import AutoSchema
from icc_portal.figure_changes import FigureChange

from . import feed
from .measurements import MeasurementSerializer

DEFAULT_PAGE_SIZE = 100
REASONS = [
    feed.SNAPSHOT,
    *(reason for reason in Change.Reason.values if reason != Change.Reason.DEFINITION),
]


@extend_schema_field({"type": "string", "pattern": cursors.PATTERN})
class CursorField(QueryTextField):
    """An opaque cursor this site gave (checked by the view, which says what to do next)."""


class ChangesQuerySerializer(serializers.Serializer):
    since = CursorField(
        required=False,
        help_text="The `next` cursor of the page before; leave it out to start from the "
        "beginning (a full pull: every figure you may see).",
    )
    page_size = PlainIntegerField(
        required=False,
        min_value=1,
        help_text=f"Changes read per page (default {DEFAULT_PAGE_SIZE}); larger values are "
        "served at the cap of 500. A page may name fewer figures than that.",
    )


class ChangeSerializer(serializers.Serializer):
    """One figure that changed in your view (documentation of the items)."""

    id = serializers.IntegerField(help_text="The figure's (measurement's) id.")
    change = serializers.ChoiceField(
        choices=[FigureChange.CREATED, FigureChange.UPDATED, FigureChange.WITHDRAWN],
        help_text="created: new to you (entered, approved, published); updated: you held "
        "it and it changed; withdrawn: no longer yours to see (reopened, deleted, its "
        "consortium withdrawn): delete your copy.",
    )
    reason = serializers.ChoiceField(
        choices=REASONS,
        help_text="What happened to it last; `snapshot` for the figures of a first sync's "
        "snapshot (each figure you may see, as it stands).",
    )
    measurement = MeasurementSerializer(
        allow_null=True,
        help_text="The figure as `/api/v1/measurements/` shows it now; null when withdrawn.",
    )


ChangesPageSerializer = inline_serializer(
    "ChangesPage",
    {
        "next": serializers.CharField(
            help_text="Send it back as `since` to read on; also when nothing changed."
        ),
        "has_more": serializers.BooleanField(
            help_text="More changes are already waiting: read on at once."
        ),
        "results": ChangeSerializer(many=True),
    },
)


class OnePageSchema(AutoSchema):
    """The feed's list answers one page object, not an array of them."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class CursorRefused(BadRequest):
    """400: a cursor the feed cannot resume from; the client starts a full pull."""


@extend_schema_view(
    list=extend_schema(
        operation_id="changes_list",
        summary="What changed in your view",
        description="Every figure created, updated or withdrawn in your view since the "
        "cursor, in the order the changes were committed; each once per page, as you may "
        "see it now. Start without `since`: a snapshot of every figure you may see, each "
        "once (`reason`: `snapshot`), then the changes since the snapshot began, so a "
        "first sync costs as many items as there are figures. Store `next`, and send it "
        "as `since` next time; while `has_more` is true read on at once. A cursor that is "
        "forged, older than the retention "
        "(`CHANGES_RETENTION_DAYS`, 90 days by default) or from before your roles "
        "changed is refused with 400 (`cursor_invalid`, `cursor_expired`, "
        "`cursor_reader_changed`): start again without `since`.",
        parameters=[ChangesQuerySerializer],
        responses={200: ChangesPageSerializer, **error_responses(*READ_ERRORS)},
    )
)
class ChangesViewSet(ConditionalReads, viewsets.GenericViewSet):
    """The change feed: figures created, changed and withdrawn in your view."""

    serializer_class = ChangeSerializer
    throttle_scope = "sync"  # a budget of its own (icc_portal.api.throttles)
    schema = OnePageSchema()
    filter_backends: list = []
    pagination_class = None
    query_parameters = tuple(ChangesQuerySerializer().fields)

    def list(self, request, *args, **kwargs):
        SingleValuedQuery().check(request, self)
        query = ChangesQuerySerializer(data=given_values(request, ("since",)))
        query.is_valid(raise_exception=True)
        limit = min(query.validated_data.get("page_size", DEFAULT_PAGE_SIZE), 500)
        reader = access.reader_fingerprint(request.user)
        since, snapshot_after = self.resume_from(query.validated_data.get("since", ""), reader)
        if snapshot_after is None:
            page = feed.read_page(request.user, since=since, limit=limit)
            items, has_more = page.items, page.has_more
            cursor = cursors.make("changes", p=page.position, r=reader)
        else:
            # The log's position was read before the figures (the data version, read
            # first for the validators): a change after it is named again once the
            # snapshot is read.
            snapshot = feed.read_snapshot(request.user, after_id=snapshot_after, limit=limit)
            items = snapshot.items
            if snapshot.has_more:
                has_more = True
                cursor = cursors.make("changes", p=since, r=reader, s=snapshot.last_id)
            else:
                has_more = feed.changed_since(since)
                cursor = cursors.make("changes", p=since, r=reader)
        return Response(
            {
                "next": cursor,
                "has_more": has_more,
                "results": [
                    {
                        "id": item.id,
                        "change": item.change,
                        "reason": item.reason,
                        "measurement": item.measurement,
                    }
                    for item in items
                ],
            }
        )

    def resume_from(self, cursor: str, reader: str) -> tuple[int, int | None]:
        """The log's position a cursor holds, and where its snapshot goes on (``None``: the
        snapshot is read); 400 (see the module docstring) when it cannot be used. No cursor
        starts a snapshot at the log's current position."""
        if cursor == "":
            return version_for(self.request).position, 0
        try:
            payload = cursors.read("changes", cursor)
        except cursors.BadCursor:
            payload = {}
        position = payload.get("p")
        snapshot_after = payload.get("s")
        if not _whole(position) or (snapshot_after is not None and not _whole(snapshot_after)):
            raise self.refused(
                _(
                    "This cursor was not made by this site: start again with a full pull "
                    "(leave out since)."
                ),
                "cursor_invalid",
            )
        if payload.get("r") != reader:
            raise self.refused(
                _(
                    "Your access changed since this cursor was made, so figures may have "
                    "appeared or gone without a change: start again with a full pull "
                    "(leave out since)."
                ),
                "cursor_reader_changed",
            )
        if 0 < position < feed.pruned_through():
            raise self.refused(
                _(
                    "This cursor is older than the changes kept (%(days)s days): start again "
                    "with a full pull (leave out since)."
                )
                % {"days": settings.CHANGES_RETENTION_DAYS},
                "cursor_expired",
            )
        return position, snapshot_after

    @staticmethod
    def refused(message: str, code: str) -> CursorRefused:
        return CursorRefused(message, code=code, errors={"since": [message]})
