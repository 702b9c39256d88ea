"""The OpenAPI schema is valid and warning-free; Swagger UI is served by the app itself."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_or_errors(tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    captured = capsys.readouterr()
    assert "Warning" not in captured.err and "Error" not in captured.err, captured.err
    text = target.read_text()
    for path in [
        "/api/v1/programmes/",
        "/api/v1/consortia/{slug}/",
        "/api/v1/cities/{slug}/",
        "/api/v1/solutions/",
        "/api/v1/activities/",
        "/api/v1/kpis/",
        "/api/v1/measurements/{id}/",
    ]:
        assert f"{path}:" in text, path


def test_schema_served_as_openapi_3(anonymous, db):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    listing = schema["paths"]["/api/v1/measurements/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"consortium", "city", "stage", "solution", "kpi", "country", "status"} <= names
    assert {"page", "page_size", "ordering"} <= names
    content = listing["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}
    assert listing["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_swagger_ui_is_served_from_the_app_without_a_cdn(anonymous, db):
    response = anonymous.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Every script and stylesheet comes from this app (the page's random CSRF token may
    # happen to spell "cdn", so look at the addresses, not the text).
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
