"""The SERN demo's DCAT-AP catalogue: valid against DCAT-AP's SHACL shapes, readable by an
independent JSON-LD processor, negotiated by Accept, and dated by the data version."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib import namespace as rdf_terms

from cities.models import OpenDataLicence
from kpis.models import Measurement
from tests.helpers.opendata import violations
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db

CATALOGUE = "/open-data/sern/catalog"
BASE = "http://127.0.0.1:8000"  # PORTAL_URL's default, which the tests do not set
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
DCAT_NS = "http://www.w3.org/ns/dcat#"
DCT_NS = "http://purl.org/dc/terms/"


def turtle(client) -> Graph:
    response = client.get(f"{CATALOGUE}.ttl")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle"
    return Graph().parse(data=response.content, format="turtle")


def test_the_sern_catalogue_has_no_violation_of_dcat_ap_shapes(client, sern):
    graph = turtle(client)
    found, report = violations(graph)
    assert found == 0, report
    assert len(graph) > 250  # the figures below are about this catalogue, not an empty one


@pytest.mark.parametrize("licence", OpenDataLicence.values)
def test_the_licence_a_consortium_chooses_is_the_one_every_answer_carries(client, sern, licence):
    """Catalogue (every distribution, still valid), each file's lines, facts and ``Link``
    header, and the page: all say the licence chosen."""
    codes = {
        "CC_BY_4_0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        "CC_BYSA_4_0": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        "CC0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        "IODL_2_0": (
            "IODL 2.0",
            "https://www.dati.gov.it/content/italian-open-data-license-v20",
        ),
    }
    short_name, deed = codes[licence]
    uri = f"http://publications.europa.eu/resource/authority/licence/{licence}"
    sern.open_data_licence = licence
    sern.save()

    graph = turtle(client)
    distributions = set(graph.objects(None, rdf_terms.DCAT.distribution))
    assert len(distributions) == 12  # two stages' three, three cities' two
    assert {str(graph.value(item, rdf_terms.DCTERMS.license)) for item in distributions} == {uri}
    found, report = violations(graph)
    assert found == 0, report

    stage_file = client.get("/open-data/sern/final.csv")
    city_file = client.get("/open-data/sern/cities/ravenna.csv")
    for response in (stage_file, city_file):
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert {row["licence"] for row in rows} == {uri}
        assert response["Link"].startswith(f'<{uri}>; rel="license", ')
    workbook_response = client.get("/open-data/sern/final.xlsx")
    assert workbook_response["Link"].startswith(f'<{uri}>; rel="license", ')
    workbook = load_workbook(io.BytesIO(workbook_response.content))
    facts = {
        row[0]: row[1]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
        if row and row[0]
    }
    assert facts["Licence"] == f"{short_name} ({deed})"
    assert facts["Cite as"].endswith(f"licence {short_name}.")
    page = client.get("/open-data/").content.decode()
    assert f'<a href="{deed}" rel="license">{short_name}</a>' in page


def test_a_contact_e_mail_is_in_the_valid_catalogue_and_on_the_page(client, sern):
    sern.open_data_contact = "opendata@sern.example.eu"
    sern.save()

    graph = turtle(client)
    contact = URIRef(f"{BASE}{CATALOGUE}#contact")
    assert (
        contact,
        URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"),
        URIRef("mailto:opendata@sern.example.eu"),
    ) in graph
    found, report = violations(graph)
    assert found == 0, report
    page = client.get("/open-data/").content.decode()
    assert (
        '<dt>Contact</dt>\n    <dd><a href="mailto:opendata@sern.example.eu">'
        "opendata@sern.example.eu</a></dd>"
    ) in page
    italian = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "<dt>Contatto</dt>" in italian


def test_the_json_ld_catalogue_is_the_turtle_one_and_validates_too(client, sern):
    response = client.get(f"{CATALOGUE}.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    graph = Graph().parse(data=response.content, format="json-ld")
    assert graph.isomorphic(turtle(client))
    assert violations(graph)[0] == 0


def _expanded(client) -> list[dict]:
    """The JSON-LD catalogue read by PyLD (not rdflib): every node with full IRIs."""
    document = json.loads(client.get(f"{CATALOGUE}.jsonld").content)
    assert "@graph" in document
    return jsonld.flatten(document)  # a list of nodes, each with full IRIs


def _ids(node: dict, prop: str) -> list[str]:
    return [value["@id"] for value in node.get(prop, []) if "@id" in value]


def test_an_independent_processor_finds_a_dataset_per_stage_with_three_licensed_distributions(
    client, sern
):
    nodes = {node["@id"]: node for node in _expanded(client)}
    catalogue = nodes[f"{BASE}{CATALOGUE}"]
    assert f"{DCAT_NS}Catalog" in catalogue["@type"]
    datasets = [item for item in _ids(catalogue, f"{DCAT_NS}dataset") if "#city-" not in item]
    # SERN's deliverable gives midway and final figures, no baselines.
    assert sorted(datasets) == [f"{BASE}{CATALOGUE}#final", f"{BASE}{CATALOGUE}#midway"]
    for dataset in datasets:
        node = nodes[dataset]
        assert f"{DCAT_NS}Dataset" in node["@type"]
        formats = set()
        for distribution in _ids(node, f"{DCAT_NS}distribution"):
            described = nodes[distribution]
            assert _ids(described, f"{DCT_NS}license") == [CC_BY]
            assert _ids(described, f"{DCAT_NS}accessURL")
            formats.update(_ids(described, f"{DCT_NS}format"))
        assert formats == {
            f"http://publications.europa.eu/resource/authority/file-type/{code}"
            for code in ("CSV", "XLSX", "JSON")
        }
        stage = dataset.rsplit("#", 1)[1]
        urls = {
            url
            for distribution in _ids(node, f"{DCAT_NS}distribution")
            for url in _ids(nodes[distribution], f"{DCAT_NS}accessURL")
        }
        assert urls == {
            f"{BASE}/open-data/sern/{stage}.csv",
            f"{BASE}/open-data/sern/{stage}.xlsx",
            f"{BASE}/api/v1/measurements/?consortium=sern&stage={stage}",
        }
        # Publisher, contact point, themes, places, time, documentation: each is there.
        for prop in (
            "publisher",
            "spatial",
            "temporal",
            "issued",
            "modified",
            "accrualPeriodicity",
        ):
            assert node.get(f"{DCT_NS}{prop}"), prop
        for prop in ("contactPoint", "theme", "landingPage"):
            assert node.get(f"{DCAT_NS}{prop}"), prop
        assert f"{BASE}/cities/ravenna/" in _ids(node, f"{DCT_NS}spatial")
        assert f"{BASE}/kpis/sern/2.2/" in _ids(node, "http://xmlns.com/foaf/0.1/page")
        assert "http://publications.europa.eu/resource/authority/data-theme/REGI" in _ids(
            node, f"{DCAT_NS}theme"
        )
    final_period = nodes[f"{BASE}{CATALOGUE}#final-period"]
    assert final_period[f"{DCAT_NS}startDate"][0]["@value"] == "2022-08-01"  # Review & way forward


def test_each_city_with_approved_figures_has_its_own_dataset_for_its_portal(client, sern):
    nodes = {node["@id"]: node for node in _expanded(client)}
    catalogue = nodes[f"{BASE}{CATALOGUE}"]
    cities = sorted(
        item.rsplit("#city-", 1)[1]
        for item in _ids(catalogue, f"{DCAT_NS}dataset")
        if "#city-" in item
    )
    reporting = Measurement.objects.filter(
        kpi__solution__consortium=sern, review_state="approved", city__isnull=False
    ).filter(status__in=("reported", "not_available"))
    assert cities == sorted(set(reporting.values_list("city__slug", flat=True)))
    ravenna = nodes[f"{BASE}{CATALOGUE}#city-ravenna"]
    assert _ids(ravenna, f"{DCT_NS}spatial") == [
        f"{BASE}/cities/ravenna/",
        "http://publications.europa.eu/resource/authority/country/ITA",
    ]
    urls = {
        url
        for distribution in _ids(ravenna, f"{DCAT_NS}distribution")
        for url in _ids(nodes[distribution], f"{DCAT_NS}accessURL")
    }
    assert urls == {
        f"{BASE}/open-data/sern/cities/ravenna.csv",
        f"{BASE}/api/v1/measurements/?consortium=sern&city=ravenna",
    }
    assert _ids(ravenna, "http://xmlns.com/foaf/0.1/page") == [
        f"{BASE}/open-data/#columns-heading"  # what each column means; KPIs on the stages'
    ]
    period = nodes[f"{BASE}{CATALOGUE}#city-ravenna-period"]  # midway's start to final's end
    assert (
        period[f"{DCAT_NS}startDate"][0]["@value"],
        period[f"{DCAT_NS}endDate"][0]["@value"],
    ) == (
        "2021-05-01",
        "2022-09-30",
    )


def test_the_programme_is_the_context_of_the_datasets(client, sern):
    graph = turtle(client)
    programme = URIRef(f"{BASE}/programmes/icc/")
    final = URIRef(f"{BASE}{CATALOGUE}#final")
    assert (final, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), programme) in graph
    assert (URIRef(f"{BASE}{CATALOGUE}"), rdf_terms.DCTERMS.relation, programme) in graph


def test_titles_are_in_every_language_of_the_portal(client, sern):
    graph = turtle(client)
    titles = {
        title.language: str(title)
        for title in graph.objects(URIRef(f"{BASE}{CATALOGUE}#final"), rdf_terms.DCTERMS.title)
    }
    assert titles == {
        "en": "SERN: KPI figures, Final results",
        "it": "SERN: valori dei KPI, Risultati finali",
        "sv": "SERN: KPI-siffror, Slutresultat",
    }


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("*/*", "application/ld+json"),
        ("", "application/ld+json"),
    ],
)
def test_the_catalogue_answers_in_the_format_the_client_accepts(client, sern, accept, media_type):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(CATALOGUE, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert "Accept" in response["Vary"]
    format_name = {"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(media_type, "json-ld")
    graph = Graph().parse(data=response.content, format=format_name)
    assert (
        URIRef(f"{BASE}{CATALOGUE}"),
        rdf_terms.DCAT.dataset,
        URIRef(f"{BASE}{CATALOGUE}#final"),
    ) in graph


def _modified(client) -> tuple[str, str]:
    response = client.get(f"{CATALOGUE}.ttl")
    graph = Graph().parse(data=response.content, format="turtle")
    return str(graph.value(URIRef(f"{BASE}{CATALOGUE}"), rdf_terms.DCTERMS.modified)), response[
        "ETag"
    ]


def _issued(client) -> str:
    graph = Graph().parse(data=client.get(f"{CATALOGUE}.ttl").content, format="turtle")
    return str(graph.value(URIRef(f"{BASE}{CATALOGUE}"), rdf_terms.DCTERMS.issued))


def test_modified_moves_only_when_the_data_version_moves(
    client, sern, django_capture_on_commit_callbacks
):
    first, etag = _modified(client)
    issued = _issued(client)
    assert issued <= first
    assert _modified(client) == (first, etag)
    not_modified = client.get(f"{CATALOGUE}.ttl", HTTP_IF_NONE_MATCH=etag)
    assert (not_modified.status_code, not_modified["ETag"]) == (304, etag)

    # A figure of another consortium: SERN's version, its catalogue and ETag stay.
    other_kpi = KPIFactory(solution=SolutionFactory())
    version_before = _modified(client)
    MeasurementFactory(kpi=other_kpi, value=Decimal("5"))
    assert _modified(client) == version_before

    # A SERN figure changes: its version moves, and so does the catalogue's `modified`.
    figure = Measurement.objects.filter(kpi__solution__consortium=sern, stage="final").first()
    figure.note = "Corrected."
    figure.save()
    moved, moved_etag = _modified(client)
    assert moved > version_before[0]
    assert moved_etag != version_before[1]
    assert _issued(client) == issued  # when SERN first chose open data: it stays
    assert client.get(f"{CATALOGUE}.ttl", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_unknown_formats_and_consortia_are_not_found(client, sern):
    assert client.get("/open-data/sern/catalog.xml").status_code == 404
    assert client.get("/open-data/no-such/catalog").status_code == 404
    assert client.get("/open-data/no-such/catalog.ttl").status_code == 404
