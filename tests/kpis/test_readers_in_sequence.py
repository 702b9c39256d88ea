"""Kept pages read by every kind of reader, in every language, one after the other.

A page's judged part is kept under a key (:mod:`kpis.dashboards.versioned`) that must
hold everything the part depends on: the consortium's version, what the reader sees of
it (the visibility class: steering ``all``, a coordinator's ``cities:…``, everyone
else ``approved``), the language, and what the request asked (the stage). The tests read
on one shared cache, never cleared between two reads, and compare each body with a
fresh render (``tests/helpers/readers.py``). Drafts are in the data (Ravenna's final
stage reopened, one of its figures 4242, Cervia's midway reopened), so the classes see
different things.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cities.models import City
from kpis.models import Measurement
from kpis.reporting import review
from tests.helpers.readers import read, read_in_sequence, stale_reads

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "it", "sv")
DRAFT = re.compile(r"4[,. \u202f\u00a0]?242")

#: Every versioned page, with each stage or filter its key depends on.
PAGES = {
    "overview": [
        "/?consortium=sern",
        "/?consortium=sern&stage=final",
        "/?consortium=sern&stage=baseline",
        "/?consortium=sern&stage=midway",
        "/",
    ],
    "city": ["/cities/ravenna/", "/cities/cervia/"],
    "solution": ["/solutions/sern/2/?stage=final", "/solutions/sern/2/?stage=midway"],
    "kpi": ["/kpis/sern/2.2/", "/kpis/sern/1.1/"],
    "deliverable": ["/consortia/sern/deliverable/"],
}


@pytest.fixture
def drafts(sern, sern_steering):
    """Ravenna's final stage reopened with a draft 4242 in KPI 2.2; Cervia's midway reopened."""
    ravenna, cervia = City.objects.get(slug="ravenna"), City.objects.get(slug="cervia")
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=cervia, stage="midway", comment="Check"
    )
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    figure.value = 4242
    figure.save()
    return figure


@pytest.fixture
def readers(sern, drafts, sern_partner, sern_coordinator_ravenna, sern_steering, site_admin):
    """One client per kind of reader, from who sees least to who sees most."""
    clients = {"anonymous": Client()}
    for name, user in [
        ("partner", sern_partner),
        ("coordinator", sern_coordinator_ravenna),
        ("steering", sern_steering),
        ("admin", site_admin),
    ]:
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_every_reader_in_every_language_is_shown_a_fresh_render(readers, kind):
    bodies = read_in_sequence(readers, PAGES[kind], LANGUAGES)
    assert stale_reads(readers, bodies) == []


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_readers_in_the_opposite_order_are_shown_a_fresh_render_too(readers, kind):
    """Who reads first builds the entry: the most-seeing reader first this time."""
    backwards = dict(reversed(list(readers.items())))
    bodies = read_in_sequence(backwards, list(reversed(PAGES[kind])), LANGUAGES[::-1])
    assert stale_reads(backwards, bodies) == []


def test_a_partner_after_the_steering_member_is_not_shown_the_draft(readers):
    url = "/kpis/sern/2.2/"
    assert DRAFT.search(read(readers["steering"], url, "en"))
    assert not DRAFT.search(read(readers["partner"], url, "en"))
    assert not DRAFT.search(read(readers["anonymous"], url, "en"))
    assert DRAFT.search(read(readers["coordinator"], url, "en"))  # Ravenna's own draft


def test_the_deliverable_shows_a_partner_no_draft_after_the_steering_member(readers):
    url = "/consortia/sern/deliverable/"
    assert DRAFT.search(read(readers["steering"], url, "en"))
    assert not DRAFT.search(read(readers["partner"], url, "en"))
    assert not DRAFT.search(read(readers["anonymous"], url, "en"))


def test_a_partner_after_the_steering_member_gets_a_body_not_a_304(readers):
    url = "/kpis/sern/2.2/"
    steering = readers["steering"].get(url)
    again = readers["partner"].get(url, headers={"if-none-match": steering["ETag"]})
    assert again.status_code == 200
    assert not DRAFT.search(again.content.decode())


def test_italian_after_english_shows_italian_words_in_the_kept_part(readers):
    url = "/kpis/sern/2.2/"
    english = read(readers["partner"], url, "en")
    italian = read(readers["partner"], url, "it")
    swedish = read(readers["partner"], url, "sv")
    assert "KPI 2.2: every city per stage against the target" in english
    assert "KPI 2.2: ogni città per fase rispetto all'obiettivo" in italian
    assert "every city per stage" not in italian
    assert "every city per stage" not in swedish


def selected_stage(html: str) -> str:
    found = re.search(r'<option value="(\w+)" selected>', html.split('id="stage-select"')[1])
    return found.group(1)


def test_the_overview_shows_the_stage_asked_after_another_stage_was_kept(readers):
    client = readers["steering"]
    final = read(client, "/?consortium=sern&stage=final", "en")
    baseline = read(client, "/?consortium=sern&stage=baseline", "en")
    midway = read(client, "/?consortium=sern&stage=midway", "en")
    assert (selected_stage(final), selected_stage(baseline), selected_stage(midway)) == (
        "final",
        "baseline",
        "midway",
    )
    assert DRAFT.search(final)  # Ravenna's final draft, seen by the steering member
    assert not DRAFT.search(baseline)


def test_the_solution_page_shows_the_stage_asked_after_another_stage_was_kept(readers):
    client = readers["steering"]
    final = read(client, "/solutions/sern/2/?stage=final", "en")
    midway = read(client, "/solutions/sern/2/?stage=midway", "en")
    assert DRAFT.search(final)
    assert not DRAFT.search(midway)
