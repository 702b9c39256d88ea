"""A page's tables as a reader sees them, by one parser: every cell of the tables of one
class, then addressed either by the headings a reader reads (:func:`read_matrix`) or, on
the overview, by KPI code and column identity (:func:`overview_cells`)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class TableCell:
    """One ``td`` or ``th`` as printed: its attributes, all its text, the text of its bold
    figure (``<b>``) and of its KPI code (``span.code``), and its first link."""

    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    bold: str = ""
    code: str = ""
    href: str | None = None

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def span(self) -> int:
        return int(self.attrs.get("colspan") or 1)


class _TableReader(HTMLParser):
    def __init__(self, table_class: str):
        super().__init__(convert_charrefs=True)
        self.table_class = table_class
        self.tables: list[list[list[TableCell]]] = []
        self.depth = 0
        self.cell: TableCell | None = None
        self.in_bold = self.in_code = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.table_class in (attrs.get("class") or "").split():
            self.tables.append([])
            self.depth = 1
        elif self.depth and tag == "table":
            self.depth += 1
        elif self.depth and tag == "tr":
            self.tables[-1].append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = TableCell(tag, attrs)
        elif self.cell is not None:
            if tag == "b":
                self.in_bold = True
            elif tag == "span" and "code" in (attrs.get("class") or "").split():
                self.in_code = True
            elif tag == "a" and self.cell.href is None:
                self.cell.href = attrs.get("href")

    def handle_endtag(self, tag):
        if self.depth and tag == "table":
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell:
            self.cell.code = self.cell.code.strip()
            self.tables[-1][-1].append(self.cell)
            self.cell = None
        elif tag == "b":
            self.in_bold = False
        elif tag == "span":
            self.in_code = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.text += data
            if self.in_bold:
                self.cell.bold += data
            if self.in_code:
                self.cell.code += data


def read_tables(html: str, table_class: str) -> list[list[list[TableCell]]]:
    """The rows of cells of every ``table`` of that class on the page, in page order."""
    reader = _TableReader(table_class)
    reader.feed(html)
    return reader.tables


@dataclass
class HtmlCell:
    classes: str
    text: str

    @property
    def status(self) -> str:
        return next((c[2:] for c in self.classes.split() if c.startswith("s-")), self.classes)


def read_matrix(html: str, table_class: str = "matrix") -> dict[tuple[str, str], HtmlCell]:
    """``(row heading's first word, column heading's first word) -> cell`` of every table
    of that class on the page (``matrix``, or ``stage-table``; their rows must not repeat)."""
    cells = {}
    for table in read_tables(html, table_class):
        rows = [row for row in table if row]
        header = [" ".join(cell.text.split()) for cell in rows[0]]
        for row in rows[1:]:
            key = " ".join(row[0].text.split()).split(" ")[0]
            position = 1
            for cell in row[1:]:
                for _ in range(cell.span):
                    column = header[position].split(" ")[0] if position < len(header) else ""
                    cells[(key, column)] = HtmlCell(
                        cell.attrs.get("class") or "", " ".join(cell.text.split())
                    )
                    position += 1
    return cells


def _column(heading: TableCell) -> str | None:
    """``city:<slug>`` (from its link), ``country:<code>``, ``consortium``; None for the KPI
    column."""
    kinds = [c[4:] for c in heading.classes if c.startswith("col-")]
    kind = kinds[0] if kinds else None
    if kind == "city":
        return "city:" + heading.href.rstrip("/").rsplit("/", 1)[-1]
    if kind == "country":
        return "country:" + heading.text.split()[0]
    return "consortium" if kind == "consortium" else None


def overview_cells(html: str) -> dict[tuple[str, str], tuple[str, str]]:
    """The overview matrix as the page prints it: (KPI code, column) -> (status, figure) of
    every cell that has a figure or a status.

    Columns are ``city:<slug>``, ``country:<code>`` or ``consortium``; a cell's status is
    its ``s-<status>`` class; its figure the bold number it shows, if any. A cell spanning
    columns (a KPI the consortium reports once) stands for that many empty ones, and every
    KPI row must have a cell for every column.
    """
    cells = {}
    for table in read_tables(html, "matrix"):
        columns: list[str] = []
        for row in table:
            for cell in row:
                if cell.tag == "th" and cell.attrs.get("scope") == "col":
                    column = _column(cell)
                    if column:
                        columns.append(column)
            head = row[0] if row else None
            if not (head and head.attrs.get("scope") == "row" and "kpi" in head.classes):
                continue
            shown = []
            for cell in row[1:]:
                if cell.tag == "td":
                    status = next((c[2:] for c in cell.classes if c.startswith("s-")), "none")
                    shown += [(status, cell.bold)] * cell.span
            for column, (status, figure) in zip(columns, shown, strict=True):
                if status != "none":
                    cells[(head.code, column)] = (status, figure)
    return cells
