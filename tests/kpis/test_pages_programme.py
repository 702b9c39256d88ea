"""The programme page, /programmes/<slug>/: every consortium the reader may see, its
cities, how complete each stage is, where it stands, and one table per framework code that
KPIs of two consortia carry (tests/helpers/programmes.py describes the world)."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import call_command

from tests.cities.factories import SteeringCommitteeMemberFactory, UserFactory
from tests.helpers.programmes import mission_world

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's main content as words, tags dropped and spaces squeezed."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def shared_table(response) -> str:
    """The HTML of the table of CITYkeys ENV-1."""
    html = response.content.decode()
    start = html.index('id="ref-citykeys-ENV-1"')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def world():
    return mission_world()


@pytest.fixture
def steering_north(world):
    user = UserFactory(username="steering-north")
    SteeringCommitteeMemberFactory(user=user, consortium=world.north)
    return user


def test_the_demo_programmes_serve_their_consortia_and_cities(client, sern):
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", "data/letsgov.yaml", "--no-accounts", stdout=quiet)

    icc = text_of(client.get("/programmes/icc/"))
    assert "Intelligent Cities Challenge" in icc
    assert "SERN – Sweden Emilia Romagna Network" in icc
    for city in ("Cervia", "Ravenna", "Trollhättan", "Vänersborg"):
        assert city in icc
    assert "Let's GOv" not in icc
    # SERN's 19 leaf KPIs expect 53 figures; the deliverable gives 39 midway, 45 final.
    assert "0 of 53 given (0 %)" in icc
    assert "39 of 53 given (74 %)" in icc
    assert "45 of 53 given (85 %)" in icc

    mission = text_of(client.get("/programmes/eu-cities-mission/"))
    assert "Let's GOv" in mission and "SERN" not in mission
    # Each programme's page in its own stage words, read one after the other on one cache.
    assert "Where we started" in icc and "Baseline" not in icc
    assert "Baseline" in mission and "Mid-term review" in mission
    assert "Where we started" not in mission
    for city in ("Bologna", "Bergamo", "Florence", "Milan", "Padua", "Parma", "Prato", "Rome"):
        assert city in mission
    assert "No figures yet." in mission


def test_the_overview_names_its_programme_with_a_link(client, sern):
    html = client.get("/?consortium=sern").content.decode()
    assert '<a href="/programmes/icc/">Intelligent Cities Challenge</a>' in html


def test_status_counts_are_the_units_cells_of_the_overview(client, sern):
    """SERN at final: every city's cell and the consortium's own figures, by status; the
    same counts the progress API's rows give for those units."""
    rows = client.get("/api/v1/progress/?consortium=sern&stage=final&format=csv")
    lines = b"".join(rows.streaming_content).decode().splitlines()
    header = lines[0].split(",")
    level, status = header.index("level"), header.index("status")
    from kpis.models import KPI

    once = set(
        KPI.objects.filter(solution__consortium=sern, reporting_level="consortium").values_list(
            "code", flat=True
        )
    )
    code = header.index("kpi_code")
    counts: dict[str, int] = {}
    import csv

    for row in csv.reader(lines[1:]):
        if row[level] == "city" or (row[level] == "consortium" and row[code] in once):
            counts[row[status]] = counts.get(row[status], 0) + 1
    body = client.get("/api/v1/programmes/icc/").json()
    shown = {key: value for key, value in body["consortia"][0]["status_counts"].items() if value}
    assert shown == counts
    page = text_of(client.get("/programmes/icc/"))
    assert f"Achieved : {counts['achieved']}" in page


def test_a_shared_code_makes_one_table_across_consortia(client, world):
    response = client.get("/programmes/mission/")
    table = shared_table(response)
    assert "North" in table and "South" in table
    assert "Trees planted" in table and "Trees (k)" in table
    assert re.search(r"<b>3</b> / 4", table)  # North: Oslo's 3 of 2 + 2 (Bergen's draft unseen)
    assert re.search(r"<b>5</b> / 2", table)  # South: Porto's 5 of 2
    page = text_of(response)
    # North's U4SSC code is its own: named with North, never a table of its own.
    assert "Codes only North uses, so they stay with it: U4SSC EC-9 (KPI 1.2)" in page
    assert 'id="ref-u4ssc-EC-9"' not in response.content.decode()


