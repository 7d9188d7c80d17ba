"""Rewrite the module listing in docs/architecture.md from the real tree: every module and its summary.

    .venv/bin/python docs/tree.py

The summary is the first paragraph of each module's docstring (issue references dropped), so the
listing is only as good as the docstrings; fix a wrong line in the module, then run this again.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- tree:start (docs/tree.py writes this part) -->", "<!-- tree:end -->"


def summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(line.strip() for line in doc.strip().split("\n\n")[0].splitlines())
    text = re.sub(r"\s*\(issues? [^)]*\)", "", text).replace("``", "`")
    return text.replace("|", "\\|")


def listing(top: str) -> list[str]:
    lines = []
    base = ROOT / top
    for folder in sorted({p.parent for p in base.rglob("*.py") if "__pycache__" not in p.parts}):
        modules = [p for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"]
        if not modules:
            continue
        init = folder / "__init__.py"
        lines += [f"#### `{folder.relative_to(ROOT)}/`", ""]
        if init.exists() and summary(init):
            lines += [summary(init), ""]
        lines += ["| module | what it holds |", "|---|---|"]
        lines += [f"| `{p.name}` | {summary(p) or '—'} |" for p in modules]
        lines.append("")
    return lines


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    body = ["", "### app/", "", *listing("app"), "### tests/", "", *listing("tests"),
            "### bench/", "", *listing("bench")]
    DOC.write_text(head + START + "\n".join(body) + "\n" + END + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
