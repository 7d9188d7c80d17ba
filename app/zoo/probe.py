"""Load an untrusted model once in a child process, so a native crash kills the child, not the app.

The checksum (integrity.py) catches a model file changed after its JSON was written, not a file that
was broken when it was checksummed, nor a JSON whose Checksum was edited to match a broken file: PySDK
would load it in-process and the runtime would take the CLI or the window down (SIGSEGV). So a model
from outside the bundled zoo is loaded and run on one blank frame in a child process first; a child
killed by a signal means the model is refused. A model that passed is remembered by the SHA-256 of its
file and JSON, so the probe runs once per model version, not on every load. Other failures in
the child (an unsupported device, a bad field) are left to the real load, which explains them.

Run as ``python -m model_picker.zoo.probe MODEL_JSON`` by ``probe_model``.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from model_picker.statefile import read_json, write_json
from model_picker.zoo.checksum import known_checksum, memo_file, model_files

TIMEOUT_S = 180.0
_BROKEN_FILE = re.compile(r"Loading model failed|Cannot create interpreter|Cannot read model")
_FAILED = 3  # the child failed politely (no crash): the real load will explain


def _probed_file() -> Path:
    return memo_file().with_name("probed.json")


def _key(json_path: Path, model_sha256: str) -> str:
    return hashlib.sha256(model_sha256.encode() + json_path.read_bytes()).hexdigest()


def _is_probed(value: Any) -> bool:
    """The form ``_remember`` writes: a list of hex keys."""
    return isinstance(value, list) and all(isinstance(key, str) for key in value)


def _known() -> list[str]:
    """Keys of the model versions that passed; a damaged file is set aside (statefile.py) and rebuilt."""
    return read_json(_probed_file(), _is_probed) or []


def _remembered(key: str) -> bool:
    return key in _known()


def _remember(key: str) -> None:
    try:
        write_json(_probed_file(), [*_known()[-499:], key])
    except OSError:
        pass


def probe_model(json_path: Path, model_path: Path) -> str | None:
    """None when the model of ``json_path`` loads and runs in a child process (or the probe cannot tell);
    else why not."""
    from model_picker.zoo.runtime.agents import runtime_env

    key = _key(json_path, known_checksum(model_path))
    if _remembered(key):
        return None
    try:
        child = subprocess.run([sys.executable, "-m", "model_picker.zoo.probe", str(json_path)], env=runtime_env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=TIMEOUT_S)
    except (subprocess.TimeoutExpired, OSError):
        return None  # slow or impossible to tell: the real load goes ahead
    if child.returncode == 0:
        _remember(key)
        return None
    if child.returncode < 0:
        try:
            what = f"crashed the inference runtime ({signal.Signals(-child.returncode).name})"
        except ValueError:
            what = f"crashed the inference runtime (signal {-child.returncode})"
    elif _BROKEN_FILE.search(child.stderr.decode(errors="replace")):
        # The same file crashes or fails politely from run to run: both mean it is broken.
        what = "could not be read by the inference runtime"
    else:
        return None  # a problem the real load explains (device, runtime, a field)
    return (f"model {json_path.stem} {what} when loaded in a separate test process, so it was not loaded here: "
            f"model file {model_path} is broken although it matches the Checksum in {json_path.name}. "
            "Replace the model from a trusted zoo")


def _bare_copy(json_path: Path, into: Path) -> None:
    """The model without its postprocessing (a Python postprocessor worker takes seconds to start, and the
    crash to catch is in the runtime), its model file(s) linked, not copied."""
    cfg = json.loads(json_path.read_text())
    for section in cfg.get("POST_PROCESS") or []:
        for key in ("PythonFile", "LabelsPath"):
            section.pop(key, None)
        section["OutputPostprocessType"] = "None"
    folder = into / json_path.stem
    folder.mkdir(parents=True)
    (folder / json_path.name).write_text(json.dumps(cfg))
    relative = Path(cfg["MODEL_PARAMETERS"][0]["ModelPath"])
    for path in model_files(json_path.parent / relative):
        link = folder / relative.parent / path.name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())


def _main(argv: list[str]) -> int:
    from model_picker.zoo.runtime import agents

    agents.prepare_process(None)
    json_path = Path(argv[0])
    try:
        import degirum as dg
        import numpy as np

        with tempfile.TemporaryDirectory() as tmp:
            _bare_copy(json_path, Path(tmp))
            model = dg.connect("@local", tmp).load_model(json_path.stem, image_backend="opencv")
            with model:
                model(np.zeros((224, 224, 3), np.uint8))
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return _FAILED
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
