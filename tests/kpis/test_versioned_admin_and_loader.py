"""The admin and ``load_demo`` move the data version too: a page kept before their change
is never served after it.

The other kinds of change are in ``test_versioned_pages.py``; these two go through their
own paths (the admin's change form, posted as an officer fills it in; the loader reading a
YAML file), not through ``Model.save`` called by the test.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from changelog.versions import consortium_version, definitions_version
from kpis.models import KPI
from tests.helpers.forms import read_admin_form

pytestmark = pytest.mark.django_db

SERN_YAML = Path(settings.BASE_DIR) / "data" / "sern.yaml"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def kpi_1_1(sern) -> KPI:
    return KPI.objects.get(solution__consortium=sern, code="1.1")


def test_a_target_edited_in_the_admin_shows_on_the_next_request(client, sern, site_admin):
    client.force_login(site_admin)
    kpi = kpi_1_1(sern)
    urls = ["/?consortium=sern", f"/kpis/{kpi.pk}/"]
    for url in urls:  # kept in the cache
        assert "3 in each city" not in page(client, url)
    before = consortium_version(sern.pk)

    change = f"/admin/kpis/kpi/{kpi.pk}/change/"
    form = read_admin_form(page(client, change))
    form.update(target_value=["3"], target_text_en=["3 in each city"])
    response = client.post(change, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    kpi.refresh_from_db()
    assert (kpi.target_value, kpi.target_text) == (3, "3 in each city")
    assert consortium_version(sern.pk).position > before.position
    for url in urls:
        assert "3 in each city" in page(client, url), url


def test_load_demo_with_a_changed_file_moves_the_version_and_the_page_follows(
    client, sern, tmp_path
):
    url = "/?consortium=sern"
    assert "2 in each city" in page(client, url)  # kept in the cache
    before = definitions_version()
    changed = tmp_path / "sern.yaml"
    text = SERN_YAML.read_text(encoding="utf-8")
    assert text.count('target_text: "2 in each city"') == 1
    changed.write_text(
        text.replace('target_text: "2 in each city"', 'target_text: "2 in every city"'),
        encoding="utf-8",
    )

    call_command("load_demo", "--no-accounts", str(changed), stdout=StringIO())

    assert kpi_1_1(sern).target_text == "2 in every city"
    assert definitions_version().position > before.position
    html = page(client, url)
    assert "2 in every city" in html
    assert "2 in each city" not in html
