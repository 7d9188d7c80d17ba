"""The code stays ruff-clean and every package ships: part of the one test command, so CI enforces it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def test_ruff_clean(root: Path):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a test dependency: pip install -e '.[test]'"
    out = subprocess.run([ruff, "check", "app", "tests", "bench"], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_package_under_app_ships_in_the_wheel(root: Path):
    """pyproject lists packages by name (app/ is mapped to model_picker): a new subpackage left out installs as
    a missing module only in a wheel, never in the editable set-up the tests run on."""
    import re

    section = (root / "pyproject.toml").read_text().split("packages = [", 1)[1].split("]", 1)[0]
    listed = set(re.findall(r'"(model_picker[\w.]*)"', section))
    found = {".".join(["model_picker", *init.parent.relative_to(root / "app").parts])
             for init in (root / "app").rglob("__init__.py")}
    assert found - listed == set(), f"add to pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"
