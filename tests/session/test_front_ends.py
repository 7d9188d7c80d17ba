"""The front ends drive the session layer instead of wiring model, host and fetch themselves (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"__enter__", "ensure_local", "spec_for_host"}
FRONT_ENDS = ["app/cli/run.py", "app/cli/bench.py", "app/cli/zoo_cmds.py", "app/cli/validate_cmd.py",
              "app/cli/compare_cmd.py", "app/ui/shell/workers.py", "app/ui/live/run_controller.py",
              "app/ui/shell/main_window.py",
              "app/ui/validate/worker.py", "app/ui/validate/controller.py", "app/ui/compare/worker.py",
              "app/ui/compare/action.py", "app/ui/live/worker.py"]


def calls(path: Path) -> list[str]:
    """``name:line`` of every forbidden function a front-end module calls."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in FORBIDDEN:
                found.append(f"{name}:{node.lineno}")
    return found


def test_front_ends_leave_model_context_fetch_and_host_fitting_to_the_session(root: Path):
    problems = {name: calls(root / name) for name in FRONT_ENDS}
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_check_can_fail(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("from x import ensure_local\nmodel.__enter__()\nclass Worker:\n    def f(self):\n"
                   "        ensure_local(1)\n")
    assert calls(bad) == ["__enter__:2", "ensure_local:5"]


def test_no_command_imports_cli_main(root: Path):
    """cli/main imports the commands; a command importing cli/main back made an import loop."""
    offenders = []
    for path in sorted((root / "app" / "cli").glob("*.py")):
        if path.name == "main.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == "main":
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
