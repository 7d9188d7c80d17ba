"""A built wheel and a plain ``pip install .`` give a working app on a fresh venv, run from outside the checkout.

Slow (the fresh venv installs PySDK, PySide6, OpenCV, OpenVINO and ONNX Runtime: minutes here). The test
process's own runtime set-up (LD_LIBRARY_PATH, the re-exec mark) is removed from the child's environment,
so the installed app's OpenVINO re-exec has to work by itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BUILD_JUNK = (".venv", "build", "dist", "*.egg-info", ".git", "__pycache__", ".pytest_cache", ".ruff_cache",
              ".hypothesis", "out")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "MODEL_PICKER_RUNTIMES", "PYTHONPATH", "VIRTUAL_ENV",
                        "MODEL_PICKER_RESOURCES", "MODEL_PICKER_REGISTRY", "XDG_CACHE_HOME")}
    dev_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != dev_bin)
    env["HOME"] = str(home)
    return env


def run(args: list, cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    out = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, f"{args}: rc {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def source_copy(root, tmp_path_factory) -> Path:
    """The checkout without venvs, build leftovers and caches (a stale build/ would leak into the wheel)."""
    copy = tmp_path_factory.mktemp("src") / "model-picker"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(*BUILD_JUNK))
    return copy


@pytest.fixture(scope="module")
def wheel(source_copy, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source_copy], out,
        clean_env(out))
    return next(out.glob("model_picker-*.whl"))


def test_the_wheel_holds_the_bundled_material_and_nothing_else(wheel, root):
    names = set(zipfile.ZipFile(wheel).namelist())
    for model_json in (root / "resources" / "zoo").rglob("*.json"):
        rel = model_json.relative_to(root).as_posix()
        assert f"model_picker/{rel}" in names
    for folder in ("zoo", "media", "photos", "icons"):
        wanted = {p.relative_to(root).as_posix() for p in (root / "resources" / folder).rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts}
        assert wanted and {f"model_picker/{w}" for w in wanted} <= names, folder
    assert "model_picker/registries/demo.yaml" in names
    assert "model_picker/cli/main.py" in names and "model_picker/zoo/bundled.py" in names
    assert not [n for n in names if "resources/screenshots/" in n or "resources/scripts/" in n
                or "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.split("/")[0] not in ("model_picker", wheel.name.split("-")[0] + "-"
                                                             + wheel.name.split("-")[1] + ".dist-info")]


def test_a_fresh_venv_from_the_wheel_lists_and_runs_from_outside_the_checkout(wheel, source_copy, tmp_path):
    venv = tmp_path / "venv"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = clean_env(tmp_path / "home")
    run([sys.executable, "-m", "venv", venv], outside, env)
    run([venv / "bin" / "pip", "install", "-q", wheel], outside, env, timeout=1800)  # pulls every dependency
    where = run([venv / "bin" / "python", "-c", "import model_picker; print(model_picker.__file__)"], outside, env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    listed = run([venv / "bin" / "model-picker", "list"], outside, env)
    assert "ssd_mobilenet_v2_coco_quant" in listed.stdout and "blazeface_short_range_openvino" in listed.stdout
    site = Path(where.stdout.strip()).parent
    photo = site / "resources" / "photos" / "astronaut.png"
    results = outside / "faces.jsonl"
    # OpenVINO: only runs after the installed app re-executed itself with the library folder on LD_LIBRARY_PATH
    ran = run([venv / "bin" / "model-picker", "run", "blazeface_short_range_openvino", "--source", photo,
               "--results", results, "--quiet"], outside, env)
    assert "OPENVINO/CPU" in ran.stdout + ran.stderr
    assert len(results.read_text().splitlines()) == 1  # the astronaut's face
    # A plain (non-editable) `pip install .` of the source folder works the same way.
    run([venv / "bin" / "pip", "install", "-q", "--force-reinstall", "--no-deps", source_copy], outside, env)
    listed = run([venv / "bin" / "python", "-m", "model_picker", "list"], outside, env)
    assert "ssd_mobilenet_v2_coco_quant" in listed.stdout
