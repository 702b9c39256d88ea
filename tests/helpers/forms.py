"""The portal's forms read from a page as a browser would send them: the entry grid's (or any
form by its class) and the admin's change forms, by one parser; with rows added and errors
read back."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """What a browser sends from the forms ``wanted`` picks out (by the form tag's attributes):
    every named input but buttons and files, checkboxes and radios only when checked (a
    checkbox without a value as "on"), a select's selected options (its first option when
    none is), every textarea's text; a name's values in page order. Names with
    ``__prefix__`` (the admin's empty inline template) are left out."""

    def __init__(self, wanted: Callable[[dict], bool]):
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
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
            self.inside = self.wanted(attrs)
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


def read_form(html: str, wanted: Callable[[dict], bool]) -> dict[str, list[str]]:
    """Every value a browser would send from the forms ``wanted(attributes)`` picks out."""
    reader = _FormReader(wanted)
    reader.feed(html)
    return reader.fields


def read_admin_form(html: str) -> dict[str, list[str]]:
    """The admin's change form (its id ends in ``_form``): a list of values a name, the
    inlines' management forms included."""
    return read_form(html, lambda attrs: (attrs.get("id") or "").endswith("_form"))


def form_fields(html: str, form_class: str = "entry-form") -> dict[str, str]:
    """What a browser would send from the form with this class, one value a name (the
    entry grid's by default)."""
    fields = read_form(html, lambda attrs: form_class in (attrs.get("class") or "").split())
    return {name: values[-1] for name, values in fields.items()}


def page_form(client, url: str, read: Callable[[str], dict] = form_fields) -> dict:
    """The form on the page at ``url`` (which must answer 200) as ``read`` finds it: the entry
    grid's by default, ``read_admin_form`` for an admin change form. A test changes what
    the user would type and posts it."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return read(response.content.decode())


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
