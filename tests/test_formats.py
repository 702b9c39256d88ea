"""One format per kind of date, in the active language (icc_portal/formats/)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

MOMENT = datetime.datetime(2026, 11, 27, 23, 51, tzinfo=ZoneInfo("Europe/Rome"))
TEMPLATE = Template(
    '{{ moment|date:"DATETIME_FORMAT" }}|{{ day|date }}|{{ day|date:"YEAR_MONTH_FORMAT" }}'
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "27 November 2026, 23:51|27 November 2026|Nov 2026"),
        ("it", "27 novembre 2026, 23:51|27 novembre 2026|nov 2026"),
        ("sv", "27 november 2026 23:51|27 november 2026|nov 2026"),
    ],
)
def test_each_kind_of_date_has_one_format_per_language(language, expected):
    with translation.override(language), timezone.override("Europe/Rome"):
        rendered = TEMPLATE.render(Context({"moment": MOMENT, "day": MOMENT.date()}))
    assert rendered == expected


def test_no_template_spells_out_its_own_date_format():
    """Templates name a format (DATETIME_FORMAT...) or none; never "j M Y" or "n/j/Y"."""
    import re
    from pathlib import Path

    from django.conf import settings

    pattern = re.compile(r"\|date:[\"']([^\"']+)[\"']")
    allowed = {"DATETIME_FORMAT", "SHORT_DATE_FORMAT", "YEAR_MONTH_FORMAT", "c"}
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {name}"
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for name in pattern.findall(path.read_text())
        if name not in allowed
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("language", "written"),
    [("it", "6 dicembre 2026"), ("sv", "6 december 2026"), ("en", "6 December 2026")],
)
def test_a_date_names_its_month_as_the_language_writes_it(language, written):
    from django.utils import formats

    with translation.override(language):
        assert formats.date_format(datetime.date(2026, 12, 6), "DATE_FORMAT") == written


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "€64,840"), ("it", "64.840 €"), ("sv", "64\xa0840 €")],
)
def test_an_amount_in_euro_as_the_language_writes_it(language, written):
    from decimal import Decimal

    from icc_portal.numbers import euro

    with translation.override(language):
        assert euro(Decimal("64840.00")) == written
        assert euro(Decimal("2500.50")).replace("\xa0", " ").count("50") == 1
    assert euro(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "written"), [("en", "€64,840"), ("it", "64.840 €")])
def test_the_deliverable_and_the_solution_page_write_the_cost_so(client, sern, language, written):
    headers = {"accept-language": language}
    page = client.get("/solutions/sern/2/", headers=headers).content.decode()
    deliverable = client.get("/consortia/sern/deliverable/", headers=headers).content.decode()
    assert written in page and written in deliverable
    assert "64840 EUR" not in deliverable
