"""Cached API lists read by every kind of reader, in every language, one after the other.

``/api/v1/measurements/`` and ``/api/v1/progress/`` keep their JSON answers under their
ETags (:mod:`icc_portal.api.conditional`): the key must hold the data version, the reader,
the language and the request. Every (list, filter) × language × reader is read on one
shared cache, never cleared between two reads, and each answer compared with a fresh
one; then a change, and the same reads again.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.cache import cache

from cities.models import City
from kpis.models import Measurement
from kpis.reporting import review
from tests.helpers.api import client_for

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "it", "sv")
LISTS = [
    "/api/v1/measurements/?stage=final",
    "/api/v1/measurements/?city=ravenna",
    "/api/v1/measurements/?stage=final&page_size=5",
    "/api/v1/progress/?consortium=sern&stage=final",
    "/api/v1/progress/?consortium=sern&stage=midway",
    "/api/v1/progress/?consortium=sern",
]


@pytest.fixture
def readers(sern, sern_partner, sern_coordinator_ravenna, sern_steering, site_admin):
    """Ravenna's final stage reopened (drafts), one of them 4242: the classes differ."""
    ravenna = City.objects.get(slug="ravenna")
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    figure.value = Decimal("4242")
    figure.save()
    return {
        "anonymous": client_for(None),
        "partner": client_for(sern_partner),
        "coordinator": client_for(sern_coordinator_ravenna),
        "steering": client_for(sern_steering),
        "admin": client_for(site_admin),
    }


def answer(client, url: str, language: str) -> tuple[bytes, str]:
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200, response.content
    return response.content, response["ETag"]


def in_sequence(readers, urls, languages) -> dict:
    return {
        (url, language, reader): answer(client, url, language)
        for url in urls
        for language in languages
        for reader, client in readers.items()
    }


def stale(readers, answers) -> list:
    found = []
    for (url, language, reader), (content, etag) in answers.items():
        cache.clear()
        if (content, etag) != answer(readers[reader], url, language):
            found.append((url, language, reader))
    return found


@pytest.mark.parametrize("url", LISTS)
def test_every_reader_in_every_language_gets_a_fresh_answer(readers, url):
    answers = in_sequence(readers, [url], LANGUAGES)
    assert stale(readers, answers) == []
    etags = {etag for _content, etag in answers.values()}
    assert len(etags) == len(answers)  # one ETag per reader and language


def test_readers_in_the_opposite_order_get_fresh_answers(readers):
    backwards = dict(reversed(list(readers.items())))
    answers = in_sequence(backwards, LISTS[::-1], LANGUAGES[::-1])
    assert stale(backwards, answers) == []


def test_a_partner_after_the_steering_member_is_not_answered_the_drafts(readers):
    url = "/api/v1/measurements/?city=ravenna&stage=final"
    steering, _ = answer(readers["steering"], url, "en")
    partner, _ = answer(readers["partner"], url, "en")
    assert b"4242" in steering
    assert b"4242" not in partner
    assert b'"draft"' not in partner


def test_after_a_change_every_kept_answer_is_read_fresh(readers, sern, sern_steering):
    in_sequence(readers, LISTS, ("en",))
    ravenna = City.objects.get(slug="ravenna")
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    figure.value = Decimal("4343")
    figure.save()

    answers = in_sequence(readers, LISTS, ("en",))

    assert stale(readers, answers) == []
    assert b"4343" in answers[("/api/v1/measurements/?city=ravenna", "en", "steering")][0]


def test_a_kept_count_moves_with_a_figure_deleted_between_two_reads(readers):
    # A list's count is kept apart from its page (changelog.kept.count), by data version.
    url = "/api/v1/measurements/?city=ravenna&page_size=5"
    before = {name: answer(client, url, "en")[0] for name, client in readers.items()}
    gone = Measurement.objects.filter(city__slug="ravenna").exclude(stage="final").first()
    assert gone is not None and gone.review_state == "approved"
    gone.delete()
    for name, client in readers.items():
        counted = client.get(url).json()["count"]
        assert counted == json.loads(before[name])["count"] - 1, name
        cache.clear()
        assert client.get(url).json()["count"] == counted
