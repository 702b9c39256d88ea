"""Page wording, through the page a person sees (the demo data): "not available" on a chart,
the chosen consortium kept in the menu, no lessons said in words, a printout's date and
address."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kpis.models import Measurement
from roadmaps.models import Lesson

pytestmark = pytest.mark.django_db


def test_kpi_chart_says_not_available_where_a_bar_would_stand(client, sern):
    figure = Measurement.objects.filter(status="not_available", kpi__value_type="count").first()
    response = client.get(reverse("kpi-detail", args=[figure.kpi_id]))
    chart = response.context["chart"]
    notes = [note for dataset in chart["cities"]["datasets"] for note in dataset["notes"]]
    assert "Not available" in notes
    values = [value for dataset in chart["cities"]["datasets"] for value in dataset["data"]]
    assert len(values) == len(notes)


def test_menu_keeps_the_chosen_consortium(client, sern):
    from django.core.management import call_command

    call_command("load_demo", "data/letsgov.yaml", "--no-accounts", stdout=open("/dev/null", "w"))
    html = client.get(reverse("home"), {"consortium": "letsgov"}).content.decode()
    assert 'href="/?consortium=letsgov"' in html and 'href="/roadmap/?consortium=letsgov"' in html
    html = client.get(reverse("roadmap"), {"consortium": "letsgov"}).content.decode()
    assert 'href="/?consortium=letsgov"' in html


def test_no_lessons_is_a_sentence_not_a_numbered_item(client, sern):
    Lesson.objects.filter(consortium=sern).delete()
    html = client.get(reverse("roadmap")).content.decode()
    assert '<p class="muted">No lessons recorded yet.</p>' in html
    assert '<ol class="lessons">' not in html


def test_a_printed_page_says_when_and_where_it_was_printed(client, sern):
    html = client.get(reverse("city-detail", args=["ravenna"])).content.decode()
    assert re.search(
        r'<p class="print-only print-source">Printed on \d+ \w+ \d{4}, \d\d:\d\d from '
        r"http://127.0.0.1:8000/cities/ravenna/ \(ICC Portal\)\.</p>",
        html,
    )
