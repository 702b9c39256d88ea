"""/api/v1/programmes/: each programme with its consortia and cities, how complete each
stage is, status counts and the KPIs consortia share by framework code; what the
programme page shows (tests/helpers/programmes.py describes the world)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.cities.factories import ConsortiumFactory, SteeringCommitteeMemberFactory, UserFactory
from tests.helpers.api import client_for
from tests.helpers.programmes import mission_world
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/programmes/"


@pytest.fixture
def world():
    return mission_world()


@pytest.fixture
def steering_north(world):
    user = UserFactory(username="steering-north")
    SteeringCommitteeMemberFactory(user=user, consortium=world.north)
    return user


def consortia_of(body: dict) -> dict[str, dict]:
    return {consortium["slug"]: consortium for consortium in body["consortia"]}


def stage(consortium: dict, name: str) -> dict:
    return next(item for item in consortium["stages"] if item["stage"] == name)


def test_a_programme_lists_its_published_consortia_and_their_cities(world):
    body = client_for(None).get(f"{API}mission/").json()
    assert body["url"] == "/programmes/mission/"
    consortia = consortia_of(body)
    assert set(consortia) == {"north", "south"}
    assert [city["city"] for city in consortia["north"]["cities"]] == ["bergen", "oslo"]
    assert consortia["north"]["cities"][0] == {
        "city": "bergen",
        "city_name": "Bergen",
        "country": "NO",
        "role": "member",
    }
    assert consortia["north"]["kpis"] == 2
    assert stage(consortia["north"], "final") == {
        "stage": "final",
        "expected": 4,
        "reported": 1,  # Bergen's draft is not the anonymous reader's
        "approved": 1,
    }
    assert consortia["north"]["status_stage"] == "final"
    assert consortia["north"]["status_counts"]["achieved"] == 1
    assert consortia["north"]["includes_unapproved"] is False


def test_the_shared_code_compares_the_consortia_figures(world):
    body = client_for(None).get(f"{API}mission/").json()
    [indicator] = body["shared_indicators"]
    assert (indicator["framework"], indicator["code"], indicator["label"]) == (
        "citykeys",
        "ENV-1",
        "Green space",
    )
    rows = {row["consortium"]: row for row in indicator["kpis"]}
    assert set(rows) == {"north", "south"}  # Hidden's KPI is not published
    final = {slug: row["stages"][2] for slug, row in rows.items()}
    assert final["north"]["stage"] == "final"
    assert (final["north"]["value"], final["north"]["target"]) == ("3", "4")
    assert (final["north"]["reported"], final["north"]["expected"]) == (1, 2)
    assert final["north"]["status"] == "incomplete"
    assert (final["south"]["value"], final["south"]["status"]) == ("5", "achieved")
    assert final["south"]["review_state"] == "approved"
    assert rows["south"]["stages"][0]["status"] == "no_data"


def test_a_steering_member_sees_the_drafts_of_their_consortium(world, steering_north):
    body = client_for(steering_north).get(f"{API}mission/").json()
    north = consortia_of(body)["north"]
    assert stage(north, "final")["reported"] == 2 and stage(north, "final")["approved"] == 1
    assert north["includes_unapproved"] is True
    row = next(row for row in body["shared_indicators"][0]["kpis"] if row["consortium"] == "north")
    assert row["stages"][2]["value"] == "4" and row["stages"][2]["review_state"] == "mixed"


def test_two_readers_one_after_the_other_on_one_cache(world, steering_north):
    """Answers are kept under their ETag, which holds the reader: the steering member's
    list read first leaves nothing the anonymous reader then gets, and the reverse."""
    anonymous, steering = client_for(None), client_for(steering_north)
    for first, second in ((steering, anonymous), (anonymous, steering)):
        from django.core.cache import cache

        cache.clear()
        first.get(API)
        seen = {
            "anonymous": anonymous.get(API).json(),
            "steering": steering.get(API).json(),
        }
        north = {reader: consortia_of(body["results"][0])["north"] for reader, body in seen.items()}
        assert stage(north["anonymous"], "final")["reported"] == 1
        assert north["anonymous"]["includes_unapproved"] is False
        assert stage(north["steering"], "final")["reported"] == 2
        assert second is not first


def test_a_current_etag_is_a_304_and_a_change_in_the_programme_moves_it(world):
    elsewhere = MeasurementFactory()  # a figure in a consortium of another programme
    client = client_for(None)
    first = client.get(f"{API}mission/")
    tag = first["ETag"]
    assert client.get(f"{API}mission/", HTTP_IF_NONE_MATCH=tag).status_code == 304

    elsewhere.value = Decimal("8")
    elsewhere.save()
    assert client.get(f"{API}mission/", HTTP_IF_NONE_MATCH=tag).status_code == 304

    world.figures.porto.value = Decimal("6")
    world.figures.porto.save()
    again = client.get(f"{API}mission/", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 200
    row = next(
        row for row in again.json()["shared_indicators"][0]["kpis"] if row["consortium"] == "south"
    )
    assert row["stages"][2]["value"] == "6"


def test_a_programme_with_only_unpublished_consortia_is_not_found(world):
    other = ConsortiumFactory(is_published=False)
    assert client_for(None).get(f"{API}{other.programme.slug}/").status_code == 404
    slugs = [row["slug"] for row in client_for(None).get(API).json()["results"]]
    assert other.programme.slug not in slugs and "mission" in slugs


def test_one_programme_read_again_is_answered_from_its_kept_answer(
    world, django_assert_max_num_queries
):
    client = client_for(None)
    first = client.get(f"{API}mission/")
    with django_assert_max_num_queries(1):  # the programme's version, nothing else
        again = client.get(f"{API}mission/")
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]


def test_the_list_leaves_the_tables_of_shared_codes_to_one_programme(world):
    [record] = [
        row for row in client_for(None).get(API).json()["results"] if row["slug"] == "mission"
    ]
    assert "shared_indicators" not in record
    assert {item["slug"] for item in record["consortia"]} == {"north", "south"}
