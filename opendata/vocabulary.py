"""The EU's controlled vocabularies the catalogue speaks (the Publications Office's
authority tables, as DCAT-AP asks), and the formats of the downloads.

Plain values only: the catalogue (:mod:`opendata.catalog`) turns them into RDF terms, the
pages and downloads into words and headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

AUTHORITY = "http://publications.europa.eu/resource/authority/"

#: The licences a consortium may choose (``cities.models.OpenDataLicence``, whose values
#: are the codes of the EU's licence table): each one's human-readable deed.
LICENCE_DEEDS = {
    "CC_BY_4_0": "https://creativecommons.org/licenses/by/4.0/",
    "CC_BYSA_4_0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "IODL_2_0": "https://www.dati.gov.it/content/italian-open-data-license-v20",
}
#: Short names, the same in every language.
LICENCE_SHORT_NAMES = {
    "CC_BY_4_0": "CC BY 4.0",
    "CC_BYSA_4_0": "CC BY-SA 4.0",
    "CC0": "CC0 1.0",
    "IODL_2_0": "IODL 2.0",
}


def licence_uri(code: str) -> str:
    """The licence in the EU's licence table (what DCAT-AP's validators expect)."""
    return f"{AUTHORITY}licence/{code}"


#: The data themes of every dataset (the EU's data-theme table): figures of cities
#: (regions and cities) about how their administrations work (government, public sector).
THEMES = ("REGI", "GOVE")
#: Their labels in the EU's table (English; harvesters show their own).
THEME_LABELS = {"REGI": "Regions and cities", "GOVE": "Government and public sector"}
THEME_SCHEME = f"{AUTHORITY}data-theme"


def theme_uri(code: str) -> str:
    return f"{THEME_SCHEME}/{code}"


#: ISO 3166-1 alpha-2 (``City.country``) to the EU's country table's alpha-3 codes, for the
#: countries of Europe's city programmes; a city elsewhere is covered by its own page.
COUNTRY_CODES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CH": "CHE", "CY": "CYP", "CZ": "CZE",
    "DE": "DEU", "DK": "DNK", "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA",
    "GB": "GBR", "GR": "GRC", "HR": "HRV", "HU": "HUN", "IE": "IRL", "IS": "ISL",
    "IT": "ITA", "LI": "LIE", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT",
    "NL": "NLD", "NO": "NOR", "PL": "POL", "PT": "PRT", "RO": "ROU", "SE": "SWE",
    "SI": "SVN", "SK": "SVK", "AL": "ALB", "BA": "BIH", "ME": "MNE", "MK": "MKD",
    "RS": "SRB", "TR": "TUR", "UA": "UKR", "MD": "MDA", "GE": "GEO", "AM": "ARM",
    "IL": "ISR",
}  # fmt: skip


def country_uri(alpha2: str) -> str | None:
    code = COUNTRY_CODES.get(alpha2)
    return f"{AUTHORITY}country/{code}" if code else None


#: How often a dataset is updated (the EU's frequency table): when a stage's figures are
#: approved or corrected, at no fixed interval.
FREQUENCY = f"{AUTHORITY}frequency/IRREG"

#: The catalogue's metadata languages: the portal's, in the EU's language table.
LANGUAGE_CODES = {"en": "ENG", "it": "ITA", "sv": "SWE"}


def language_uri(code: str) -> str:
    return f"{AUTHORITY}language/{LANGUAGE_CODES[code]}"


#: The kind of publisher (ADMS's publisher types): a consortium of cities' administrations.
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/LocalAuthority"
PUBLISHER_TYPE_LABEL = "Local Authority"


@dataclass(frozen=True, slots=True)
class Format:
    """A download's format: its suffix, media type (IANA) and code in the EU's file types."""

    suffix: str
    media_type: str
    file_type: str
    label: object  # a lazy translation

    @property
    def media_type_uri(self) -> str:
        return f"http://www.iana.org/assignments/media-types/{self.media_type}"

    @property
    def file_type_uri(self) -> str:
        return f"{AUTHORITY}file-type/{self.file_type}"


CSV = Format("csv", "text/csv", "CSV", _("CSV (one figure a line)"))
XLSX = Format(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLSX",
    _("Excel workbook (one sheet per solution)"),
)
JSON = Format("json", "application/json", "JSON", _("JSON through the API"))
#: Every format of a dataset, in the order the page and the catalogue list them.
FORMATS = (CSV, XLSX, JSON)
#: The formats served as files by the open-data downloads (JSON is the API's).
FILE_FORMATS = {CSV.suffix: CSV, XLSX.suffix: XLSX}
