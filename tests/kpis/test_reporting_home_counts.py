"""*My reporting* says where each stage stands: "13 of 19 figures, 6 missing" or
"complete", with the missing list linked only where something is missing, and the same
count as the missing list and the submit warning (kpis.reporting.missing)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cities.models import City
from kpis.models import Measurement
from kpis.reporting.missing import missing_kpis, unit_kpis
from kpis.vocabulary import STAGES

pytestmark = pytest.mark.django_db


def cell(html: str, grid_url: str) -> str:
    """The text of the table cell whose first link is the stage's grid."""
    found = re.search(rf'<td[^>]*><a href="{re.escape(grid_url)}">(.*?)</td>', html, re.S)
    assert found, grid_url
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_every_cell_counts_as_the_missing_list_does(client, sern, sern_steering):
    client.force_login(sern_steering)
    html = client.get(reverse("entry-home")).content.decode()
    seen = set()
    for city in City.objects.filter(memberships__consortium=sern):
        seen |= stages_say_their_counts(html, sern, city, "entry-grid", "entry-missing", city.slug)
    assert seen == {True, False}  # the demo has complete stages and incomplete ones


def test_a_figure_entered_moves_the_count_and_the_last_one_completes(
    client, sern, sern_coordinator_ravenna
):
    ravenna = City.objects.get(slug="ravenna")
    client.force_login(sern_coordinator_ravenna)
    url = reverse("entry-grid", args=["ravenna", "baseline"])
    missing = missing_kpis(sern, ravenna, "baseline")
    expected = unit_kpis(sern, ravenna).count()
    assert missing, "the demo leaves Ravenna's baseline incomplete"
    before = cell(client.get(reverse("entry-home")).content.decode(), url)
    assert f"{expected - len(missing)} of {expected} figures, {len(missing)} missing" in before
    for kpi in missing:
        Measurement.objects.update_or_create(
            kpi=kpi,
            city=ravenna,
            stage="baseline",
            defaults={"status": Measurement.Status.NOT_APPLICABLE, "note": "Not run here"},
        )
    html = client.get(reverse("entry-home")).content.decode()
    assert f"complete ({expected} figures)" in cell(html, url)
    assert reverse("entry-missing", args=["ravenna", "baseline"]) not in html


def test_the_counts_speak_italian(client, sern, sern_steering):
    client.force_login(sern_steering)
    html = client.get(reverse("entry-home"), headers={"accept-language": "it"}).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert re.search(r"\d+ di \d+ dati, \d+ mancanti", text)
    assert re.search(r"completa \(\d+ dati\)", text)


def row_header(html: str, name: str) -> str:
    """The text of the row header that starts with ``name``."""
    found = re.search(rf'<th scope="row">\s*{re.escape(name)}\b(.*?)</th>', html, re.S)
    assert found, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", name + found.group(1))).strip()


def test_each_row_says_why_its_stages_expect_what_they_do(client, sern, sern_steering):
    """A city's KPIs come from the solutions it implements, the consortium's from those
    it reports once: each row names the count and the solutions."""
    client.force_login(sern_steering)
    html = client.get(reverse("entry-home")).content.decode()
    ravenna, vanersborg = City.objects.get(slug="ravenna"), City.objects.get(slug="vanersborg")
    assert unit_kpis(sern, vanersborg).count() == 8
    assert "Vänersborg (SERN) 8 KPIs per stage, of solution 1, which it implements" in (
        row_header(html, "Vänersborg")
    )
    assert unit_kpis(sern, ravenna).count() == 13
    assert "13 KPIs per stage, of solutions 1 and 2, which it implements" in (
        row_header(html, "Ravenna")
    )
    assert unit_kpis(sern, None).count() == 6
    assert row_header(html, "SERN") == "SERN (reported once) 6 KPIs per stage, of solution 3"

    html = client.get(reverse("entry-home"), headers={"accept-language": "sv"}).content.decode()
    assert "8 KPI:er per etapp, från lösning 1, som staden genomför" in row_header(
        html, "Vänersborg"
    )
    assert "13 KPI:er per etapp, från lösningarna 1 och 2" in row_header(html, "Ravenna")
    html = client.get(reverse("entry-home"), headers={"accept-language": "it"}).content.decode()
    assert "13 KPI per fase, delle soluzioni 1 e 2, che attua" in row_header(html, "Ravenna")


def test_the_consortium_row_counts_as_its_missing_list(client, sern, sern_steering):
    client.force_login(sern_steering)
    html = client.get(reverse("entry-home")).content.decode()
    seen = stages_say_their_counts(
        html, sern, None, "consortium-entry-grid", "consortium-entry-missing", sern.slug
    )
    assert seen == {True, False}


def stages_say_their_counts(html, consortium, city, grid, missing_list, slug) -> set[bool]:
    """Each stage's cell of the unit (``city``, or None for the consortium's own row) says
    "N of M figures, K missing" and links its missing list, or "complete (M figures)" and
    links none; returns which of complete / incomplete were seen."""
    expected = unit_kpis(consortium, city).count()
    seen = set()
    for stage in STAGES:
        missing = len(missing_kpis(consortium, city, stage))
        text = cell(html, reverse(grid, args=[slug, stage]))
        missing_url = reverse(missing_list, args=[slug, stage])
        if missing:
            assert f"{expected - missing} of {expected} figures, {missing} missing" in text
            assert missing_url in html
        else:
            assert f"complete ({expected} figures)" in text
            assert missing_url not in html
        seen.add(missing == 0)
    return seen
