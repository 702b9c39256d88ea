"""A programme names its stages and its table of figures by stage (``cities.words``).

ICC's words are the portal's own; the EU Cities Mission writes its own in English,
Italian and Swedish (django-modeltranslation's columns). Pages, exports, e-mails and
the API say the consortium's programme's words; a word a programme leaves empty in a
language reads as the portal's word in that language; the stage keys never change.
"""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from docx import Document

from cities.models import Programme
from cities.words import DEFAULT_HEADINGS, DEFAULT_LABELS, DEFAULT_MATURITY, StageWords
from kpis.reporting import review
from notices.models import Profile
from tests.cities.factories import (
    CityCoordinatorFactory,
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    ProgrammeFactory,
    SteeringCommitteeMemberFactory,
    UserFactory,
)
from tests.helpers.readers import read, stale_reads
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db

MISSION_WORDS = {
    "baseline_label": ("Baseline", "Situazione di partenza", "Utgångsläge"),
    "midway_label": ("Mid-term review", "Revisione intermedia", "Halvtidsuppföljning"),
    "final_label": ("End of the pilot", "Fine del progetto pilota", "Pilotens slut"),
    "maturity_label": (
        "Progress of the pilot actions",
        "Avanzamento delle azioni pilota",
        "Pilotåtgärdernas framsteg",
    ),
}
ICC = {
    "en": ("Where we started", "Midway through the challenge", "Final results"),
    "it": ("Punto di partenza", "A metà percorso", "Risultati finali"),
}


def mission_programme(**overrides) -> Programme:
    words = {
        f"{field}_{language}": word
        for field, spoken in MISSION_WORDS.items()
        for language, word in zip(("en", "it", "sv"), spoken, strict=True)
    }
    words.update(overrides)
    return ProgrammeFactory(name="EU Cities Mission", slug="eu-cities-mission", **words)


def consortium_with_a_figure(programme, slug: str, city_slug: str):
    """A published consortium of one city implementing one KPI, with an approved final."""
    city = CityFactory(name=city_slug.title(), slug=city_slug)
    consortium = ConsortiumFactory(programme=programme, slug=slug, name=slug.upper())
    MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=[city])
    kpi = KPIFactory(solution=solution, code="1.1")
    MeasurementFactory(kpi=kpi, city=city, stage="final", value=Decimal("3"))
    return SimpleNamespace(consortium=consortium, city=city, kpi=kpi)


@pytest.fixture
def two_programmes():
    mission = consortium_with_a_figure(mission_programme(), "pilots", "bologna")
    icc = consortium_with_a_figure(ProgrammeFactory(name="ICC", slug="icc"), "icc-net", "lugo")
    return SimpleNamespace(mission=mission, icc=icc)


# --- The words themselves ---------------------------------------------------------------


def test_the_portal_says_iccs_words_in_each_language_without_a_programme():
    words = StageWords(None)
    with translation.override("it"):
        assert [words.label(stage) for stage in ("baseline", "midway", "final")] == [*ICC["it"]]
        assert words.heading("midway") == "Metà percorso"
        assert words.maturity == "Valutazione della maturità delle soluzioni"
    with translation.override("en"):
        assert words.heading("midway") == "Midway"  # the short column heading, as before
        assert words.label("latest") == "latest"  # not a stage: as given


def test_a_programme_says_its_own_words_in_each_language():
    words = StageWords(mission_programme())
    for language, position in (("en", 0), ("it", 1), ("sv", 2)):
        with translation.override(language):
            assert words.as_dict() == {
                "baseline": MISSION_WORDS["baseline_label"][position],
                "midway": MISSION_WORDS["midway_label"][position],
                "final": MISSION_WORDS["final_label"][position],
                "maturity": MISSION_WORDS["maturity_label"][position],
            }
            assert words.heading("midway") == MISSION_WORDS["midway_label"][position]


def test_a_word_left_empty_in_a_language_is_the_portals_in_that_language_not_the_english():
    words = StageWords(mission_programme(midway_label_it="", maturity_label_it=""))
    with translation.override("it"):
        assert words.label("midway") == "A metà percorso"
        assert words.maturity == "Valutazione della maturità delle soluzioni"
        assert words.label("final") == "Fine del progetto pilota"


# --- Data files and the admin -------------------------------------------------------------


@pytest.fixture
def demo():
    """SERN (ICC) and Let's GOv (the Cities Mission) as ``make run`` loads them."""
    files = ["data/sern.yaml", "data/letsgov.yaml"]
    call_command("load_demo", *files, "--no-accounts", stdout=io.StringIO())


