"""DCAT-AP's SHACL shapes (vendored in opendata/shapes/), read once per test run, and the
catalogue validated against them as data portals validate it (pySHACL)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Namespace

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = Path(__file__).resolve().parents[2] / "opendata" / "shapes"


@cache
def dcat_ap_shapes() -> Graph:
    """The shapes of each class and the classes of each property's objects (ranges).

    The 3.0.1 release's ranges file lists five property shapes it never defines (no path,
    no constraint); pySHACL refuses a shape it cannot read, so those references are left
    out here. The vendored files stay as released."""
    shapes = Graph()
    shapes.parse(SHAPES / "dcat-ap-SHACL.ttl")
    shapes.parse(SHAPES / "dcat-ap-ranges.ttl")
    for shape, member in list(shapes.subject_objects(SH.property)):
        if shapes.value(member, SH.path) is None:
            shapes.remove((shape, SH.property, member))
    return shapes


def violations(data: Graph) -> tuple[int, str]:
    """How many violations DCAT-AP's shapes find in ``data``, and pySHACL's report."""
    from pyshacl import validate

    _conforms, report, text = validate(data, shacl_graph=dcat_ap_shapes(), inference="none")
    found = len(list(report.subjects(SH.resultSeverity, SH.Violation)))
    return found, text
