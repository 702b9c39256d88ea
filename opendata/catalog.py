"""A consortium's DCAT-AP catalogue as an RDF graph (rdflib), and its serialisations.

One ``dcat:Catalog`` per open consortium (:mod:`opendata.reading`), its programme as the
context its datasets were made in (``prov:wasGeneratedBy``); one ``dcat:Dataset`` per stage
with approved figures, each with three distributions (CSV and XLSX downloads, JSON through
the API) under the consortium's licence; publisher, contact point, the EU's data themes,
the cities and their countries as spatial coverage, the stage's roadmap phase as temporal
coverage, ``issued``/``modified`` from the change log, and each KPI's page (its definition
sheet) as documentation. Titles and descriptions in every language of the portal.

Every address is absolute under ``PORTAL_URL``, so the catalogue names the same things
whichever host name it was asked through. DCAT-AP's SHACL shapes (``opendata/shapes/``)
are what the tests validate it against.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from cities.words import speaking
from kpis.vocabulary import stage_heading

from . import vocabulary
from .reading import OpenConsortium

ADMS = Namespace("http://www.w3.org/ns/adms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

#: The prefixes the Turtle and the JSON-LD context use.
PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "rdfs": RDFS,
    "skos": SKOS,
    "vcard": VCARD,
    "xsd": XSD,
    "adms": ADMS,
    "locn": LOCN,
}
#: The serialisations: suffix -> (rdflib format, media type).
SERIALISATIONS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
}


def absolute(path: str) -> str:
    """The portal's address of ``path`` (``PORTAL_URL``, not the request's host)."""
    return settings.PORTAL_URL.rstrip("/") + path


def catalogue_uri(slug: str) -> str:
    return absolute(reverse("open-data-catalogue", args=[slug]))


def download_url(slug: str, stage: str, suffix: str) -> str:
    return absolute(reverse("open-data-download", args=[slug, stage, suffix]))


def city_download_url(slug: str, city: str) -> str:
    return absolute(reverse("open-data-city-download", args=[slug, city]))


def city_api_url(slug: str, city: str) -> str:
    """A city's figures in the consortium through the API (approved ones, anonymously)."""
    return absolute(f"/api/v1/measurements/?consortium={slug}&city={city}")


def api_url(slug: str, stage: str) -> str:
    """The dataset's figures through the API (approved ones, for an anonymous reader)."""
    return absolute(f"/api/v1/measurements/?consortium={slug}&stage={stage}")


def dataset_page(slug: str, stage: str) -> str:
    return absolute(reverse("open-data") + f"#{slug}-{stage}")


def in_every_language(words: Callable[[], str], programme) -> list[Literal]:
    """``words()`` said in each of the portal's languages, in the programme's words."""
    said = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language), speaking(programme):
            said.append(Literal(str(words()), lang=language))
    return said


