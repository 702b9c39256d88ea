"""Cursor pages of /api/v1/measurements/: a full pull never skips or repeats a row.

The issue's case: reading page 1, then a stage being reopened, then page 2 skipped ids
21–33, which were still approved (numbered pages shift when rows leave the view).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from kpis.models import Measurement
from kpis.reporting import review
from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def pull(client, *, page_size: int, between=None) -> list[int]:
    """Every id of a full pull, page by page; ``between`` runs after the first page."""
    ids, url, pages = [], f"{URL}?page_size={page_size}", 0
    while url:
        body = client.get(url).json()
        ids += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
        if pages == 1 and between is not None:
            between()
    return ids


def first_city(client):
    """The city of the first figures listed: reopening its final stage empties page 1."""
    from cities.models import City

    first = client.get(f"{URL}?page_size=1").json()["results"][0]
    return City.objects.get(slug=first["city"])


def test_a_full_pull_with_a_reopen_in_between_neither_skips_nor_repeats(
    partner_client, sern, sern_steering
):
    city = first_city(partner_client)
    reopened = set(
        Measurement.objects.filter(city=city, stage="final").values_list("pk", flat=True)
    )
    first_page = [row["id"] for row in partner_client.get(f"{URL}?page_size=20").json()["results"]]
    assert reopened & set(first_page), "the reopened stage is on the first page"

    def reopen():
        review.reopen_stage(
            user=sern_steering, consortium=sern, city=city, stage="final", comment="Check"
        )

    ids = pull(partner_client, page_size=20, between=reopen)

    assert len(ids) == len(set(ids)), "no row twice"
    still_approved = set(
        Measurement.objects.filter(review_state="approved").values_list("pk", flat=True)
    )
    # Every figure still approved is there; of the reopened ones, only those read before.
    assert still_approved <= set(ids)
    assert set(ids) - still_approved == reopened & set(first_page)
    assert ids == sorted(ids)


def test_numbered_pages_would_have_skipped_rows(partner_client, sern, sern_steering):
    """Why the cursor is the default: the same pull by page numbers loses rows."""
    city = first_city(partner_client)
    first = partner_client.get(f"{URL}?page_size=20&page=1").json()["results"]
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=city, stage="final", comment="Check"
    )
    rest, page = [], 2
    while True:
        body = partner_client.get(f"{URL}?page_size=20&page={page}")
        if body.status_code == 404:
            break
        rest += body.json()["results"]
        page += 1
    still_approved = set(
        Measurement.objects.filter(review_state="approved").values_list("pk", flat=True)
    )
    assert not still_approved <= {row["id"] for row in first + rest}


def test_cursor_links_carry_the_filters_and_stop_at_the_end(anonymous, sern):
    body = anonymous.get(f"{URL}?stage=final&page_size=10").json()
    query = parse_qs(urlparse(body["next"]).query)
    assert query["stage"] == ["final"] and query["page_size"] == ["10"]
    assert "page" not in query and body["previous"] is None
    assert body["count"] == Measurement.objects.filter(stage="final").count()
    ids = pull(anonymous, page_size=10)
    assert len(ids) == 84 == len(set(ids))


def test_a_forged_cursor_is_a_400(anonymous, sern):
    for cursor in ("garbage", "eyJhZnRlciI6MX0:forged", "eyJhZnRlciI6MX0"):
        body = assert_error_shape(anonymous.get(URL, {"cursor": cursor}), 400, "cursor")
        assert body["code"] == "invalid_cursor"


def test_a_cursor_and_a_page_number_together_are_a_400(anonymous, sern):
    nxt = anonymous.get(f"{URL}?page_size=5").json()["next"]
    assert_error_shape(anonymous.get(nxt + "&page=2"), 400, "page")


def test_another_ordering_or_a_page_number_gives_numbered_pages(anonymous, sern):
    assert "page=2" in anonymous.get(f"{URL}?page_size=5&ordering=-value").json()["next"]
    assert "page=2" in anonymous.get(f"{URL}?page_size=5&page=1").json()["next"]
    assert "cursor=" in anonymous.get(f"{URL}?page_size=5&ordering=id").json()["next"]


def test_the_browsable_api_keeps_numbered_pages(anonymous, sern):
    response = anonymous.get(f"{URL}?page_size=5", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "page=2" in response.content.decode()
