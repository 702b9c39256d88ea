"""The portal's forms as a browser sends them (the entry grid's and any other by class)."""

from __future__ import annotations


def form_fields(html: str, form_class: str = "entry-form") -> dict[str, str]:
    """What a browser would send from the form with this class (inputs, selects, textareas)."""
    from html import unescape
    from html.parser import HTMLParser

    class Collector(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.fields: dict[str, str] = {}
            self.inside = False
            self.select = None
            self.first_option = None
            self.textarea = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = form_class in (attrs.get("class") or "").split()
            if not self.inside:
                return
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
                self.fields[name] = unescape(attrs.get("value") or "")
            elif tag == "select":
                self.select, self.first_option = name, None
            elif tag == "option" and self.select:
                if self.first_option is None:
                    self.first_option = attrs.get("value", "")
                    self.fields.setdefault(self.select, self.first_option)
                if "selected" in attrs:
                    self.fields[self.select] = attrs.get("value", "")
            elif tag == "textarea":
                self.textarea = name
                self.fields[name] = ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.fields[self.textarea] += (
                    data.lstrip("\n") if not self.fields[self.textarea] else data
                )

    collector = Collector()
    collector.feed(html)
    return collector.fields