def catalogue_graph(open_data: OpenConsortium) -> Graph:
    """The consortium's catalogue."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    consortium = open_data.consortium
    programme = consortium.programme
    slug = consortium.slug
    catalogue = URIRef(catalogue_uri(slug))
    licence = _licence(graph, open_data.licence)
    publisher = _publisher(graph, catalogue, consortium)
    contact = _contact(graph, catalogue, consortium)
    context = _programme(graph, programme)
    spatial = _spatial(graph, open_data)
    modified = _when(open_data.version.changed_at)
    issued = _when(min(open_data.issued, open_data.version.changed_at))

    add = graph.add
    add((catalogue, RDF.type, DCAT.Catalog))
    for title in in_every_language(
        lambda: _("Open data of %(consortium)s") % {"consortium": consortium.name}, programme
    ):
        add((catalogue, DCTERMS.title, title))
    for description in in_every_language(
        lambda: (
            _(
                "The approved KPI figures of %(consortium)s, a consortium of cities in "
                "%(programme)s, one dataset per stage."
            )
            % {"consortium": consortium.name, "programme": programme.name}
        ),
        programme,
    ):
        add((catalogue, DCTERMS.description, description))
    add((catalogue, DCTERMS.publisher, publisher))
    add((catalogue, DCAT.contactPoint, contact))
    add((catalogue, FOAF.homepage, _document(graph, absolute(reverse("open-data")))))
    add((catalogue, DCTERMS.license, licence))
    add((catalogue, DCTERMS.issued, issued))
    add((catalogue, DCTERMS.modified, modified))
    add((catalogue, DCTERMS.relation, context))
    add((catalogue, DCAT.themeTaxonomy, _theme_scheme(graph)))
    for language, _name in settings.LANGUAGES:
        add((catalogue, DCTERMS.language, _language(graph, language)))
    for place in spatial:
        add((catalogue, DCTERMS.spatial, place))

    terms = {
        "licence": licence,
        "issued": issued,
        "modified": modified,
        "publisher": publisher,
        "contact": contact,
        "context": context,
        "spatial": spatial,
        "documentation": [_kpi_page(graph, slug, kpi) for kpi in open_data.kpis],
    }
    for stage in open_data.stages:
        dataset = URIRef(f"{catalogue}#{stage}")
        add((catalogue, DCAT.dataset, dataset))
        _dataset(graph, dataset, open_data, _stage_dataset(open_data, stage), terms)
    for city in open_data.reporting_cities:
        dataset = URIRef(f"{catalogue}#city-{city.slug}")
        add((catalogue, DCAT.dataset, dataset))
        _dataset(graph, dataset, open_data, _city_dataset(graph, open_data, city), terms)
    return graph


@dataclass(frozen=True, slots=True)
class _Described:
    """What sets one dataset apart from the others of its catalogue."""

    title: Callable[[], str]
    description: Callable[[], str]
    identifier: str
    page: str
    period: tuple | None
    spatial: list[URIRef]
    distributions: list[tuple[vocabulary.Format, str, bool]]  # format, URL, a download?
    #: Its documentation; empty: the KPIs' pages (a stage's dataset). A city's dataset
    #: points to the columns' meanings instead: 100 KPI pages on each of 200 cities'
    #: datasets would be most of a large catalogue, saying the same thing 200 times.
    documentation: list[URIRef] = field(default_factory=list)


def _stage_dataset(open_data: OpenConsortium, stage: str) -> _Described:
    """A stage's figures: every implementing city, country total and the consortium's."""
    slug = open_data.consortium.slug
    names = {"consortium": open_data.consortium.display_name}
    return _Described(
        title=lambda: (
            _("%(consortium)s: KPI figures, %(stage)s") % {**names, "stage": stage_heading(stage)}
        ),
        description=lambda: (
            _(
                "Every approved figure of %(consortium)s's KPIs at the stage “%(stage)s”, for each "
                "implementing city, country total and the consortium, judged against its target."
            )
            % {**names, "stage": stage_heading(stage)}
        ),
        identifier=f"{slug}/{stage}",
        page=dataset_page(slug, stage),
        period=open_data.periods.get(stage),
        spatial=[],  # the consortium's places, as every dataset has
        distributions=[
            (vocabulary.CSV, download_url(slug, stage, "csv"), True),
            (vocabulary.XLSX, download_url(slug, stage, "xlsx"), True),
            (vocabulary.JSON, api_url(slug, stage), False),
        ],
    )


def _city_dataset(graph: Graph, open_data: OpenConsortium, city) -> _Described:
    """One city's figures at every stage, for the city's own portal to harvest."""
    slug = open_data.consortium.slug
    names = {"consortium": open_data.consortium.display_name, "city": city.name}
    return _Described(
        title=lambda: _("%(consortium)s: KPI figures of %(city)s") % names,
        description=lambda: (
            _(
                "Every approved figure of %(city)s for %(consortium)s's KPIs at each stage, "
                "judged against its target."
            )
            % names
        ),
        identifier=f"{slug}/{city.slug}",
        page=dataset_page(slug, f"city-{city.slug}"),
        period=open_data.whole_period,
        spatial=_places(graph, [city]),
        documentation=[_document(graph, absolute(reverse("open-data") + "#columns-heading"))],
        distributions=[
            (vocabulary.CSV, city_download_url(slug, city.slug), True),
            (vocabulary.JSON, city_api_url(slug, city.slug), False),
        ],
    )


def _dataset(
    graph: Graph, dataset: URIRef, open_data: OpenConsortium, described: _Described, terms: dict
) -> None:
    consortium = open_data.consortium
    programme = consortium.programme
    add = graph.add
    add((dataset, RDF.type, DCAT.Dataset))
    for title in in_every_language(described.title, programme):
        add((dataset, DCTERMS.title, title))
    for description in in_every_language(described.description, programme):
        add((dataset, DCTERMS.description, description))
    add((dataset, DCTERMS.identifier, Literal(described.identifier)))
    add((dataset, DCAT.landingPage, _document(graph, described.page)))
    add((dataset, DCTERMS.publisher, terms["publisher"]))
    add((dataset, DCAT.contactPoint, terms["contact"]))
    add((dataset, DCTERMS.issued, terms["issued"]))
    add((dataset, DCTERMS.modified, terms["modified"]))
    add((dataset, PROV.wasGeneratedBy, terms["context"]))
    add((dataset, DCTERMS.language, _language(graph, "en")))
    frequency = _typed(graph, vocabulary.FREQUENCY, DCTERMS.Frequency)
    add((dataset, DCTERMS.accrualPeriodicity, frequency))
    for code in vocabulary.THEMES:
        add((dataset, DCAT.theme, _theme(graph, code)))
    for place in described.spatial or terms["spatial"]:
        add((dataset, DCTERMS.spatial, place))
    if described.period is not None:
        temporal = URIRef(f"{dataset}-period")
        add((temporal, RDF.type, DCTERMS.PeriodOfTime))
        add((temporal, DCAT.startDate, Literal(described.period[0], datatype=XSD.date)))
        add((temporal, DCAT.endDate, Literal(described.period[1], datatype=XSD.date)))
        add((dataset, DCTERMS.temporal, temporal))
    add((dataset, DCAT.keyword, Literal(consortium.display_name)))
    add((dataset, DCAT.keyword, Literal(programme.name)))
    for solution in open_data.solutions:
        add((dataset, DCAT.keyword, Literal(solution.title)))
    for page in described.documentation or terms["documentation"]:
        add((dataset, FOAF.page, page))
    for fmt, url, is_download in described.distributions:
        distribution = URIRef(f"{dataset}-{fmt.suffix}")
        add((dataset, DCAT.distribution, distribution))
        _distribution(graph, distribution, fmt, url, is_download, terms)


def _distribution(
    graph: Graph, distribution: URIRef, fmt, url: str, is_download: bool, terms
) -> None:
    add = graph.add
    add((distribution, RDF.type, DCAT.Distribution))
    url = URIRef(url)
    if is_download:
        add((distribution, DCAT.downloadURL, url))
    else:  # through the API, documented there
        add((distribution, FOAF.page, _document(graph, absolute("/api/docs/"))))
    add((distribution, DCAT.accessURL, url))
    add((distribution, DCTERMS.title, Literal(fmt.file_type, lang="en")))
    add((distribution, DCTERMS.format, _typed(graph, fmt.file_type_uri, DCTERMS.MediaTypeOrExtent)))
    add((distribution, DCAT.mediaType, _typed(graph, fmt.media_type_uri, DCTERMS.MediaType)))
    add((distribution, DCTERMS.license, terms["licence"]))
    add((distribution, DCTERMS.issued, terms["issued"]))
    add((distribution, DCTERMS.modified, terms["modified"]))


def _when(moment: datetime.datetime) -> Literal:
    """A time as DCAT-AP wants it: an ``xsd:dateTime`` in UTC, to the microsecond as the
    change log records it."""
    utc = moment.astimezone(datetime.UTC)
    return Literal(utc.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)


def _typed(graph: Graph, uri: str, kind: URIRef) -> URIRef:
    """``uri`` as a node of class ``kind`` (DCAT-AP's range shapes ask each object's class)."""
    node = URIRef(uri)
    graph.add((node, RDF.type, kind))
    return node


def _language(graph: Graph, code: str) -> URIRef:
    return _typed(graph, vocabulary.language_uri(code), DCTERMS.LinguisticSystem)


def _document(graph: Graph, uri: str) -> URIRef:
    return _typed(graph, uri, FOAF.Document)


def _licence(graph: Graph, code: str) -> URIRef:
    licence = _typed(graph, vocabulary.licence_uri(code), DCTERMS.LicenseDocument)
    graph.add((licence, RDFS.label, Literal(vocabulary.LICENCE_SHORT_NAMES[code])))
    graph.add((licence, RDFS.seeAlso, URIRef(vocabulary.LICENCE_DEEDS[code])))
    return licence


def _theme_scheme(graph: Graph) -> URIRef:
    scheme = _typed(graph, vocabulary.THEME_SCHEME, SKOS.ConceptScheme)
    graph.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    return scheme


def _theme(graph: Graph, code: str) -> URIRef:
    theme = _typed(graph, vocabulary.theme_uri(code), SKOS.Concept)
    graph.add((theme, SKOS.inScheme, URIRef(vocabulary.THEME_SCHEME)))
    graph.add((theme, SKOS.prefLabel, Literal(vocabulary.THEME_LABELS[code], lang="en")))
    return theme


def _publisher(graph: Graph, catalogue: URIRef, consortium) -> URIRef:
    publisher = URIRef(f"{catalogue}#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(consortium.name)))
    kind = _typed(graph, vocabulary.PUBLISHER_TYPE, SKOS.Concept)
    graph.add((kind, SKOS.prefLabel, Literal(vocabulary.PUBLISHER_TYPE_LABEL, lang="en")))
    graph.add((publisher, DCTERMS.type, kind))
    return publisher


def _contact(graph: Graph, catalogue: URIRef, consortium) -> URIRef:
    contact = URIRef(f"{catalogue}#contact")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(consortium.name)))
    graph.add((contact, VCARD.hasURL, URIRef(absolute(reverse("open-data")))))
    if consortium.open_data_contact:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{consortium.open_data_contact}")))
    return contact


def _programme(graph: Graph, programme) -> URIRef:
    """The programme, as the activity the consortium's datasets were made in."""
    node = _typed(
        graph, absolute(reverse("programme-detail", args=[programme.slug])), PROV.Activity
    )
    graph.add((node, RDFS.label, Literal(programme.name)))
    if programme.description:
        graph.add((node, DCTERMS.description, Literal(programme.description, lang="en")))
    return node


