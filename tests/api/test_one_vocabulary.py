"""One vocabulary for what happened to a figure: the schema's enums of the bulk write, the
change feed and the import preview are the words of ``icc_portal.figure_changes``."""

from __future__ import annotations

import pytest

from changelog.models import Change
from icc_portal.figure_changes import FigureChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def components(anonymous):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()["components"]["schemas"]


def enum_of(components, schema: dict) -> set[str]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        return enum_of(components, schema["allOf"][0])
    return set(schema["enum"])


def test_bulk_feed_and_imports_say_the_same_words(components):
    words = set(FigureChange.values)
    bulk = enum_of(components, components["BulkRow"]["properties"]["change"])
    feed = enum_of(components, components["Change"]["properties"]["change"])
    imports = enum_of(components, components["ImportRow"]["properties"]["status"])
    assert bulk == {"created", "updated", "unchanged"} <= words
    assert feed == {"created", "updated", "withdrawn"} <= words
    assert imports == {"created", "updated", "unchanged", "refused"}
    assert set(components["ImportCounts"]["properties"]) == imports


def test_a_plain_edit_is_logged_as_updated():
    assert Change.Reason.UPDATED == FigureChange.UPDATED
    assert "edited" not in Change.Reason.values
