"""The roadmap page through the HTTP client (SERN demo data) and its timeline layout."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from roadmaps.views import timeline
from tests.cities.factories import ConsortiumFactory
from tests.roadmaps.factories import PhaseFactory

pytestmark = pytest.mark.django_db


def roadmap(client, **params):
    response = client.get(reverse("roadmap"), params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_roadmap_defaults_to_the_first_consortium_with_phases(client, sern):
    ConsortiumFactory(name="AAA no phases yet")

    response, _html = roadmap(client)

    assert response.context["consortium"] == sern


def test_roadmap_shows_the_journey_phases_with_dates_and_stages(client, sern):
    _response, html = roadmap(client, consortium="sern")

    assert "Preparation &amp; assessment" in html
    assert "Sep 2020 – Jan 2021" in html
    assert "May 2021 – Jul 2022" in html
    assert "KPIs measured: Midway through the challenge" in html
    assert 'class="timeline"' in html


def test_roadmap_groups_activities_by_status(client, sern):
    response, html = roadmap(client, consortium="sern")

    counts = {status: len(items) for status, _label, items in response.context["activity_columns"]}
    assert counts == {"planned": 4, "ongoing": 8, "done": 6}
    assert "Work groups at municipal level established" in html


def test_roadmap_shows_governance_commitments_and_lessons(client, sern):
    _response, html = roadmap(client, consortium="sern")

    assert "Reviews overall progress, takes key decisions" in html
    assert "Head of ICT department" in html
    assert "Initiative 2" in html
    assert "On-going collaboration" in html
    assert "Migrate IT applications to cloud." in html
    assert "The importance of having a permanent organisation" in html


def test_consortium_without_a_roadmap_says_so(client, sern):
    other = ConsortiumFactory(name="Green Ports")

    _response, html = roadmap(client, consortium=other.slug)

    assert "No journey phases recorded yet." in html
    assert "No lessons recorded yet." in html


def test_today_is_marked_on_the_timeline_during_the_journey(db):
    phases = [
        PhaseFactory.build(
            number=1, start=datetime.date(2021, 1, 1), end=datetime.date(2021, 12, 31)
        ),
        PhaseFactory.build(
            number=2, start=datetime.date(2022, 1, 1), end=datetime.date(2022, 12, 31)
        ),
    ]

    line = timeline(phases, datetime.date(2022, 1, 1))

    assert line.today_position == "during"
    assert 49 < line.today_left < 51
    assert [item.is_current for item in line.phases] == [False, True]
    assert line.years == [(2022, line.today_left)]


def test_today_outside_the_journey_is_said_not_drawn(db):
    phases = [PhaseFactory.build(start=datetime.date(2021, 1, 1), end=datetime.date(2021, 6, 30))]

    assert timeline(phases, datetime.date(2020, 5, 1)).today_position == "before"
    after = timeline(phases, datetime.date(2026, 5, 1))
    assert after.today_position == "after"
    assert after.today_left is None
    assert timeline([], datetime.date(2026, 5, 1)) is None


def test_roadmap_page_marks_today(client, sern):
    _response, html = roadmap(client, consortium="sern")

    assert "is after the last phase" in html  # SERN's journey ended in September 2022
