"""Reading a form from a page as the browser would send it (the admin's change forms)."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser


class _AdminForm(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self.inside = False
        self.select = None
        self.multiple = False
        self.first_option = None
        self.textarea = None

    def add(self, name, value):
        if "__prefix__" not in name:
            self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("id") or "").endswith("_form")
        if not self.inside:
            return
        name = attrs.get("name")
        kind = attrs.get("type", "text")
        if tag == "input" and name and kind not in ("submit", "button", "file"):
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.add(name, unescape(attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select, self.multiple, self.first_option = name, "multiple" in attrs, None
            if not self.multiple:
                self.fields.pop(name, None)
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if "selected" in attrs:
                if not self.multiple:
                    self.fields.pop(self.select, None)
                self.add(self.select, value)
            elif self.first_option is None and not self.multiple:
                self.first_option = value
                if self.select not in self.fields:
                    self.add(self.select, value)
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and "__prefix__" not in self.textarea:
            current = self.fields[self.textarea][-1]
            self.fields[self.textarea][-1] = current + (data.lstrip("\n") if not current else data)


def read_admin_form(html: str) -> dict[str, list[str]]:
    parser = _AdminForm()
    parser.feed(html)
    return parser.fields
