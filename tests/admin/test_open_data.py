"""A programme officer offers a published consortium's figures as open data in the admin's
"Open data" fieldset, choosing the licence and a contact; the catalogue follows at once.
(Refused for an unpublished consortium: ``test_refusals``.)"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib import namespace as rdf_terms

from tests.helpers.forms import page_form, read_admin_form

pytestmark = pytest.mark.django_db

IODL = "http://publications.europa.eu/resource/authority/licence/IODL_2_0"
CATALOGUE = "http://127.0.0.1:8000/open-data/letsgov/catalog"


def test_a_published_consortium_saved_with_open_data_is_in_the_catalogue_under_its_licence(
    officer, setup_world
):
    url = f"/admin/cities/consortium/{setup_world.letsgov.pk}/change/"
    form = page_form(officer, url, read_admin_form)
    assert form["open_data_licence"] == ["CC_BY_4_0"]  # the default the form offers
    assert officer.get("/open-data/letsgov/catalog.ttl").status_code == 404
    form.update(
        open_data=["on"],
        open_data_licence=["IODL_2_0"],
        open_data_contact=["dati@letsgov.example.it"],
    )

    response = officer.post(url, form)

    assert response.status_code == 302
    assert response["Location"] == "/admin/cities/consortium/"
    letsgov = setup_world.letsgov
    letsgov.refresh_from_db()
    assert letsgov.open_data_since is not None
    shown = officer.get(url).content.decode()
    assert "Open data since" in shown  # read-only, in the fieldset
    graph = Graph().parse(
        data=officer.get("/open-data/letsgov/catalog.ttl").content, format="turtle"
    )
    assert graph.value(URIRef(CATALOGUE), rdf_terms.DCTERMS.license) == URIRef(IODL)
    assert (
        URIRef(f"{CATALOGUE}#contact"),
        URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"),
        URIRef("mailto:dati@letsgov.example.it"),
    ) in graph
    page = officer.get("/open-data/").content.decode()
    assert "Let&#x27;s GOv" in page and "IODL 2.0" in page
