"""A consortium's own words in the reader's language (issue 23, item 5).

A KPI's name, unit and target wording and a solution's and an activity's title may be
given in Italian and Swedish beside English (django-modeltranslation's columns,
``kpis/translation.py``, ``solutions/translation.py``): pages, the API, exports and the
admin say them in the reader's language, English where a language has none. The
demo's words stay English; the Italian and Swedish here are the tests' own.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cities.models import Consortium
from kpis.framework import copy_framework
from kpis.models import KPI
from solutions.models import Activity, Solution
from tests.helpers.exchange import workbook_of
from tests.helpers.programmes import mission_world
from tests.helpers.readers import read, stale_reads

pytestmark = pytest.mark.django_db

DEPARTMENTS_IT = "Numero di dipartimenti coinvolti"
DEPARTMENTS_SV = "Antal involverade förvaltningar"
PRACTICES_IT = "Numero di casi e pratiche presentati"
LANGUAGES = ("en", "it", "sv")
PLAN_IT = "Piano di trasformazione digitale"
WORK_GROUPS_IT = "Gruppi di lavoro comunali costituiti"


@pytest.fixture
def worded(sern):
    """SERN with Italian words for KPIs 1.1 and 1.2, Swedish for 1.1's name only, an
    Italian title for solution 1 and its activity 1.1; everything else English only."""
    departments = KPI.objects.get(solution__consortium=sern, code="1.1")
    departments.name_it, departments.name_sv = DEPARTMENTS_IT, DEPARTMENTS_SV
    departments.unit_it, departments.target_text_it = "dipartimenti", "2 in ogni città"
    departments.save()
    practices = KPI.objects.get(solution__consortium=sern, code="1.2")
    practices.name_it = PRACTICES_IT
    practices.save()
    solution = Solution.objects.get(consortium=sern, number=1)
    solution.title_it = PLAN_IT
    solution.save()
    activity = Activity.objects.get(solution=solution, code="1.1")
    activity.title_it = WORK_GROUPS_IT
    activity.save()
    return departments


def test_existing_rows_keep_their_english_words_in_the_english_column(sern):
    kpi = KPI.objects.get(solution__consortium=sern, code="1.1")
    assert (kpi.name_en, kpi.unit_en, kpi.target_text_en) == (
        "Number of involved departments",
        "departments",
        "2 in each city",
    )
    assert kpi.name_it is None and kpi.name_sv is None
    for language in ("en", "it", "sv"):
        with translation.override(language):
            assert kpi.name == "Number of involved departments"
    solution = Solution.objects.get(consortium=sern, number=1)
    assert solution.title_en == "Digital Transformation Plan"


def test_the_kpi_page_and_the_overview_read_in_three_languages_on_one_cache(worded):
    client = Client()
    urls = [f"/kpis/{worded.pk}/", "/?consortium=sern&stage=final", "/?consortium=sern"]
    bodies = {}
    for language in ("en", "it", "sv"):  # one after the other, the cache never cleared
        for url in urls:
            bodies[(url, language, "anonymous")] = read(client, url, language)
    kpi_page = {language: bodies[(urls[0], language, "anonymous")] for language in LANGUAGES}
    assert "Number of involved departments" in kpi_page["en"]
    assert (
        DEPARTMENTS_IT in kpi_page["it"]
        and "Number of involved departments" not in (kpi_page["it"])
    )
    assert "2 in ogni città" in kpi_page["it"] and "2 in each city" in kpi_page["sv"]
    assert DEPARTMENTS_SV in kpi_page["sv"] and DEPARTMENTS_IT not in kpi_page["sv"]
    for url in urls[1:]:
        english, italian, swedish = (bodies[(url, language, "anonymous")] for language in LANGUAGES)
        assert "Number of involved departments" in english and DEPARTMENTS_IT not in english
        assert DEPARTMENTS_IT in italian and PRACTICES_IT in italian
        assert DEPARTMENTS_SV in swedish and PRACTICES_IT not in swedish
        # No Italian or Swedish words given: the English ones, in every language.
        for page in (italian, swedish):
            assert "Number of feedbacks received from ICC cities" in page
        assert "Number of cases and practices presented" in swedish
    assert stale_reads({"anonymous": client}, bodies) == []


def test_the_api_says_the_words_in_the_language_asked_with_english_as_fallback(worded):
    client = Client()
    for language, name, practices in (
        ("en", "Number of involved departments", "Number of cases and practices presented"),
        ("it", DEPARTMENTS_IT, PRACTICES_IT),
        ("sv", DEPARTMENTS_SV, "Number of cases and practices presented"),
    ):  # one after the other on one cache
        headers = {"accept-language": language}
        kpis = client.get("/api/v1/kpis/?consortium=sern&solution=1", headers=headers).json()
        by_code = {kpi["code"]: kpi for kpi in kpis["results"]}
        assert (by_code["1.1"]["name"], by_code["1.2"]["name"]) == (name, practices)
        progress = client.get("/api/v1/progress/?consortium=sern&stage=final", headers=headers)
        rows = {row["kpi_code"]: row for row in progress.json()["results"]}
        assert rows["1.1"]["kpi_name"] == name
        assert rows["1.1"]["unit"] == ("dipartimenti" if language == "it" else "departments")
        solutions = client.get("/api/v1/solutions/?consortium=sern", headers=headers).json()
        [plan] = [item for item in solutions["results"] if item["number"] == 1]
        assert plan["title"] == (PLAN_IT if language == "it" else "Digital Transformation Plan")


def test_exports_and_the_deliverable_speak_the_readers_language(worded):
    client = Client()
    workbook = workbook_of(
        client.get("/consortia/sern/matrix/xlsx/?stage=final", headers={"accept-language": "it"})
    )
    cells = {
        cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    }
    assert DEPARTMENTS_IT in " ".join(str(cell) for cell in cells if cell)
    deliverable = read(client, "/consortia/sern/deliverable/", "it")
    assert PLAN_IT in deliverable and WORK_GROUPS_IT in deliverable
    english = read(client, "/consortia/sern/deliverable/", "en")
    assert "Digital Transformation Plan" in english and PLAN_IT not in english


def test_the_admin_shows_and_saves_the_words_beside_english(worded, django_user_model):
    admin = django_user_model.objects.create_superuser("words-admin", "w@example.org", "x")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/kpis/kpi/{worded.pk}/change/").content.decode()
    for field in ("name_en", "name_it", "name_sv", "unit_sv", "target_text_it"):
        assert f'name="{field}"' in page
    solution_page = client.get(f"/admin/solutions/solution/{worded.solution_id}/change/")
    html = solution_page.content.decode()
    assert 'name="title_it"' in html and f'value="{PLAN_IT}"' in html
    assert 'name="activities-0-title_sv"' in html


def test_copying_a_framework_copies_the_words_of_every_language(worded, sern):
    call_command("load_demo", "--no-accounts", "data/letsgov.yaml", stdout=io.StringIO())
    letsgov = Consortium.objects.get(slug="letsgov")
    with translation.override("it"):  # an Italian admin copies: English stays English
        copy_framework(source=sern, target=letsgov)
    copied = KPI.objects.get(solution__consortium=letsgov, code="1.1")
    assert (copied.name_en, copied.name_it, copied.name_sv) == (
        "Number of involved departments",
        DEPARTMENTS_IT,
        DEPARTMENTS_SV,
    )
    feedbacks = KPI.objects.get(solution__consortium=letsgov, code="1.4")
    assert (feedbacks.name_en, feedbacks.name_it) == (
        "Number of feedbacks received from ICC cities",
        None,
    )
    solution = Solution.objects.get(consortium=letsgov, number=1)
    assert (solution.title_en, solution.title_it) == ("Digital Transformation Plan", PLAN_IT)


# --- Data files ------------------------------------------------------------------------------

WORDED_FILE = """\
programme: {slug: words-programme, name: Words programme}
cities:
  - {slug: words-town, name: Words Town, country: IT}