def _spatial(graph: Graph, open_data: OpenConsortium) -> list[URIRef]:
    """The member cities (their pages) and their countries (the EU's country table)."""
    return _places(graph, open_data.cities)


def _places(graph: Graph, cities) -> list[URIRef]:
    places = []
    for city in cities:
        place = _typed(graph, absolute(reverse("city-detail", args=[city.slug])), DCTERMS.Location)
        graph.add((place, SKOS.prefLabel, Literal(city.name)))
        graph.add((place, LOCN.geographicName, Literal(city.name)))
        places.append(place)
    for country in sorted({city.country for city in cities}):
        uri = vocabulary.country_uri(country)
        if uri is not None:
            places.append(_typed(graph, uri, DCTERMS.Location))
    return places


def _kpi_page(graph: Graph, slug: str, kpi) -> URIRef:
    """A KPI's page, which shows its definition sheet (method, data source, verification)."""
    page = _document(graph, absolute(reverse("kpi-by-code", args=[slug, kpi.code])))
    graph.add((page, DCTERMS.title, Literal(f"{kpi.code} {kpi.name}")))
    return page


def serialise(graph: Graph, suffix: str) -> bytes:
    """The graph as ``suffix`` says (``jsonld``, ``ttl``, ``rdf``)."""
    rdf_format, _media_type = SERIALISATIONS[suffix]
    if rdf_format == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode()
    return graph.serialize(format=rdf_format, encoding="utf-8")
