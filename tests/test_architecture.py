"""The shape of the code: no import cycle among the project's modules or apps, none too long.

    python tests/test_architecture.py      # prints every cycle found, one per line

The import graph is grimp's (the library import-linter uses), built from the source
without importing it; imports inside functions and under ``TYPE_CHECKING`` count too,
since a cycle hidden in a function is still a cycle a reader has to hold in mind.
The layer and independence rules themselves are import-linter contracts in
``pyproject.toml`` (``make lint`` runs ``lint-imports``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "icc_portal",
    "cities",
    "solutions",
    "kpis",
    "roadmaps",
    "notices",
    "changelog",
    "datafiles",
)
#: The project's shell (settings, root URLs, the API's router) and its floor (validation,
#: numbers, codes, the API's machinery) at once: left out of the apps' cycles.
SHELL = "icc_portal"
#: App cycles known and not yet undone, each with the imports that make it. The test fails
#: on any other, and on one of these once it is gone (so the list stays true).
KNOWN_APP_CYCLES = {
    # cities.access reads a solution's lead cities, cities.admin lists a consortium's
    # solutions; solutions' models stand on cities'.
    ("cities", "solutions"),
}

#: A module longer than this holds two ideas (STYLE.md): split it by idea.
MAX_MODULE_LINES = 500


def import_graph():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def project_modules(graph) -> set[str]:
    return {module for module in graph.modules if ".migrations" not in module}


def import_cycles(graph) -> list[list[str]]:
    """Each group of modules that import one another in a circle (Tarjan's components)."""
    modules = project_modules(graph)
    edges = {
        module: sorted(graph.find_modules_directly_imported_by(module) & modules)
        for module in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(start: str) -> None:  # iterative: no recursion limit on a large graph
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                    break
                if target in on_stack:
                    low[module] = min(low[module], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return sorted(components)


def describe(graph, component: list[str]) -> str:
    """A component as the imports that tie it together: ``a -> b, b -> a``."""
    members = set(component)
    links = [
        f"{module} -> {target}"
        for module in component
        for target in sorted(graph.find_modules_directly_imported_by(module) & members)
    ]
    return f"{len(component)} modules: " + "; ".join(links)


def test_a_circle_of_imports_is_found():
    graph = grimp.ImportGraph()
    for importer, imported in [("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")]:
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="a.w", imported="a.v")
    assert import_cycles(graph) == [["a.x", "a.y", "a.z"]]


def test_no_import_cycle_among_the_projects_modules():
    graph = import_graph()
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(graph, c) for c in cycles)


def app_graph(graph) -> grimp.ImportGraph:
    """The apps' import graph: one node per app (its top package), the shell left out."""
    apps = grimp.ImportGraph()
    for module in project_modules(graph):
        app = module.split(".")[0]
        if app == SHELL:
            continue
        apps.add_module(app)
        for target in graph.find_modules_directly_imported_by(module) & project_modules(graph):
            other = target.split(".")[0]
            if other not in {app, SHELL}:
                apps.add_import(importer=app, imported=other)
    return apps


def app_cycles(graph) -> set[tuple[str, ...]]:
    apps = app_graph(graph)
    return {tuple(component) for component in import_cycles(apps)}


def test_no_import_cycle_among_the_apps_but_the_known_ones():
    cycles = app_cycles(import_graph())
    assert cycles == KNOWN_APP_CYCLES, f"app cycles: {sorted(cycles)}"


def test_a_circle_of_apps_is_found():
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("a.x", "b.y"),
        ("b.y", "c.z"),
        ("c.z", "a.w"),
        ("icc_portal.u", "a.x"),
    ]:
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="a.x", imported="icc_portal.u")
    assert app_cycles(graph) == {("a", "b", "c")}


def module_paths() -> list[Path]:
    """Every project module but the migrations."""
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def module_sizes() -> dict[str, int]:
    """Lines of every project module but the migrations, by path."""
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in module_paths()
    }


def test_no_project_module_is_over_500_lines():
    sizes = module_sizes()
    assert len(sizes) > 50  # the walk found the project
    too_long = {path: lines for path, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert not too_long, too_long


#: Top-level names several modules may each define: one idea in two formats (a workbook's
#: and a document's bytes: ``xlsx.save``, ``docx.save``), and Django's name for what a
#: management command module holds.
SHARED_NAMES = {"save", "Command"}


def top_level_names() -> dict[str, list[str]]:
    """Every public class and function defined at a module's top level, with its modules."""
    import ast

    names: dict[str, list[str]] = {}
    for path in module_paths():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_"):
                names.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    return names


def test_no_public_name_is_defined_at_the_top_of_two_modules():
    names = top_level_names()
    assert len(names) > 300  # the walk found the project
    twice = {n: paths for n, paths in names.items() if len(paths) > 1 and n not in SHARED_NAMES}
    assert not twice, twice


if __name__ == "__main__":
    graph = import_graph()
    cycles = import_cycles(graph)
    for component in cycles:
        print(describe(graph, component))
    print(f"{len(cycles)} cycle(s) among {len(project_modules(graph))} modules")
    print("app cycles:", sorted(app_cycles(graph)) or "none")
    largest = sorted(module_sizes().items(), key=lambda item: -item[1])[:5]
    print("largest modules:", ", ".join(f"{path} {lines}" for path, lines in largest))
