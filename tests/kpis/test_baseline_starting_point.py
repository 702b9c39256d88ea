"""The baseline is the starting point: a new consortium's first stage never reads "on track".

Worked through the public surface, as a steering committee and a partner would read it:
the overview, the city page, the KPI page, the progress API and the overview's XLSX and
CSV, in English, Italian and Swedish, one after the other on one cache.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from kpis.models import KPI
from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_stage():
    """Let's GOv-like: a consortium whose only figures are baselines, three of them short
    of their targets (0 of 2 buildings, "no" against "yes", 72.5 % against a lower-is-
    better 60 %) and one already at its target (3 of 3 plans)."""
    consortium = ConsortiumFactory(name="Lanterns", slug="lanterns")
    city = CityFactory(name="Trollhättan", slug="trollhattan", country="SE")
    MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=[city])
    kpis = {
        "buildings": KPIFactory(solution=solution, code="1.1", name="Buildings renovated"),
        "strategy": KPIFactory(
            solution=solution,
            code="1.2",
            name="Climate strategy adopted",
            value_type=KPI.ValueType.BOOLEAN,
            target_value=None,
        ),
        "car share": KPIFactory(
            solution=solution,
            code="1.3",
            name="Trips by car",
            value_type=KPI.ValueType.PERCENT,
            direction=KPI.Direction.LOWER,
            target_value=Decimal(60),
        ),
        "plans": KPIFactory(solution=solution, code="1.4", name="Plans", target_value=3),
    }
    values = {"buildings": 0, "car share": Decimal("72.5"), "plans": 3}
    for name, kpi in kpis.items():
        MeasurementFactory(
            kpi=kpi,
            city=city,
            stage="baseline",
            value=values.get(name),
            boolean_value=False if name == "strategy" else None,
        )
    return consortium, city, kpis


def without_legend(body: str) -> str:
    """The page without its legend, which names every status."""
    return re.sub(r'<div class="legend".*?</div>', "", body, flags=re.S)


def starting_point_labels(body: str) -> set[str]:
    """What the starting-point cells say: the city and KPI pages' status span, or the
    overview cell's status word."""
    spans = re.findall(r'class="status status-starting_point">([^<]*)<', body)
    cells = re.findall(
        r'<td class="s-starting_point[^"]*">[^<]*(?:<(?!em>|/td)[^<]*)*<em>([^<]*)<', body
    )
    return set(spans + cells)


def test_the_progress_api_says_starting_point_without_a_ratio(first_stage, client):
    rows = client.get("/api/v1/progress/?consortium=lanterns&stage=baseline&level=city").json()
    by_code = {row["kpi_code"]: row for row in rows["results"]}

    for code in ("1.1", "1.2", "1.3"):
        assert (by_code[code]["status"], by_code[code]["ratio"]) == ("starting_point", None)
    assert by_code["1.4"]["status"] == "achieved"
    assert {row["status"] for row in rows["results"]} <= {"starting_point", "achieved"}


def test_the_pages_show_the_starting_point_in_english_italian_and_swedish_on_one_cache(
    first_stage, client
):
    """Each cell's own label, in each language. In Italian and Swedish the status reads as
    ICC's name for the baseline stage ("Punto di partenza", "Utgångsläge"), which every
    one of these pages prints in its stage picker, headings and charts: only the label in
    the cell's own status span tells the status was translated."""
    consortium, city, kpis = first_stage
    pages = [
        "/?consortium=lanterns&stage=baseline",
        f"/cities/{city.slug}/?consortium=lanterns",
        f"/kpis/{kpis['buildings'].pk}/",
        f"/kpis/{kpis['strategy'].pk}/",
        f"/kpis/{kpis['car share'].pk}/",
    ]
    for language, words, never in (
        ("en", "Starting point", "On track"),
        ("it", "Punto di partenza", "In linea"),
        ("sv", "Utgångsläge", "I fas"),
    ):
        reader = Client(HTTP_ACCEPT_LANGUAGE=language)
        for url in pages:
            body = without_legend(reader.get(url).content.decode())
            assert never not in body, (language, url)
            assert not re.search(r"s(tatus)?-(on_track|behind)\b", body), (language, url)
            assert starting_point_labels(body) == {words}, (language, url)


def test_the_legend_and_the_summary_name_the_starting_point(first_stage, client):
    body = client.get("/?consortium=lanterns&stage=baseline").content.decode()
    legend = re.search(r'<div class="legend".*?</div>', body, flags=re.S).group()

    assert 'class="status status-starting_point">Starting point<' in legend
    assert "A baseline figure is the starting point" in legend
    summary = re.findall(r'count-(\w+)"><span class="count-word">([^<]+)</span>: (\d+)', body)
    assert ("starting_point", "Starting point", "3") in summary
    assert ("achieved", "Achieved", "1") in summary
    assert not [count for count in summary if count[0] in ("on_track", "behind")]


def test_the_overview_xlsx_writes_the_starting_point(first_stage, client):
    response = client.get("/consortia/lanterns/matrix/xlsx/?stage=baseline")
    assert response.status_code == 200, response
    workbook = load_workbook(io.BytesIO(response.content))
    summary, solution = workbook.worksheets
    statuses = {row[0]: row[5] for row in solution.iter_rows(min_row=5, values_only=True) if row[0]}
    counts = [row for row in summary.iter_rows(values_only=True) if row[0] == "Column"]
    trollhattan = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Trollhättan")

    assert statuses == {
        "1.1": "Starting point",
        "1.2": "Starting point",
        "1.3": "Starting point",
        "1.4": "Achieved · 100 %",
    }
    header = counts[0]
    assert trollhattan[header.index("Starting point")] == 3
    assert trollhattan[header.index("On track")] == trollhattan[header.index("Behind")] == 0


def test_the_overview_and_progress_csv_write_the_starting_point(first_stage, client):
    answer = client.get("/consortia/lanterns/matrix/csv/?stage=baseline")
    overview = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))
    answer = client.get(
        "/api/v1/progress/",
        {"consortium": "lanterns", "stage": "baseline", "level": "city", "format": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))

    cells = {(row["kpi_code"], row["column"]): row for row in overview}
    for code in ("1.1", "1.2", "1.3"):
        cell = cells[code, "Trollhättan"]
        assert (cell["status"], cell["status_words"]) == ("starting_point", "Starting point")
    assert cells["1.1", "Consortium"]["status_words"] == (
        "Starting point · 0 of 1 city at its target"
    )
    assert {row["status"] for row in overview} == {"starting_point", "achieved"}
    assert {row["kpi_code"]: row["status"] for row in rows} == {
        "1.1": "starting_point",
        "1.2": "starting_point",
        "1.3": "starting_point",
        "1.4": "achieved",
    }
    assert {row["ratio"] for row in rows if row["status"] == "starting_point"} == {""}


def test_the_same_figures_at_midway_are_judged_again(first_stage, client):
    consortium, city, kpis = first_stage
    MeasurementFactory(kpi=kpis["buildings"], city=city, stage="midway", value=1)

    rows = client.get("/api/v1/progress/?consortium=lanterns&stage=midway&level=city").json()
    midway = {row["kpi_code"]: row["status"] for row in rows["results"]}

    assert midway["1.1"] == "on_track"  # 1 of 2 at midway: half the target
