"""The boundaries in design.md, enforced.

* Third-party imports: core is pure; storage, reports and audit have no Qt.
* The project's own parts: each imports only the parts below it (core nothing, reports never
  storage...), wherever the import statement is (module level or inside a function).
* No import cycles in ``mgso4``: the graph of every import that runs (imports under
  ``if TYPE_CHECKING:`` are never executed and are left out).

All of it is read from the source with ``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "desktop" / "mgso4"

FORBIDDEN = {
    "core": {"PySide6", "sqlite3", "sqlite_utils", "reportlab", "matplotlib", "openpyxl"},
    "storage": {"PySide6"},
    "reports": {"PySide6", "sqlite3", "sqlite_utils"},
    "audit": {"PySide6"},
}

#: The parts of ``mgso4`` each part may import besides itself; None means any part. A part
#: is the first name under ``mgso4`` (``mgso4.core.dosing`` is in "core"); the package root
#: itself, which holds only ``__version__``, is "mgso4". ``resources`` finds the shipped
#: files and ``settings`` the unit's settings and the user's folders: small modules that
#: several layers read. Every part found in the package must be listed here.
MAY_IMPORT: dict[str, frozenset[str] | None] = {
    "mgso4": frozenset(),
    "resources": frozenset(),
    # Output-path safety shared by every writer of files (never replace a record).
    "safe_paths": frozenset(),
    "settings": frozenset({"core"}),
    "core": frozenset(),
    "storage": frozenset({"mgso4", "core", "settings", "safe_paths"}),
    # Reports render a folded episode handed to them: they never open the record.
    "reports": frozenset({"mgso4", "core", "resources", "safe_paths"}),
    # The audit reads the record and classifies through core. Its own documents (the feedback
    # sheet) reuse the reports' fonts and page furniture; reports never import the audit.
    "audit": frozenset(
        {"mgso4", "core", "storage", "reports", "resources", "settings", "safe_paths"}
    ),
    "gui": None,
    "cli": None,
    "__main__": frozenset({"cli"}),
}


# -- reading the source -----------------------------------------------------------------------


def imported_roots(path: Path) -> set[str]:
    """Top-level module names imported anywhere in a file (including inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` (both dotted module names) at ``line`` of ``path``."""

    source: str
    target: str
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.source} (line {self.line}) -> {self.target}"


def module_name(path: Path, package_dir: Path) -> str:
    """``desktop/mgso4/gui/app.py`` -> ``mgso4.gui.app``; a package's ``__init__`` -> its name."""
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at any depth, except under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for other in node.orelse:
                yield from runtime_imports(ast.Module(body=[other], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from runtime_imports(node)


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def import_graph(package_dir: Path) -> dict[str, list[Edge]]:
    """Every module of the package and the package modules its runtime imports load.

    ``from a.b import c`` loads ``a.b.c`` when that is a module, else ``a.b``. Importing a
    module first runs its parent packages' ``__init__``: those are edges too, except the
    packages the importer is itself inside (they are already being imported).
    """
    files = {module_name(path, package_dir): path for path in sorted(package_dir.rglob("*.py"))}
    graph: dict[str, list[Edge]] = {}
    for source, path in files.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: list[Edge] = []
        for node in runtime_imports(tree):
            named: list[str] = []
            if isinstance(node, ast.Import):
                named = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = source.split(".") if is_package else source.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                for alias in node.names:
                    submodule = f"{module}.{alias.name}"
                    named.append(submodule if submodule in files else module)
            for target in named:
                parents = sorted(_ancestors(target) - _ancestors(source) - {source})
                edges.extend(
                    Edge(source, module, path, node.lineno)
                    for module in [target, *parents]
                    if module in files and module != source
                )
        graph[source] = edges
    return graph


def part_of(module: str) -> str:
    """The part of the package a module belongs to (see MAY_IMPORT)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_violations(
    graph: Mapping[str, list[Edge]], rules: Mapping[str, frozenset[str] | None]
) -> list[str]:
    """Each import from one part into another that ``rules`` does not allow, in words."""
    found: dict[tuple[str, int, str], str] = {}
    for source, edges in graph.items():
        allowed = rules.get(part_of(source), frozenset())
        for edge in edges:
            target_part = part_of(edge.target)
            if allowed is None or target_part == part_of(source) or target_part in allowed:
                continue
            # One line per import statement and part (not one per parent package it loads).
            found.setdefault(
                (source, edge.line, target_part),
                f"{edge.path.name}: {edge.where()} ({part_of(source)} -> {target_part})",
            )
    return list(found.values())


def find_cycle(graph: Mapping[str, list[Edge]]) -> list[Edge] | None:
    """One import cycle as the edges that close it (first edge's source = last's target)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[Edge] = []

    def visit(module: str) -> list[Edge] | None:
        state[module] = 1
        for edge in graph.get(module, []):
            if state.get(edge.target) == 1:
                start = next(
                    (i for i, step in enumerate(path) if step.source == edge.target), len(path)
                )
                return [*path[start:], edge]
            if edge.target not in state:
                path.append(edge)
                cycle = visit(edge.target)
                if cycle is not None:
                    return cycle
                path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle is not None:
                return cycle
    return None


def describe_cycle(cycle: list[Edge]) -> str:
    return " ; ".join(edge.where() for edge in cycle)


# -- third-party boundaries -------------------------------------------------------------------


@pytest.mark.parametrize("area", sorted(FORBIDDEN))
def test_area_does_not_import_forbidden_modules(area: str) -> None:
    offenders = {}
    for path in sorted((PACKAGE / area).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[area]
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}, f"{area} must not import {sorted(FORBIDDEN[area])}: {offenders}"


#: Test and demo tooling: it lives in tests/, bench/ and tools/, never in what ships.
TEST_TOOLING = ("pytest", "pytestqt", "hypothesis", "harness", "PySide6.QtTest")


def imported_names(path: Path) -> set[str]:
    """Full dotted names imported anywhere in a file (``from a.b import c`` gives ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_shipped_package_imports_no_test_tooling() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(bad)
        for path in sorted(PACKAGE.rglob("*.py"))
        if (
            bad := {
                name
                for name in imported_names(path)
                if any(name == tool or name.startswith(f"{tool}.") for tool in TEST_TOOLING)
            }
        )
    }
    assert offenders == {}


def test_checker_detects_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import PySide6.QtWidgets\n    from sqlite3 import connect\n")
    assert {"PySide6", "sqlite3"} <= imported_roots(sample)
    sample.write_text("def f():\n    from PySide6.QtTest import QTest\n")
    assert imported_names(sample) == {"PySide6.QtTest"}


# -- the project's own parts ------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Edge]]:
    return import_graph(PACKAGE)


def test_every_part_of_the_package_has_an_import_rule(graph: dict[str, list[Edge]]) -> None:
    assert {part_of(module) for module in graph} <= set(MAY_IMPORT)


@pytest.mark.parametrize(
    "part", sorted(part for part, allowed in MAY_IMPORT.items() if allowed is not None)
)
def test_part_imports_only_the_parts_below_it(part: str, graph: dict[str, list[Edge]]) -> None:
    own = {module: edges for module, edges in graph.items() if part_of(module) == part}
    assert own, f"no module in part {part!r}"
    violations = layer_violations(own, MAY_IMPORT)
    assert violations == [], f"{part} may import only {MAY_IMPORT[part]}:\n" + "\n".join(violations)


def test_import_graph_has_no_cycles(graph: dict[str, list[Edge]]) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, f"import cycle: {describe_cycle(cycle)}"


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def test_rules_catch_an_import_inside_a_function(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path / "mgso4",
        {
            "__init__.py": "",
            "core/__init__.py": "",
            "core/rules.py": "def f():\n    from mgso4.storage.store import Store\n",
            "storage/__init__.py": "",
            "storage/store.py": "from mgso4.core import rules\n",
            "reports/__init__.py": "",
            "reports/pdf.py": "import mgso4.storage.store\nfrom mgso4.core.rules import f\n",
        },
    )
    violations = layer_violations(import_graph(package), MAY_IMPORT)
    assert len(violations) == 2
    assert "mgso4.core.rules (line 2) -> mgso4.storage.store (core -> storage)" in violations[0]
    assert (
        "mgso4.reports.pdf (line 1) -> mgso4.storage.store (reports -> storage)" in (violations[1])
    )


def test_graph_leaves_out_type_checking_imports_and_resolves_relative_ones(
    tmp_path: Path,
) -> None:
    package = _write_package(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import b\n",
            "b.py": "def later():\n    from . import a\n",
            "sub/__init__.py": "from .c import VALUE\n",
            "sub/c.py": "VALUE = 1\n",
            "d.py": "from pkg.sub.c import VALUE\n",
        },
    )
    targets = {
        module: {edge.target for edge in edges} for module, edges in import_graph(package).items()
    }
    assert targets["pkg.a"] == set()
    assert targets["pkg.b"] == {"pkg.a"}
    assert targets["pkg.sub"] == {"pkg.sub.c"}
    # Importing pkg.sub.c runs pkg/sub/__init__.py first.
    assert targets["pkg.d"] == {"pkg.sub", "pkg.sub.c"}
    assert find_cycle(import_graph(package)) is None


def test_cycle_finder_reports_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "wizard.py": "from pkg.pages import Page\n",
            "pages.py": "import os\n\ndef owner():\n    from pkg import wizard\n",
            "alone.py": "import pkg.pages\n",
        },
    )
    cycle = find_cycle(import_graph(package))
    assert cycle is not None
    assert {edge.source for edge in cycle} == {"pkg.wizard", "pkg.pages"}
    assert cycle[0].source == cycle[-1].target
    assert "pkg.pages (line 4) -> pkg.wizard" in describe_cycle(cycle)


def test_cycle_finder_finds_a_long_cycle_and_not_a_diamond() -> None:
    def edges(pairs: list[tuple[str, str]]) -> dict[str, list[Edge]]:
        graph: dict[str, list[Edge]] = {}
        for source, target in pairs:
            graph.setdefault(source, []).append(Edge(source, target, Path("x.py"), 1))
            graph.setdefault(target, [])
        return graph

    diamond = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    assert find_cycle(edges(diamond)) is None
    cycle = find_cycle(edges([*diamond, ("d", "e"), ("e", "c")]))
    assert cycle is not None
    assert [edge.source for edge in cycle] == ["d", "e", "c"]


def test_spc_rules_are_pure() -> None:
    """The SPC rules are pure functions: no drawing library, no Qt, no storage."""
    path = PACKAGE / "audit" / "spc.py"
    forbidden = {"PySide6", "matplotlib", "reportlab", "sqlite3", "sqlite_utils"}
    assert imported_roots(path) & forbidden == set()
