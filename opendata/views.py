"""The open-data page, the catalogues and the dataset files.

Whoever asks, every answer here is the anonymous reader's (:mod:`opendata.reading`): what
is open data is the same for everyone. The catalogues and files are kept by the
consortium's data version (:mod:`changelog.kept`) and carry its ETag, made by the one
recipe for the anonymous reader, so a harvester's second visit is a 304 after one query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from changelog import kept as keeping
from changelog import versions
from changelog.stamp import Stamp
from cities.words import speaking
from kpis.vocabulary import STAGES, stage_heading

from . import catalog, downloads, vocabulary
from .reading import OpenConsortium, anonymous, read_open_data

#: What each column of a dataset's CSV (and of a workbook's solution sheets) means.
COLUMN_MEANINGS = (
    ("solution", gettext_lazy("The number of the solution the KPI belongs to.")),
    ("kpi_code", gettext_lazy("The KPI's code, as the consortium numbers it (e.g. 2.2).")),
    ("kpi", gettext_lazy("The KPI's name.")),
    ("unit", gettext_lazy("The unit of its figures.")),
    (
        "target",
        gettext_lazy(
            "Its target and the target's scope (per city, per country or the whole consortium)."
        ),
    ),
    (
        "column",
        gettext_lazy("Whose figure it is: a city, a country's total or the consortium's."),
    ),
    ("column_kind", gettext_lazy("city, country or consortium.")),
    (
        "country",
        gettext_lazy(
            "The country as an ISO 3166-1 alpha-2 code (IT, SE…); empty for the consortium."
        ),
    ),
    ("stage", gettext_lazy("The stage of the figure: baseline, midway or final.")),
    (
        "value",
        gettext_lazy(
            "The figure: a number with a point for decimals, N/A when it is not available, "
            "or a text answer."
        ),
    ),
    (
        "status",
        gettext_lazy(
            "The figure against its target, as a code: achieved, on_track, behind, "
            "starting_point, not_available, qualitative, incomplete…"
        ),
    ),
    ("status_words", gettext_lazy("The same in words, with the share of the target reached.")),
    ("review_state", gettext_lazy("Always approved: open data holds approved figures only.")),
    ("licence", gettext_lazy("The licence of the figure, in the EU's table of licences.")),
    ("source", gettext_lazy("The page of the dataset.")),
)


class _AnonymousRequest:
    """The request as the anonymous reader's, for the ETag recipe (:func:`changelog.kept.etag`):
    the same answer has the same ETag whoever asks."""

    def __init__(self, request) -> None:
        self.user = anonymous()
        self._path = request.get_full_path()

    def get_full_path(self) -> str:
        return self._path


def _etag(request, version: Stamp, *facts) -> str:
    with translation.override(downloads.FILE_LANGUAGE):
        digest = keeping.etag("open-data", _AnonymousRequest(request), version, *facts)
    return f'"{digest}"'


def _conditional(request, version: Stamp, *facts) -> tuple[str, HttpResponse | None]:
    """The answer's ETag, and a 304 when the client holds it already."""
    tag = _etag(request, version, *facts)
    answer = get_conditional_response(request, etag=tag)
    if answer is not None:
        answer["ETag"] = tag
    return tag, answer


def _open(slug: str) -> OpenConsortium:
    found = read_open_data(slug)
    if not found:
        raise Http404(_("No consortium offers open data under this name."))
    return found[0]


def _send(content: bytes, media_type: str, *, tag: str, version: Stamp) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["ETag"] = tag
    response["Last-Modified"] = http_date(version.changed_at.timestamp())
    response["Cache-Control"] = "public, no-cache"
    return response


class CatalogueView(View):
    """``/open-data/<consortium>/catalog`` (JSON-LD, Turtle or RDF/XML by ``Accept``) and
    ``catalog.jsonld``, ``.ttl``, ``.rdf``: the consortium's DCAT-AP catalogue.

    Queries: the consortium's data version (one); when no catalogue is kept at it, the
    open data (:func:`~opendata.reading.read_open_data`: seven).
    """

    def get(self, request, slug: str, suffix: str = ""):
        if not suffix:
            media_types = [media for _format, media in catalog.SERIALISATIONS.values()]
            preferred = request.get_preferred_type(media_types) or media_types[0]
            suffix = next(
                key for key, (_f, media) in catalog.SERIALISATIONS.items() if media == preferred
            )
        elif suffix not in catalog.SERIALISATIONS:
            raise Http404(_("There is no catalogue in this format."))
        version = versions.consortium_version_by_slug(slug)
        tag, not_modified = _conditional(request, version, suffix)
        if not_modified is not None:
            not_modified["Vary"] = "Accept"
            return not_modified
        key = keeping.key("open-data-catalogue", version.position, slug, suffix)
        content = keeping.kept(key, lambda: _catalogue(slug, suffix))
        response = _send(content, catalog.SERIALISATIONS[suffix][1], tag=tag, version=version)
        response["Vary"] = "Accept"
        return response


def _catalogue(slug: str, suffix: str) -> bytes:
    with translation.override(downloads.FILE_LANGUAGE):
        return catalog.serialise(catalog.catalogue_graph(_open(slug)), suffix)