consortium:
  slug: words
  name: Words consortium
  members: [{city: words-town, role: lead}]
solutions:
  - number: 1
    title: {en: Open data, it: Dati aperti}
    implementing_cities: [words-town]
    activities:
      - {code: "1.1", title: Data collection}
    kpis:
      - code: "1.1"
        name: {en: Datasets published, it: Dataset pubblicati, sv: Publicerade dataset}
        unit: {en: datasets, it: dataset}
        target_value: "2"
        target_text: 2 in each city
"""


def load_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "words.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    call_command("load_demo", "--no-accounts", str(path), stdout=io.StringIO())


def test_a_data_file_gives_words_per_language_or_english_alone(tmp_path):
    load_text(tmp_path, WORDED_FILE)
    kpi = KPI.objects.get(solution__consortium__slug="words", code="1.1")
    assert (kpi.name_en, kpi.name_it, kpi.name_sv) == (
        "Datasets published",
        "Dataset pubblicati",
        "Publicerade dataset",
    )
    assert (kpi.unit_en, kpi.unit_it, kpi.unit_sv) == ("datasets", "dataset", None)
    assert (kpi.target_text_en, kpi.target_text_it) == ("2 in each city", None)
    solution = Solution.objects.get(consortium__slug="words", number=1)
    assert (solution.title_en, solution.title_it, solution.title_sv) == (
        "Open data",
        "Dati aperti",
        None,
    )
    activity = Activity.objects.get(solution=solution, code="1.1")
    assert (activity.title_en, activity.title_it) == ("Data collection", None)
    # Loaded again with the Italian left out: the file is what the rows say.
    load_text(tmp_path, WORDED_FILE.replace("{en: Open data, it: Dati aperti}", "Open data"))
    solution.refresh_from_db()
    assert (solution.title_en, solution.title_it) == ("Open data", None)


@pytest.mark.parametrize(
    "words, problem",
    [
        ("{en: Datasets published, de: Datensätze}", "unknown key 'de'"),
        ("{it: Dataset pubblicati}", "missing required key: en"),
    ],
)
def test_a_data_file_with_a_wrong_language_is_refused_with_the_key(tmp_path, words, problem):
    text = WORDED_FILE.replace(
        "{en: Datasets published, it: Dataset pubblicati, sv: Publicerade dataset}", words
    )
    with pytest.raises(CommandError) as refused:
        load_text(tmp_path, text)
    assert problem in str(refused.value)
    assert "KPI 1.1.name" in str(refused.value)


def test_the_words_of_another_language_cost_no_query(worded):
    """The translated columns come with the rows already read: a page in Italian runs
    as many queries as in English, whatever the number of KPIs."""
    client = Client()
    counts = {}
    for language in LANGUAGES:
        for url in (f"/kpis/{worded.pk}/", "/?consortium=sern&stage=final", "/cities/ravenna/"):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                read(client, url, language)
            counts[(url, language)] = len(queries)
    for (url, language), count in counts.items():
        assert count == counts[(url, "en")], (url, language, counts)


def test_the_programmes_shared_kpis_are_named_in_the_language_asked():
    world = mission_world()
    trees = world.kpis.north_trees
    trees.name_it, trees.unit_sv = "Alberi piantati", "träd"
    trees.save()
    client = Client()
    names = {}
    for language in LANGUAGES:  # one after the other on one cache
        body = client.get("/api/v1/programmes/mission/", headers={"accept-language": language})
        [indicator] = body.json()["shared_indicators"]
        rows = {row["consortium"]: row for row in indicator["kpis"]}
        names[language] = (rows["north"]["kpi_name"], rows["south"]["kpi_name"])
        assert rows["north"]["stages"][2]["kpi_name"] == rows["north"]["kpi_name"]
        assert rows["north"]["unit"] == ("träd" if language == "sv" else trees.unit_en)
    assert names == {
        "en": ("Trees planted", "Trees (k)"),
        "it": ("Alberi piantati", "Trees (k)"),
        "sv": ("Trees planted", "Trees (k)"),
    }