def iccs_stage_words(language: str) -> set[str]:
    """The portal's (ICC's) stage words, table title and short headings in a language."""
    with translation.override(language):
        words = {*DEFAULT_LABELS.values(), *DEFAULT_HEADINGS.values(), DEFAULT_MATURITY}
        return {str(word) for word in words}


def test_load_demo_gives_lets_gov_the_missions_words_and_sern_the_portals(demo):
    mission = Programme.objects.get(slug="eu-cities-mission")
    assert (mission.midway_label_en, mission.midway_label_it, mission.midway_label_sv) == (
        MISSION_WORDS["midway_label"]
    )
    icc = Programme.objects.get(slug="icc")
    assert icc.midway_label_en == icc.midway_label_it == icc.midway_label_sv == ""
    client = Client()
    page = read(client, "/api/v1/consortia/letsgov/", "sv")
    assert '"midway":"Halvtidsuppföljning"' in page.replace(": ", ":")


def test_lets_govs_own_pages_say_the_missions_words_in_each_language(demo):
    """Let's GOv as data/letsgov.yaml loads it (cities, no KPI yet): its overview names
    the Mission's three stages, its deliverable the Mission's table, and neither says an
    ICC word (in Swedish the Mission's first stage is ICC's word too: that one is the
    Mission's). On one cache, after SERN's pages in the same language."""
    client = Client()
    for position, language in enumerate(("en", "it", "sv")):
        read(client, "/?consortium=sern", language)
        overview = read(client, "/?consortium=letsgov", language)
        deliverable = read(client, "/consortia/letsgov/deliverable/", language)
        mission = {field: spoken[position] for field, spoken in MISSION_WORDS.items()}
        stages = [mission[f"{stage}_label"] for stage in ("baseline", "midway", "final")]

        for word in stages:
            assert f">{word}<" in overview, (language, word)
        assert f">{mission['maturity_label']}" in deliverable, language
        for word in iccs_stage_words(language) - set(mission.values()):
            assert word not in overview, (language, word)
            assert word not in deliverable, (language, word)


DELIVERABLE_TITLES = {
    "sern": {
        "en": "SERN: ICC final deliverable",
        "it": "SERN: rapporto finale ICC",
        "sv": "SERN: ICC-slutrapport",
    },
    "letsgov": {
        "en": "Let's GOv: EU Cities Mission deliverable · End of the pilot",
        "it": "Let's GOv: rapporto EU Cities Mission · Fine del progetto pilota",
        "sv": "Let's GOv: rapport för EU Cities Mission · Pilotens slut",
    },
}


def test_the_deliverable_is_titled_in_its_programmes_words_on_the_page_and_in_the_docx(demo):
    """SERN's keeps the seed's "ICC final deliverable" (the portal's words are ICC's); Let's
    GOv's names its programme and its last stage in the Mission's words, never ICC's."""
    client = Client()
    for language in ("en", "it", "sv"):
        for slug, titles in DELIVERABLE_TITLES.items():
            page = read(client, f"/consortia/{slug}/deliverable/", language)
            answer = client.get(
                f"/consortia/{slug}/deliverable/docx/", headers={"accept-language": language}
            )
            docx = Document(io.BytesIO(answer.content))

            heading = re.search(r"<h1>([^<]*)</h1>", page).group(1)
            assert html.unescape(heading) == titles[language], (slug, language)
            assert f"<title>{heading} · " in page, (slug, language)
            assert docx.paragraphs[0].text == titles[language], (slug, language)
            assert docx.core_properties.title == titles[language], (slug, language)
            if slug == "letsgov":
                assert "ICC" not in html.unescape(page.split("<footer")[0].split("</header>")[1])


