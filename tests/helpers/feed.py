"""A partner's copy kept with ``/api/v1/changes/`` alone, read a page at a time, and the
fresh full pull it must equal (``/api/v1/measurements/``)."""

from __future__ import annotations

URL = "/api/v1/changes/"


class Copy:
    """A reader's table of figures: an item with a figure replaces it, a withdrawal drops it."""

    def __init__(self, client, page_size: int = 1):
        self.client = client
        self.page_size = page_size
        self.figures: dict[int, dict] = {}
        self.cursor = ""
        self.items: list[dict] = []

    def page(self, page_size: int | None = None) -> bool:
        """Read one page and apply it; whether more are already waiting."""
        size = page_size or self.page_size
        query = {"page_size": size, **({"since": self.cursor} if self.cursor else {})}
        response = self.client.get(URL, query)
        assert response.status_code == 200, response.content
        body = response.json()
        for item in body["results"]:
            if item["change"] == "withdrawn":
                assert item["measurement"] is None
                self.figures.pop(item["id"], None)
            else:
                assert item["measurement"]["id"] == item["id"]
                self.figures[item["id"]] = item["measurement"]
        self.items += body["results"]
        self.cursor = body["next"]
        return body["has_more"]

    def sync(self, page_size: int | None = None) -> list[dict]:
        """Read pages until none waits; the items this sync read."""
        start = len(self.items)
        while self.page(page_size):
            pass
        return self.items[start:]


def full_pull(client) -> dict[int, dict]:
    """Every figure the client may see now, through the measurements list's cursor pages."""
    figures, url = {}, "/api/v1/measurements/?page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        figures.update({row["id"]: row for row in body["results"]})
        url = body["next"]
    return figures
