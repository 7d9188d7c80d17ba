"""The architecture is a checked rule: the core never imports Qt, and imports point one way.

Layers, lowest first: ``redact``/``errors`` → ``registry`` → ``zoo`` → ``inference`` → ``session`` →
the two front ends, ``cli`` and ``ui``. A module may import its own layer and the ones below it; only
``ui`` imports PySide6; ``ui`` never imports ``cli`` (the command line opens the window, not
the other way round). Checked on the source with ``ast``, so an import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "model_picker"
RANK = {"redact": 0, "errors": 0, "registry": 1, "zoo": 2, "inference": 3, "session": 4, "cli": 5, "ui": 5,
        "__main__": 6}
QT = ("PySide6", "shiboken6")


def imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Absolute names ``path`` imports, with their line numbers (relative imports resolved)."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
    return found


def layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else None


def test_the_core_never_imports_qt_and_imports_point_one_way(root: Path):
    app = root / "app"
    problems = []
    for path in sorted(app.rglob("*.py")):
        module = ".".join([PACKAGE, *path.relative_to(app).with_suffix("").parts])
        own = layer(module) or "__init__"
        if own == "__init__":
            continue
        assert own in RANK, f"{path}: a new top-level module or package; give it a layer in {__file__}"
        for name, line in imports(path, module):
            where = f"{path.relative_to(root)}:{line}"
            if name.split(".")[0] in QT and own != "ui":
                problems.append(f"{where}: {own} imports Qt ({name}); only app/ui may")
            other = layer(name)
            if other is None or other == own:
                continue
            if RANK.get(other, 0) > RANK[own] or (own, other) == ("ui", "cli"):
                problems.append(f"{where}: {own} imports {name} (a layer above it)")
    assert problems == [], "\n".join(problems)