def test_the_admin_edits_a_programmes_words_per_language(site_admin):
    programme = ProgrammeFactory(slug="mission", name="Mission")
    client = Client()
    client.force_login(site_admin)
    page = client.get(f"/admin/cities/programme/{programme.pk}/change/").content.decode()
    for field in ("baseline_label_en", "midway_label_it", "maturity_label_sv"):
        assert f'name="{field}"' in page
    response = client.post(
        f"/admin/cities/programme/{programme.pk}/change/",
        {
            "name": "Mission",
            "slug": "mission",
            "description": "",
            **{f"{field}_{lang}": "" for field in MISSION_WORDS for lang in ("en", "it", "sv")},
            "midway_label_it": "Revisione intermedia",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    assert programme.midway_label_it == "Revisione intermedia"
    assert not programme.midway_label_en  # left empty: the portal's word


# --- Pages, on one cache, as two programmes and two languages ----------------------------


def test_pages_of_two_programmes_in_two_languages_read_on_one_cache_say_each_ones_words(
    two_programmes,
):
    client = Client()
    urls = {
        "mission": [
            "/?consortium=pilots&stage=final",
            "/cities/bologna/",
            f"/kpis/{two_programmes.mission.kpi.pk}/",
        ],
        "icc": [
            "/?consortium=icc-net&stage=final",
            "/cities/lugo/",
            f"/kpis/{two_programmes.icc.kpi.pk}/",
        ],
    }
    bodies = {}
    for language in ("en", "it"):  # one after the other, the cache never cleared
        for programme in ("mission", "icc"):
            for url in urls[programme]:
                bodies[(url, language, "anonymous")] = read(client, url, language)
    for url in urls["mission"]:
        assert "End of the pilot" in bodies[(url, "en", "anonymous")]
        assert "Fine del progetto pilota" in bodies[(url, "it", "anonymous")]
        for language in ("en", "it"):
            assert ICC[language][2] not in bodies[(url, language, "anonymous")]
    for url in urls["icc"]:
        assert "Final results" in bodies[(url, "en", "anonymous")]
        assert "Risultati finali" in bodies[(url, "it", "anonymous")]
        assert "End of the pilot" not in bodies[(url, "en", "anonymous")]
    city_page = bodies[("/cities/bologna/", "en", "anonymous")]
    assert "Progress of the pilot actions — Bologna, solution 1" in city_page
    assert "Mid-term review" in city_page and "Midway through the challenge" not in city_page
    assert "Assessment of solution maturity" in bodies[("/cities/lugo/", "en", "anonymous")]
    assert stale_reads({"anonymous": client}, bodies) == []


def test_a_change_to_a_programmes_words_moves_its_pages_on_the_same_cache(two_programmes):
    client = Client()
    assert "Mid-term review" in read(client, "/cities/bologna/", "en")
    programme = two_programmes.mission.consortium.programme
    programme.midway_label_en = "Halfway there"
    programme.save()
    page = read(client, "/cities/bologna/", "en")
    assert "Halfway there" in page and "Mid-term review" not in page


# --- Exports, the API and the e-mails -------------------------------------------------------


def test_a_citys_maturity_table_is_exported_in_its_programmes_words(two_programmes):
    client = Client()
    response = client.get("/cities/bologna/maturity/xlsx/", headers={"accept-language": "it"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Avanzamento delle azioni pilota – Bologna" in cells
    assert {"Situazione di partenza", "Revisione intermedia", "Fine del progetto pilota"} <= set(
        cells
    )
    assert "Risultati finali" not in cells
    lugo = client.get("/cities/lugo/maturity/xlsx/", headers={"accept-language": "it"})
    sheet = openpyxl.load_workbook(io.BytesIO(lugo.content)).active
    cells = {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    assert "Risultati finali" in cells


def test_the_consortia_api_says_the_stage_labels_in_the_language_asked(two_programmes):
    client = Client()
    mission = client.get("/api/v1/consortia/pilots/", headers={"accept-language": "it"}).json()
    assert mission["stage_labels"] == {
        "baseline": "Situazione di partenza",
        "midway": "Revisione intermedia",
        "final": "Fine del progetto pilota",
        "maturity": "Avanzamento delle azioni pilota",
    }
    icc = client.get("/api/v1/consortia/icc-net/", headers={"accept-language": "en"}).json()
    assert icc["stage_labels"]["midway"] == "Midway through the challenge"


def test_review_e_mails_name_the_stage_in_the_programmes_words_and_the_readers_language(
    two_programmes, django_capture_on_commit_callbacks
):
    mission = two_programmes.mission
    coordinator = UserFactory(username="coordinatrice")
    CityCoordinatorFactory(user=coordinator, city=mission.city)
    steering = UserFactory(username="comitato", email="comitato@example.org")
    Profile.objects.create(user=steering, language="it")
    SteeringCommitteeMemberFactory(user=steering, consortium=mission.consortium)
    MeasurementFactory(
        kpi=mission.kpi, city=mission.city, stage="midway", review_state="draft", value=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_stage(
            user=coordinator, consortium=mission.consortium, city=mission.city, stage="midway"
        )
    [message] = [message for message in mail.outbox if message.to == ["comitato@example.org"]]
    assert "Bologna, Revisione intermedia" in message.subject
    assert "«Revisione intermedia»" in message.body
    assert "A metà percorso" not in message.body
