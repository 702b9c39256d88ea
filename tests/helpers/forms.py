"""The portal's forms read from a page as a browser would send them: the entry grid's (or any
form by its class), and the admin's change forms, with rows added and errors read back."""

from __future__ import annotations

import re
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


def add_inline_rows(form: dict, prefix: str, rows: list[dict]) -> dict:
    """Rows added with "Add another …", as the admin's script numbers them."""
    start = int(form[f"{prefix}-TOTAL_FORMS"][0])
    for offset, row in enumerate(rows):
        for field, value in row.items():
            form[f"{prefix}-{start + offset}-{field}"] = (
                value if isinstance(value, list) else [value]
            )
    form[f"{prefix}-TOTAL_FORMS"] = [str(start + len(rows))]
    return form


def field_errors(html: str, field: str) -> list[str]:
    """The messages the admin shows beside ``field`` (its row's error list)."""
    found = []
    for block in re.findall(
        rf'<div class="form-row[^"]*errors[^"]*field-{field}\b.*?</ul>', html, flags=re.S
    ):
        found += re.findall(r"<li>(.*?)</li>", block, flags=re.S)
    # Tabular inlines put a cell's errors in the cell itself.
    for block in re.findall(rf'<td class="field-{field}[^"]*">(.*?)</td>', html, flags=re.S):
        found += re.findall(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', block, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", message)).strip() for message in found]


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
