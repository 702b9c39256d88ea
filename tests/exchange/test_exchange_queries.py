"""Every export and the import run a fixed number of SQL queries, however large the consortium:
each is run at the demo size (SERN) and at ten times that size (the generated "big"
consortium of tests/test_bench_queries.py) under the same bound."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from cities.models import City, Consortium
from tests.cities.factories import (
    CityCoordinatorFactory,
    SteeringCommitteeMemberFactory,
    UserFactory,
)
from tests.helpers.exchange import as_bytes, figures_sheet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("big")]

# A signed-in steering member; each request adds the session, the user and the user's
# roles (coordinated cities, steering committees, partnerships): five queries.
LOGGED_IN = 5
BUDGETS = {
    # consortium; memberships with cities; solutions; implementing cities; KPIs; stages
    # with figures; figures of the stage; baselines; approval dates (two)
    "matrix.xlsx": 10,
    # the same without the approval dates
    "matrix.csv": 8,
    # city; memberships with consortia; solutions; KPIs; figures; activities; approval
    # dates (two)
    "city.xlsx": 8,
    "city.docx": 8,
    # consortium; member cities and KPIs counted (whether to make it in the background);
    # solutions; lead cities; implementing cities; KPIs; figures; activities; members;
    # approval dates (two)
    "consortium.xlsx": 12,
    # consortium with programme; the data version (the page is kept by it); ambition
    # statements; themes; the tables' nine; phases; lessons
    "deliverable": 15,
    # the same without the version, with the two counts
    "deliverable.docx": 16,
}


def urls(consortium: Consortium) -> dict[str, str]:
    city = City.objects.filter(memberships__consortium=consortium).order_by("name").first()
    slug = consortium.slug
    return {
        "matrix.xlsx": f"/consortia/{slug}/matrix/xlsx/?stage=final",
        "matrix.csv": f"/consortia/{slug}/matrix/csv/?stage=final",
        "city.xlsx": f"/cities/{city.slug}/maturity/xlsx/?consortium={slug}",
        "city.docx": f"/cities/{city.slug}/maturity/docx/?consortium={slug}",
        "consortium.xlsx": f"/consortia/{slug}/maturity/xlsx/",
        "deliverable": f"/consortia/{slug}/deliverable/",
        "deliverable.docx": f"/consortia/{slug}/deliverable/docx/",
    }


def consume(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("export", sorted(BUDGETS))
@pytest.mark.parametrize("size", ["sern", "big"])
def test_every_export_runs_a_fixed_number_of_queries(
    client,
    django_assert_max_num_queries,
    export,
    size,
):
    consortium = Consortium.objects.get(slug=size)
    client.force_login(SteeringCommitteeMemberFactory(consortium=consortium).user)
    url = urls(consortium)[export]
    with django_assert_max_num_queries(BUDGETS[export] + LOGGED_IN):
        response = client.get(url)
        body = consume(response)
    assert response.status_code == 200 and len(body) > 1000


# The grid's reads: the city; memberships with consortia; KPIs; lead cities; figures;
# reviews; plus the user's roles (three) with the membership of the coordinated city.
TEMPLATE = 7
# The page's unit and grid (seven); the write service's dry run of the three rows: a
# pass is its own savepoint, the KPIs with their composites, lead and implementing cities
# (four), the stage review (created and kept in history, within a savepoint: five), the
# figures locked, each row saved with its history within a savepoint (four a row), the
# rollback (two). A pass that refuses rows (in "big" two of the three figures are
# approved, so locked) stops before saving, and the rest is tried again: at most two
# passes for rows refused by the figure's state. Then forgetting old uploads and keeping
# this one (two).
PREVIEW = 43


@pytest.mark.parametrize("size", ["sern", "big"])
def test_the_template_and_the_import_run_a_fixed_number_of_queries(
    client,
    django_assert_max_num_queries,
    size,
):
    consortium = Consortium.objects.get(slug=size)
    city = City.objects.filter(memberships__consortium=consortium).order_by("name").last()
    user = UserFactory()
    CityCoordinatorFactory(user=user, city=city)
    client.force_login(user)
    base = f"/cities/{city.slug}/report/final/"

    with django_assert_max_num_queries(TEMPLATE + LOGGED_IN):
        template = client.get(base + "template/xlsx/")
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = figures_sheet(workbook)
    for row in (5, 6, 7):
        sheet[f"G{row}"] = 9
        sheet[f"J{row}"] = "Reported"
    stream = io.BytesIO(as_bytes(workbook))
    stream.name = "figures.xlsx"

    with django_assert_max_num_queries(PREVIEW + LOGGED_IN):
        preview = client.post(base + "import/", {"file": stream})
    assert preview.status_code == 200
    assert "Preview: nothing is stored yet" in preview.content.decode()


# A large consortium's document, made already in the background (kpis/exchange/background):
# the consortium; member cities and KPIs counted; the data version; the document kept.
PREPARED = 5


@pytest.mark.parametrize("export", ["consortium.xlsx", "deliverable.docx"])
@pytest.mark.parametrize("size", ["sern", "big"])
def test_a_document_made_in_the_background_is_served_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, settings, export, size
):
    settings.BACKGROUND_DOCUMENT_CELLS = 0  # every consortium counts as large
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    consortium = Consortium.objects.get(slug=size)
    client.force_login(SteeringCommitteeMemberFactory(consortium=consortium).user)
    url = urls(consortium)[export]
    assert client.get(url).status_code == 200  # made at once by the immediate backend
    with django_assert_max_num_queries(PREPARED + LOGGED_IN):
        response = client.get(url)
    assert response.status_code == 200 and len(response.content) > 1000


#: The deliverable page read again: the request's versions, read before the view runs (the
#: whole page is kept, as the dashboard pages are: kpis/dashboards/versioned.py); signed in,
#: nothing more (the session, the user and the roles come from the cache).
DELIVERABLE_KEPT = 1


@pytest.mark.parametrize("reader", ["anonymous", "steering member"])
@pytest.mark.parametrize("size", ["sern", "big"])
def test_the_deliverable_page_read_again_costs_one_query(
    client, django_assert_max_num_queries, reader, size
):
    consortium = Consortium.objects.get(slug=size)
    if reader != "anonymous":
        client.force_login(SteeringCommitteeMemberFactory(consortium=consortium).user)
    url = urls(consortium)["deliverable"]
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(DELIVERABLE_KEPT):
        again = client.get(url)
    assert without_tokens(again) == without_tokens(first)
    assert consortium.name in again.content.decode()


def test_the_deliverable_page_kept_yesterday_is_dated_today(client, monkeypatch):
    """The page says the day its figures stand on: a page kept yesterday is not served."""
    import datetime

    from django.utils import timezone

    url = urls(Consortium.objects.get(slug="sern"))["deliverable"]
    yesterday, today = datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: yesterday)
    assert "1 March 2026" in client.get(url).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    again = client.get(url).content.decode()
    assert "2 March 2026" in again and "1 March 2026" not in again


def without_tokens(response) -> str:
    """The page without its CSRF tokens (a new one each time) and its print time."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r"Printed on [^<]*", "", html)
