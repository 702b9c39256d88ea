"""The admin speaks Italian and Swedish: model and field names, help texts, section titles,
the choices and their explanations, inline titles, the site's own titles: none of it left
in English."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

PAGES = ["/admin/", "/admin/kpis/kpi/add/", "/admin/kpis/kpi/add/?kind=composite"]
PAGES += ["/admin/solutions/solution/add/", "/admin/auth/user/"]

#: English words of ours that must not be left on those pages.
ENGLISH = [
    "Consortium administration",
    "Definition sheet",
    "Stakeholders",
    "Risks and funding",
    "Charter",
    "Higher is better",
    "Each city reports",
    "No roll-up",
    "Number of cities that met their target",
    "target as worded",
    "Target scope",
    "Who must reach the target value",
    "parts of this composite KPI",
    "Add another Part",
    "Steering committee member",
    "lead cities",
]
EXPECTED = {
    "it": [
        "Amministrazione dei consorzi",
        "Scheda del KPI",
        "Soggetti coinvolti",
        "Rischi e finanziamento",
        "Più alto è meglio",
        "Ogni città comunica il proprio dato",
        "Nessuna aggregazione",
        "Chi deve raggiungere il valore obiettivo",
        "parti di questo KPI composto",
        "Aggiungi un altro Componente",
        "Membro del comitato di pilotaggio",
    ],
    "sv": [
        "Administration av konsortier",
        "Nyckeltalets definition",
        "Intressenter",
        "Risker och finansiering",
        "Högre är bättre",
        "Varje stad rapporterar",
        "Ingen sammanräkning",
        "Vem som ska nå målvärdet",
        "delar av det sammansatta nyckeltalet",
        "Lägg till ytterligare Del",
        "Styrgruppsledamot",
    ],
}


def page_text(html: str) -> str:
    # The inlines' "Add another …" travels in a data attribute the admin's script reads.
    add_texts = " ".join(
        json.loads(unescape(data))["options"]["addText"]
        for data in re.findall(r'data-inline-formset="([^"]*)"', html)
    )
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html) + " " + add_texts)
    return re.sub(r"\s+", " ", text).lower()


@pytest.mark.parametrize("language", ["it", "sv"])
def test_the_admin_pages_a_programme_officer_uses_are_in_their_language(
    client, site_admin, language
):
    client.force_login(site_admin)
    with translation.override("en"):
        text = " ".join(
            page_text(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
            for url in PAGES
        )
    left = [words for words in ENGLISH if words.lower() in text]
    assert not left, f"English on the {language} admin: {left}"
    missing = [words for words in EXPECTED[language] if words.lower() not in text]
    assert not missing, f"not on the {language} admin: {missing}"
