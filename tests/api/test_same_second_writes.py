"""If-Modified-Since never hides a change recorded in the same second as the copy.

HTTP dates are whole seconds. A copy read at 10:00:05.3 and a change recorded at
10:00:05.8 share the second 10:00:05: a revalidation by that date must get the change
(200), not a 304. ``Last-Modified`` is the end of the newest change's second once
every change of that second has committed, and only then does a revalidation by date
get a 304 (icc_portal/api/conditional.py).

The clocks are set, not waited for: the server's clock the validators read
(``conditional.now``) and the time each change is recorded at (the change log's
``recorded_at``, moved to a chosen instant right after each write).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils.http import http_date, parse_http_date
from rest_framework.test import APIClient

from changelog.models import Change
from icc_portal.api import conditional
from kpis.models import Measurement

pytestmark = pytest.mark.django_db

#: A whole second, well after the demo data was loaded (its changes are moved before it).
SECOND = parse_http_date("Mon, 07 Dec 2026 10:00:05 GMT")
READS = ["/api/v1/measurements/?page_size=500", "/api/v1/measurements.csv", "/api/v1/changes/"]


class World:
    """The server's clock, and writes recorded at chosen instants."""

    def __init__(self, ravenna_figure: Measurement) -> None:
        self.clock = float(SECOND - 60)
        self.figure = ravenna_figure
        Change.objects.update(recorded_at=self.instant(SECOND - 60))

    @staticmethod
    def instant(moment: float) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)

    def write(self, at: float, value: int) -> None:
        """Change the approved figure (anonymous readers see it) as if at ``at``."""
        newest = Change.objects.order_by("-id").values_list("id", flat=True).first()
        self.figure.value = Decimal(value)
        self.figure.version += 1
        self.figure.save()
        moved = Change.objects.filter(id__gt=newest).update(recorded_at=self.instant(at))
        assert moved >= 1
        self.clock = at


@pytest.fixture
def world(sern):
    figure = Measurement.objects.filter(
        city__slug="ravenna", stage="final", review_state="approved", value__isnull=False
    ).first()
    world = World(figure)
    with mock.patch.object(conditional, "now", lambda: world.clock):
        yield world


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read(path: str, world: World, *, at: float, since: str | None = None):
    world.clock = at
    headers = {"HTTP_IF_MODIFIED_SINCE": since} if since else {}
    response = APIClient().get(path, **headers)
    response.body = body(response)  # a streamed CSV holds a database cursor until read
    return response


@pytest.mark.parametrize("path", READS)
def test_two_writes_in_one_second_between_two_revalidations(world, path):
    world.write(at=SECOND + 0.1, value=4242101)
    first = read(path, world, at=SECOND + 0.3)
    assert first.status_code == 200
    # Read within the change's second: the date is that second's start, and a
    # revalidation by it can never be a 304 (a change of that second may follow).
    assert parse_http_date(first["Last-Modified"]) == SECOND
    assert read(path, world, at=SECOND + 0.4, since=first["Last-Modified"]).status_code == 200

    world.write(at=SECOND + 0.8, value=4242102)  # the same second as the copy
    second = read(path, world, at=SECOND + 0.9, since=first["Last-Modified"])
    assert second.status_code == 200, "the change of the same second was hidden"
    assert second["ETag"] != first["ETag"]
    if "changes" not in path:
        assert b"4242102" in second.body and b"4242102" not in first.body

    world.write(at=SECOND + 0.95, value=4242103)  # and another, still in that second
    third = read(path, world, at=SECOND + 0.97, since=second["Last-Modified"])
    assert third.status_code == 200


@pytest.mark.parametrize("path", READS)
def test_once_the_second_has_settled_its_date_revalidates(world, path):
    world.write(at=SECOND + 0.1, value=4242101)
    world.write(at=SECOND + 0.6, value=4242102)
    settled = read(path, world, at=SECOND + 1 + conditional.SETTLE_SECONDS + 0.5)
    # Every change of 10:00:05 is in this copy: its date is the end of that second.
    assert parse_http_date(settled["Last-Modified"]) == SECOND + 1
    later = read(path, world, at=SECOND + 30, since=settled["Last-Modified"])
    assert later.status_code == 304
    assert later["Last-Modified"] == settled["Last-Modified"]

    # A change in the very second of that date is not hidden by it ...
    world.write(at=SECOND + 1.2, value=4242104)
    assert read(path, world, at=SECOND + 1.3, since=settled["Last-Modified"]).status_code == 200
    # ... nor one recorded much later.
    world.write(at=SECOND + 40, value=4242105)
    assert read(path, world, at=SECOND + 41, since=settled["Last-Modified"]).status_code == 200


def test_a_date_from_the_clients_own_clock_never_hides_a_change_of_that_second(world):
    """A client that sends the time it read (the ``Date`` header, its own clock) instead
    of ``Last-Modified``: a change in the same second is still a 200."""
    world.write(at=SECOND + 0.1, value=4242101)
    read("/api/v1/measurements/", world, at=SECOND + 0.2)
    world.write(at=SECOND + 0.7, value=4242102)
    own_clock = http_date(SECOND)
    response = read("/api/v1/measurements/", world, at=SECOND + 0.8, since=own_clock)
    assert response.status_code == 200
    later = http_date(SECOND + 1)
    assert read("/api/v1/measurements/", world, at=SECOND + 5, since=later).status_code == 304


def test_the_etag_still_answers_304_within_the_second(world):
    world.write(at=SECOND + 0.1, value=4242101)
    first = read("/api/v1/measurements/", world, at=SECOND + 0.2)
    world.clock = SECOND + 0.3
    again = APIClient().get("/api/v1/measurements/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