def test_anonymous_readers_see_published_consortia_and_approved_figures_only(client, world):
    page = text_of(client.get("/programmes/mission/"))
    assert "North" in page and "South" in page
    assert "Hidden" not in page and "Riga" not in page
    # North at final: Oslo's approved figure only, of the four expected (2 KPIs × 2 cities).
    assert "1 of 4 given (25 %) 1 approved" in page
    assert "Includes figures not yet approved" not in page


def test_a_steering_member_sees_their_consortium_s_drafts(client, world, steering_north):
    client.force_login(steering_north)
    page = text_of(client.get("/programmes/mission/"))
    assert "2 of 4 given (50 %) 1 approved" in page
    assert "Includes figures not yet approved" in page
    assert "Hidden" not in page  # another consortium's steering committee: not published


def test_a_member_of_an_unpublished_consortium_sees_it_marked(client, world):
    user = UserFactory(username="steering-hidden")
    SteeringCommitteeMemberFactory(user=user, consortium=world.hidden)
    client.force_login(user)
    page = text_of(client.get("/programmes/mission/"))
    assert "Hidden Not published" in page and "Riga" in page


def test_a_programme_without_a_consortium_you_may_read_is_not_found(client, world):
    world.north.is_published = world.south.is_published = False
    world.north.save()
    world.south.save()
    assert client.get("/programmes/mission/").status_code == 404
    assert client.get("/programmes/no-such/").status_code == 404


def test_two_readers_one_after_the_other_on_one_cache(client, world, steering_north):
    """The body is kept by the consortia's version and what each reader sees of them: the
    steering member's drafts never reach the anonymous reader who comes next, whichever
    reads first."""
    from django.test import Client

    steering = Client()
    steering.force_login(steering_north)
    for first, second in ((steering, client), (client, steering)):
        from django.core.cache import cache

        cache.clear()
        first.get("/programmes/mission/")
        seen = {
            "anonymous": shared_table(client.get("/programmes/mission/")),
            "steering": shared_table(steering.get("/programmes/mission/")),
        }
        assert seen["anonymous"] != seen["steering"]
        assert re.search(r"<b>3</b> / 4", seen["anonymous"])  # Oslo's approved 3 alone
        assert "Draft" not in seen["anonymous"] and "unapproved" not in seen["anonymous"]
        assert re.search(r"<b>4</b> / 4", seen["steering"])  # Oslo's 3 and Bergen's draft 1
        assert "Includes unapproved figures" in seen["steering"]
        assert second is not first


def test_a_figure_changed_in_one_consortium_shows_on_the_next_request(client, world):
    before = client.get("/programmes/mission/")
    assert re.search(r"<b>5</b> / 2", shared_table(before))
    client.get("/programmes/mission/")  # read from the cache

    world.figures.porto.value = Decimal("42")
    world.figures.porto.save()

    after = shared_table(client.get("/programmes/mission/"))
    assert re.search(r"<b>42</b> / 2", after)
    assert re.search(r"<b>3</b> / 4", after)  # North's row, unchanged


def test_the_page_answers_304_to_its_own_etag_until_a_figure_changes(client, world):
    first = client.get("/programmes/mission/")
    tag = first["ETag"]
    assert client.get("/programmes/mission/", HTTP_IF_NONE_MATCH=tag).status_code == 304
    world.figures.oslo.value = Decimal("9")
    world.figures.oslo.save()
    assert client.get("/programmes/mission/", HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_the_page_speaks_italian_and_swedish(client, world):
    for language, words in (
        ("it", "Confronto tra consorzi"),
        ("sv", "Jämförelse mellan konsortier"),
    ):
        page = text_of(client.get("/programmes/mission/", HTTP_ACCEPT_LANGUAGE=language))
        assert words in page
