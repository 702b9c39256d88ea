"""The site's icon: /favicon.ico answers (browsers ask for it on every site), and every
page names its SVG icon."""

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert {(16, 16), (32, 32)} <= set(Image.open(BytesIO(body)).info["sizes"])


def test_every_page_links_its_icon(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    from django.contrib.staticfiles import finders

    assert Path(finders.find("img/favicon.svg")).read_text().startswith("<svg")
