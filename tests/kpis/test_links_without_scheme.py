"""An evidence link typed as people type it (``www.vanersborg.se/plan``) is read as
``https://www.vanersborg.se/plan`` by the grid, the API and the admin alike; a link
with a scheme of its own is judged as typed (only http and https)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kpis.models import Measurement
from kpis.reporting.rules import with_scheme
from tests.helpers.forms import field_errors, page_form, read_admin_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("www.vanersborg.se/plan", "https://www.vanersborg.se/plan"),
        ("vanersborg.se", "https://vanersborg.se"),
        ("www.vanersborg.se:8443/plan?x=1", "https://www.vanersborg.se:8443/plan?x=1"),
        ("http://www.vanersborg.se/plan", "http://www.vanersborg.se/plan"),
        ("https://example.org", "https://example.org"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("mailto:plan@vanersborg.se", "mailto:plan@vanersborg.se"),
        ("ftp://example.org/x", "ftp://example.org/x"),
        ("the plan", "the plan"),
        ("", ""),
    ],
)
def test_with_scheme(typed, read):
    assert with_scheme(typed) == read


def test_the_grid_takes_a_link_without_its_scheme(client, coordinator_ravenna, entry_world):
    client.force_login(coordinator_ravenna)
    url = reverse("entry-grid", args=["ravenna", "final"])
    kpi = entry_world.kpis.count
    html = client.get(url).content.decode()
    box = re.search(rf'<input[^>]*name="kpi{kpi.pk}-evidence_url"[^>]*>', html).group(0)
    assert 'type="text"' in box and 'inputmode="url"' in box  # no type="url" to refuse it
    data = page_form(client, url)
    data[f"kpi{kpi.pk}-value"] = "3"
    data[f"kpi{kpi.pk}-evidence_url"] = "www.vanersborg.se/plan"
    assert client.post(url, data).status_code == 302
    stored = Measurement.objects.get(kpi=kpi, city=entry_world.ravenna, stage="final")
    assert stored.evidence_url == "https://www.vanersborg.se/plan"


def test_the_api_takes_a_link_without_its_scheme(sern_coordinator_ravenna, sern):
    from kpis.models import KPI
    from tests.helpers.api import client_for

    ravenna_client = client_for(sern_coordinator_ravenna)
    kpi = KPI.objects.get(solution__consortium=sern, code="2.1")
    body = {"kpi": kpi.pk, "city": "ravenna", "stage": "baseline", "status": "reported"}
    response = ravenna_client.post(
        "/api/v1/measurements/",
        {**body, "value": "3", "evidence_url": "www.ravenna.it/piano"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["evidence_url"] == "https://www.ravenna.it/piano"


def test_the_admin_box_is_text_and_reads_https(admin_client, sern):
    figure = Measurement.objects.filter(kpi__solution__consortium=sern).first()
    html = admin_client.get(
        reverse("admin:kpis_measurement_change", args=[figure.pk])
    ).content.decode()
    box = re.search(r'<input[^>]*name="evidence_url"[^>]*>', html).group(0)
    assert 'type="text"' in box and 'inputmode="url"' in box


def test_the_admin_takes_a_link_without_its_scheme(admin_client, sern):
    figure = Measurement.objects.filter(kpi__solution__consortium=sern, value__isnull=False).first()
    url = reverse("admin:kpis_measurement_change", args=[figure.pk])
    data = page_form(admin_client, url, read_admin_form)
    data["evidence_url"] = ["www.ravenna.it/piano"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, field_errors(response.content.decode(), "evidence_url")
    figure.refresh_from_db()
    assert figure.evidence_url == "https://www.ravenna.it/piano"
    box = re.search(
        r'<input[^>]*name="evidence_url"[^>]*>', admin_client.get(url).content.decode()
    ).group(0)
    assert 'value="https://www.ravenna.it/piano"' in box
