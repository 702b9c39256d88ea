"""A dataset's files: the overview's matrix at one stage, as the anonymous reader sees it,
written by the portal's own exporters (:mod:`kpis.exchange.csv`, :mod:`kpis.exchange.xlsx`)
with the licence and the source added.

A file's content is a function of the consortium's data version alone: always in English
(the portal's first language; the catalogue says the titles in every language), its dates
the version's, and a workbook's zip entries and document properties stamped with the
version's time, not the moment it was made. So the same URL gives the same bytes until
the data moves, and its ETag (:func:`changelog.kept.etag`) can say so.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cities.words import speaking
from icc_portal.api.csv import csv_lines
from kpis.dashboards import build
from kpis.dashboards.readers import matrix_inputs
from kpis.exchange import csv, xlsx
from kpis.vocabulary import stage_heading

from . import vocabulary
from .catalog import catalogue_uri, dataset_page
from .reading import anonymous

#: The CSV's columns: the overview matrix's (``kpis.exchange.csv.MATRIX_COLUMNS``), then
#: the licence and the source on every line, so a saved file still says them.
CSV_COLUMNS = (*csv.MATRIX_COLUMNS, "licence", "source")
#: The language of every file.
FILE_LANGUAGE = "en"


def citation(consortium, stage: str, version_at: datetime.datetime) -> str:
    """How to cite a stage's dataset (in the active language)."""
    title = _("KPI figures, %(stage)s") % {"stage": stage_heading(stage)}
    return _cite(consortium, title, dataset_page(consortium.slug, stage), version_at)


def city_citation(consortium, city, version_at: datetime.datetime) -> str:
    """How to cite a city's dataset (in the active language)."""
    title = _("KPI figures of %(city)s") % {"city": city.name}
    url = dataset_page(consortium.slug, f"city-{city.slug}")
    return _cite(consortium, title, url, version_at)


def _cite(consortium, title: str, url: str, version_at: datetime.datetime) -> str:
    return _(
        "%(consortium)s, “%(title)s”, data version of %(date)s, ICC Portal, %(url)s, "
        "licence %(licence)s."
    ) % {
        "consortium": consortium.name,
        "title": title,
        "date": timezone.localtime(version_at).date().isoformat(),
        "url": url,
        "licence": vocabulary.LICENCE_SHORT_NAMES[consortium.open_data_licence],
    }


def dataset_file(consortium, stage: str, fmt: str, version_at: datetime.datetime) -> bytes:
    """The dataset's file in ``fmt`` (``csv`` or ``xlsx``); queries: ``matrix_inputs``'s."""
    with translation.override(FILE_LANGUAGE), speaking(consortium.programme):
        inputs = matrix_inputs(anonymous(), consortium, requested_stage=stage)
        matrix = build.consortium_matrix(inputs)
        licence = vocabulary.licence_uri(consortium.open_data_licence)
        source = dataset_page(consortium.slug, stage)
        if fmt == "csv":
            return b"".join(csv_lines(CSV_COLUMNS, _csv_rows(matrix, inputs.kpis, licence, source)))
        facts = [
            (_("Licence"), f"{vocabulary.LICENCE_SHORT_NAMES[consortium.open_data_licence]} "
                           f"({vocabulary.LICENCE_DEEDS[consortium.open_data_licence]})"),
            (_("Source"), source),
            (_("Catalogue"), catalogue_uri(consortium.slug)),
            (_("Cite as"), citation(consortium, stage, version_at)),
        ]  # fmt: skip
        moment = version_at.astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)
        content = xlsx.matrix_workbook(
            matrix,
            consortium=consortium,
            kpis=inputs.kpis,
            exported_on=timezone.localtime(version_at).date(),
            facts=facts,
            properties={
                "title": f"{consortium.name}: {stage_heading(stage)}",
                "creator": consortium.name,
                "identifier": f"{catalogue_uri(consortium.slug)}#{stage}",
                "description": f"{_('Licence')}: {licence}. {_('Source')}: {source}",
                "keywords": licence,
                "created": moment,
            },
        )
        return stamped_zip(content, moment)


def _csv_rows(matrix, kpis, licence: str, source: str, columns=None) -> Iterator[dict]:
    for row in csv.matrix_rows(matrix, kpis, columns):
        yield {**row, "licence": licence, "source": source}


def city_file(consortium, city, stages) -> bytes:
    """One city's figures at each of ``stages`` as CSV: its column of the overview's matrix
    at each stage, in the stage datasets' columns. Queries: ``matrix_inputs``'s per stage."""
    with translation.override(FILE_LANGUAGE), speaking(consortium.programme):
        licence = vocabulary.licence_uri(consortium.open_data_licence)
        source = dataset_page(consortium.slug, f"city-{city.slug}")
        rows = []
        for stage in stages:
            inputs = matrix_inputs(anonymous(), consortium, requested_stage=stage)
            matrix = build.consortium_matrix(inputs)
            # The city's own column, by its id: two member cities may share a name and country.
            rows += _csv_rows(
                matrix,
                inputs.kpis,
                licence,
                source,
                lambda column: column.kind == "city" and column.key == city.pk,
            )
        return b"".join(csv_lines(CSV_COLUMNS, rows))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def stamped_zip(content: bytes, moment: datetime.datetime) -> bytes:
    """The workbook with every zip entry and its "modified" property dated ``moment``
    (openpyxl stamps both with the time of saving)."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            info = zipfile.ZipInfo(entry.filename, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, data)
    return output.getvalue()
