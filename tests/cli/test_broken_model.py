"""A model with a broken file fails at once, naming the file, and the command's output ends with it.

PySDK says only "[ERROR]Operation failed" when a model's ``PythonFile`` is
missing or its labels are garbage, and the postprocessor worker it started for
the model kept the command's stdout and stderr open after the command exited:
a caller capturing the output waited a minute (issue 22 item 9). Each case
copies a bundled model into a zoo of its own, breaks it, and runs the real
command the way a script would (``subprocess.run(capture_output=True)``).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import cli

MODEL = "blazeface_short_range"
PROMPT_S = 20.0  # a run that fails at its first inference, with the start-up of a loaded machine


def broken_registry(tmp_path: Path, zoo_dir: Path, breakage: str) -> Path:
    """A registry of one model, ``broken`` (BlazeFace with its Python postprocessor), broken as asked."""
    folder = tmp_path / "zoo" / "broken"
    shutil.copytree(zoo_dir / MODEL, folder)
    (folder / f"{MODEL}.json").rename(folder / "broken.json")
    config = json.loads((folder / "broken.json").read_text())
    post = config["POST_PROCESS"][0]
    if breakage == "missing PythonFile":
        (folder / post["PythonFile"]).unlink()
    elif breakage == "garbage labels":
        (folder / post["LabelsPath"]).write_bytes(bytes(range(256)) * 8)
    elif breakage == "empty LabelsPath":
        post["LabelsPath"] = ""
    (folder / "broken.json").write_text(json.dumps(config))
    registry = tmp_path / "broken.yaml"
    registry.write_text("defaults:\n  inference_host_address: '@local'\n"
                        "models:\n  broken:\n    task: face_detection\n    hardware: [TFLITE/CPU]\n"
                        f"    zoo_url: {tmp_path / 'zoo'}\n")
    return registry


@pytest.mark.parametrize(("breakage", "named"), [
    ("missing PythonFile", "POST_PROCESS.PythonFile: file not found: blazeface_postprocess.py"),
    ("garbage labels", "labels_blazeface_short_range.json: labels are not valid JSON"),
    ("empty LabelsPath", "POST_PROCESS.LabelsPath: must name a file"),
])
def test_run_of_a_broken_model_ends_at_once_naming_the_file(tmp_path, zoo_dir, photos, breakage, named):
    registry = broken_registry(tmp_path, zoo_dir, breakage)
    started = time.monotonic()
    out = cli("run", "broken", "--registry", str(registry), "--source", str(photos / "astronaut.png"), "--quiet",
              timeout=90)
    elapsed = time.monotonic() - started
    print(f"{breakage}: the command ended {elapsed:.1f} s after it started")
    assert out.returncode == 1, out.stderr
    assert named in out.stderr and "Operation failed" not in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert elapsed < PROMPT_S, out.stderr


@pytest.mark.parametrize("command", ["validate", "compare"])
def test_validate_and_compare_of_a_broken_model_end_at_once_naming_the_file(tmp_path, zoo_dir, photos, command):
    registry = broken_registry(tmp_path, zoo_dir, "missing PythonFile")
    extra = (["--frames", "10", "--latency-frames", "0", "--raw-seconds", "0"] if command == "validate"
             else ["broken", "--frames", "5"])  # compare: the model against itself
    started = time.monotonic()
    out = cli(command, "broken", *extra, "--registry", str(registry), "--source", str(photos / "astronaut.png"),
              timeout=90)
    elapsed = time.monotonic() - started
    print(f"{command}: the command ended {elapsed:.1f} s after it started")
    assert out.returncode == 1, out.stderr
    assert "POST_PROCESS.PythonFile: file not found: blazeface_postprocess.py" in out.stderr + out.stdout
    assert "Operation failed" not in out.stderr + out.stdout
    assert elapsed < PROMPT_S, out.stderr