class DownloadView(View):
    """``/open-data/<consortium>/<stage>.<csv|xlsx>``: a dataset's file, the same bytes
    until the consortium's data version moves.

    Queries: the version (one); when no file is kept at it, the open data (seven) and the
    matrix (:func:`~kpis.dashboards.readers.matrix_inputs`: seven).
    """

    def get(self, request, slug: str, stage: str, fmt: str):
        if fmt not in vocabulary.FILE_FORMATS or stage not in STAGES:
            raise Http404(_("There is no such file."))
        version = versions.consortium_version_by_slug(slug)
        tag, not_modified = _conditional(request, version, stage, fmt)
        if not_modified is not None:
            return not_modified
        key = keeping.key("open-data-file", version.position, slug, stage, fmt)
        content, licence = keeping.kept(key, lambda: _file(slug, stage, fmt))
        media_type = vocabulary.FILE_FORMATS[fmt].media_type
        if fmt == "csv":
            media_type += "; charset=utf-8"
        response = _send(content, media_type, tag=tag, version=version)
        response["Content-Disposition"] = f'attachment; filename="{slug}-{stage}.{fmt}"'
        # The file says its licence and source; the headers say them to whoever fetches it.
        response["Link"] = (
            f'<{vocabulary.licence_uri(licence)}>; rel="license", '
            f'<{catalog.dataset_page(slug, stage)}>; rel="describedby"'
        )
        return response


class CityDownloadView(View):
    """``/open-data/<consortium>/cities/<city>.csv``: one city's figures at every stage with
    approved figures, the same bytes until the consortium's data version moves.

    Queries: the version (one); when no file is kept at it, the open data (seven) and the
    matrix of each stage (seven each).
    """

    def get(self, request, slug: str, city: str):
        version = versions.consortium_version_by_slug(slug)
        tag, not_modified = _conditional(request, version, "city", city)
        if not_modified is not None:
            return not_modified
        key = keeping.key("open-data-city-file", version.position, slug, city)
        content, licence = keeping.kept(key, lambda: _city_file(slug, city))
        response = _send(content, "text/csv; charset=utf-8", tag=tag, version=version)
        response["Content-Disposition"] = f'attachment; filename="{slug}-{city}.csv"'
        response["Link"] = (
            f'<{vocabulary.licence_uri(licence)}>; rel="license", '
            f'<{catalog.dataset_page(slug, f"city-{city}")}>; rel="describedby"'
        )
        return response


def _city_file(slug: str, city_slug: str) -> tuple[bytes, str]:
    open_data = _open(slug)
    city = open_data.city(city_slug)
    if city is None:
        raise Http404(_("The consortium has no approved figures of this city."))
    content = downloads.city_file(open_data.consortium, city, open_data.stages)
    return content, open_data.licence


def _file(slug: str, stage: str, fmt: str) -> tuple[bytes, str]:
    """The file's bytes and the licence code it carries."""
    open_data = _open(slug)
    if stage not in open_data.stages:
        raise Http404(_("The consortium has no approved figures at this stage."))
    content = downloads.dataset_file(open_data.consortium, stage, fmt, open_data.version.changed_at)
    return content, open_data.licence


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    """A dataset as the page lists it."""

    anchor: str
    title: str
    period: tuple | None
    downloads: list[tuple[str, str]]  # (format's label, URL)
    citation: str


def open_data_page(request):
    """``/open-data/``: every open consortium's datasets, licence, formats, columns and
    how to cite them. Queries: :func:`~opendata.reading.read_open_data`'s seven, whatever
    the number of consortia, cities and KPIs."""
    entries = []
    for open_data in read_open_data():
        consortium = open_data.consortium
        with speaking(consortium.programme):
            datasets = [_entry(open_data, stage) for stage in open_data.stages]
            city_datasets = [_city_entry(open_data, city) for city in open_data.reporting_cities]
        entries.append(
            {
                "open_data": open_data,
                "consortium": consortium,
                "licence": vocabulary.LICENCE_SHORT_NAMES[open_data.licence],
                "licence_deed": vocabulary.LICENCE_DEEDS[open_data.licence],
                "licence_uri": vocabulary.licence_uri(open_data.licence),
                "catalogue": {
                    suffix: catalog.catalogue_uri(consortium.slug) + f".{suffix}"
                    for suffix in catalog.SERIALISATIONS
                },
                "datasets": datasets,
                "city_datasets": city_datasets,
            }
        )
    context = {
        "entries": entries,
        "columns": COLUMN_MEANINGS,
        "formats": vocabulary.FORMATS,
    }
    return render(request, "opendata/index.html", context)


def _entry(open_data: OpenConsortium, stage: str) -> DatasetEntry:
    consortium = open_data.consortium
    slug = consortium.slug
    return DatasetEntry(
        anchor=f"{slug}-{stage}",
        title=stage_heading(stage),
        period=open_data.periods.get(stage),
        downloads=[
            (vocabulary.CSV.label, catalog.download_url(slug, stage, "csv")),
            (vocabulary.XLSX.label, catalog.download_url(slug, stage, "xlsx")),
            (vocabulary.JSON.label, catalog.api_url(slug, stage)),
        ],
        citation=downloads.citation(consortium, stage, open_data.version.changed_at),
    )


def _city_entry(open_data: OpenConsortium, city) -> DatasetEntry:
    consortium = open_data.consortium
    slug = consortium.slug
    return DatasetEntry(
        anchor=f"{slug}-city-{city.slug}",
        title=city.name,
        period=open_data.whole_period,
        downloads=[
            (vocabulary.CSV.label, catalog.city_download_url(slug, city.slug)),
            (
                vocabulary.JSON.label,
                catalog.city_api_url(slug, city.slug),
            ),
        ],
        citation=downloads.city_citation(consortium, city, open_data.version.changed_at),
    )
