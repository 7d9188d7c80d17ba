"""The architecture is a checked rule: the core never imports Qt, imports point one way, and no two modules
import each other.

Layers, lowest first: ``redact``/``errors``/``paths``/``statefile``/``atomic`` → ``registry`` → ``zoo`` →
``inference`` → ``session`` → the two front ends, ``cli`` and ``ui``. A module may import its own layer and
the ones below it; only ``ui`` imports PySide6; ``ui`` never imports ``cli`` (the command line opens the window, not
the other way round). Inside a layer, the imports between modules form no circle: a circle makes the
order of imports matter and hides which module owns what. Checked on the source with ``ast``, so an
import inside a function counts too (except one under ``if TYPE_CHECKING:``, which never runs).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "model_picker"
RANK = {"redact": 0, "errors": 0, "paths": 0, "statefile": 0, "atomic": 0, "registry": 1, "zoo": 2, "inference": 3,
        "session": 4, "cli": 5, "ui": 5, "__main__": 6}
QT = ("PySide6", "shiboken6")


def module_name(app: Path, path: Path) -> str:
    """``app/registry/loader.py`` → ``model_picker.registry.loader``; a package's ``__init__`` is the package."""
    parts = path.relative_to(app).with_suffix("").parts
    return ".".join([PACKAGE, *(parts[:-1] if parts[-1] == "__init__" else parts)])


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except those under ``if TYPE_CHECKING:`` (its ``else`` branch runs, so it counts)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if _is_type_checking(node):
            stack.extend(reversed(node.orelse))  # type: ignore[attr-defined]
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def imports(path: Path, module: str, typing_too: bool = True) -> list[tuple[str, list[str], int]]:
    """What ``path`` imports: (absolute module name, names taken from it, line), relative imports resolved."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if typing_too else _runtime_nodes(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, [alias.name for alias in node.names], node.lineno))
    return found


def layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else None


def test_the_core_never_imports_qt_and_imports_point_one_way(root: Path):
    app = root / "app"
    problems = []
    for path in sorted(app.rglob("*.py")):
        module = module_name(app, path)
        own = layer(module) or "__init__"
        if own == "__init__":
            continue
        assert own in RANK, f"{path}: a new top-level module or package; give it a layer in {__file__}"
        for name, _, line in imports(path, module):
            where = f"{path.relative_to(root)}:{line}"
            if name.split(".")[0] in QT and own != "ui":
                problems.append(f"{where}: {own} imports Qt ({name}); only app/ui may")
            other = layer(name)
            if other is None or other == own:
                continue
            if RANK.get(other, 0) > RANK[own] or (own, other) == ("ui", "cli"):
                problems.append(f"{where}: {own} imports {name} (a layer above it)")
    assert problems == [], "\n".join(problems)


def import_graph(app: Path) -> dict[str, dict[str, str]]:
    """module → {module it imports: "file:line" of the first such import}, between ``model_picker`` modules only.

    ``import pkg`` and ``from pkg import name`` import the package's ``__init__``; ``from pkg import mod``
    imports the module ``pkg.mod``.
    """
    paths = {module_name(app, path): path for path in sorted(app.rglob("*.py"))}
    graph: dict[str, dict[str, str]] = {}
    for module, path in paths.items():
        edges = graph.setdefault(module, {})
        for name, taken, line in imports(path, module, typing_too=False):
            targets = [f"{name}.{each}" if f"{name}.{each}" in paths else name for each in taken] or [name]
            for target in targets:
                if target in paths and target not in edges:
                    edges[target] = f"{path.relative_to(app.parent)}:{line}"
    return graph


def circles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """One shortest circle through each module that is on any, each found once (as a list of modules, first last)."""
    found: list[list[str]] = []
    covered: set[str] = set()
    for start in sorted(graph):
        if start in covered:
            continue
        paths = {start: [start]}  # breadth first from start, back to start: the shortest circle through it
        frontier = [start]
        circle = None
        while frontier and circle is None:
            following = []
            for module in frontier:
                for target in sorted(graph.get(module, {})):
                    if target == start:
                        circle = [*paths[module], start]
                        break
                    if target not in paths:
                        paths[target] = [*paths[module], target]
                        following.append(target)
                if circle:
                    break
            frontier = following
        if circle:
            covered.update(circle)
            found.append(circle)
    return found


def describe(circle: list[str], graph: dict[str, dict[str, str]]) -> str:
    """``a -> b -> a`` and, below it, the file:line of each of its imports."""
    short = [name.removeprefix(f"{PACKAGE}.") for name in circle]
    lines = [f"  {graph[circle[i]][circle[i + 1]]}: {short[i]} imports {short[i + 1]}" for i in range(len(circle) - 1)]
    return "\n".join([" -> ".join(short), *lines])


def test_no_import_circles(root: Path):
    graph = import_graph(root / "app")
    found = circles(graph)
    assert found == [], "import circles (move what both sides share to a module both import):\n" + "\n".join(
        describe(circle, graph) for circle in found)


def test_a_circle_is_found_and_named(tmp_path: Path):
    app = tmp_path / "app"
    (app / "pkg").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "pkg" / "__init__.py").write_text("from model_picker.pkg.a import A\n")
    (app / "pkg" / "a.py").write_text("A = 1\n\ndef f():\n    from model_picker.pkg import b\n")
    (app / "pkg" / "b.py").write_text("from typing import TYPE_CHECKING\nfrom model_picker.pkg.a import A\n"
                                      "if TYPE_CHECKING:\n    from model_picker import pkg\n")
    (app / "pkg" / "c.py").write_text("from model_picker import pkg\n")
    graph = import_graph(app)
    assert graph["model_picker.pkg"] == {"model_picker.pkg.a": "app/pkg/__init__.py:1"}
    assert graph["model_picker.pkg.b"] == {"model_picker.pkg.a": "app/pkg/b.py:2"}  # TYPE_CHECKING skipped
    assert graph["model_picker.pkg.c"] == {"model_picker.pkg": "app/pkg/c.py:1"}  # a package is its __init__
    found = circles(graph)
    assert found == [["model_picker.pkg.a", "model_picker.pkg.b", "model_picker.pkg.a"]]
    assert describe(found[0], graph).splitlines() == [
        "pkg.a -> pkg.b -> pkg.a", "  app/pkg/a.py:4: pkg.a imports pkg.b", "  app/pkg/b.py:2: pkg.b imports pkg.a"]
