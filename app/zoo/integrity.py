"""Refuse a damaged model file before PySDK loads it.

A truncated or altered TFLite file does not raise in PySDK: the runtime reads past the end and the
process dies (SIGSEGV), taking the CLI or the window with its unsaved settings down. So every ``@local``
load first checks the model file against the ``Checksum`` of its model JSON (checksum.py: SHA-256,
remembered per file version). A model the app fetched from a zoo that defines ``Checksum`` another way
is accepted while its files keep the SHA-256 the fetch recorded.

The checksum proves the file is the one the zoo vouched for, not that it is a valid model (it may have
been broken when checksummed, or the Checksum edited to match): a model from outside the bundled zoo is
also test-loaded once in a child process (probe.py), where a crash takes down the child, not the app.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from model_picker.errors import InferenceError
from model_picker.statefile import read_json
from model_picker.zoo.bundled import zoo_dir
from model_picker.zoo.checksum import known_checksum, model_files
from model_picker.zoo.probe import probe_model

TRUST_ENV = "MODEL_PICKER_TRUST_MODELS"  # "1": skip the check (a zoo with its own Checksum definition)


class DamagedModelError(InferenceError):
    """A model file that does not match its JSON's Checksum; it was not loaded."""


def find_model_json(zoo: Path, name: str) -> Path | None:
    """The JSON PySDK would use for ``name`` in a local zoo folder (searched recursively, as PySDK does)."""
    for candidate in (zoo / name / f"{name}.json", zoo / f"{name}.json"):
        if candidate.is_file():
            return candidate
    return next(iter(sorted(zoo.rglob(f"{name}.json"))), None)


def record_path(model_folder: Path, name: str) -> Path:
    """The app's fetch record of a cached model (``<cache>/.model-picker/<name>.json``)."""
    return model_folder.parent / ".model-picker" / f"{name}.json"


def _is_record(value: Any) -> bool:
    """The form fetch.py writes: {"zoo_url": text, "fetched": time, "bytes": int, "sha256": hex or null}."""
    return isinstance(value, dict) and all(
        key not in value or check(value[key]) for key, check in _RECORD_FIELDS.items())


_RECORD_FIELDS = {
    "zoo_url": lambda v: isinstance(v, str),
    "fetched": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bytes": lambda v: type(v) is int,
    "sha256": lambda v: v is None or isinstance(v, str),
}


def read_record(model_folder: Path, name: str) -> dict[str, Any]:
    """The fetch record of a cached model ({} when there is none); a damaged one is set aside (statefile.py)."""
    return read_json(record_path(model_folder, name), _is_record) or {}


def fetched_sha256(model_folder: Path, name: str) -> str | None:
    value = read_record(model_folder, name).get("sha256")
    return value if isinstance(value, str) else None


def is_bundled(json_path: Path) -> bool:
    """A model of the zoo shipped with the app (built and tested with it: its checksum is enough)."""
    try:
        return json_path.parent.resolve().is_relative_to(zoo_dir().resolve())
    except OSError:
        return False


def _advice(json_path: Path, name: str) -> str:
    folder = json_path.parent
    if is_bundled(json_path):
        return "Re-install Model Picker (pip install --force-reinstall model-picker) to restore the bundled zoo"
    if folder.parent.name == "models" or record_path(folder, name).exists():
        return f"Run `model-picker fetch {name} --cloud-sync` to download it again"
    return "Restore the file from where this zoo came from"


def model_fields(json_path: Path) -> tuple[str | None, str | None]:
    """(Checksum, ModelPath) of a model JSON, each None when missing, empty or not text, both None when the
    file is not a JSON object at all (damaged JSON is PySDK's to skip and validate.py's to explain)."""
    try:
        cfg = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # ValueError: not JSON, or not UTF-8 text
        return None, None
    if not isinstance(cfg, dict):
        return None, None
    params = cfg.get("MODEL_PARAMETERS")
    first = params[0] if isinstance(params, list) and params and isinstance(params[0], dict) else {}
    checksum, model_path = cfg.get("Checksum"), first.get("ModelPath")
    return (checksum if isinstance(checksum, str) and checksum else None,
            model_path if isinstance(model_path, str) and model_path else None)


def problem(json_path: Path, name: str) -> str | None:
    """Why this model must not be loaded, in one line, or None when its file matches."""
    expected, model_path = model_fields(json_path)
    if expected is None or model_path is None:
        return None  # not a model JSON this check understands: PySDK reports it (or skips it)
    path = json_path.parent / model_path
    missing = [p for p in model_files(path) if not p.is_file()]
    if missing:
        return f"model file {missing[0]} is missing; not loaded. {_advice(json_path, name)}"
    found = known_checksum(path)
    if found == expected or found == fetched_sha256(json_path.parent, name):
        return None
    size = sum(p.stat().st_size for p in model_files(path))
    return (f"model file {path} ({size} bytes) does not match the Checksum in {json_path.name} "
            f"(expected SHA-256 {expected[:16]}…, found {found[:16]}…): it is truncated, damaged or replaced, "
            f"and was not loaded because a damaged model can crash the process. {_advice(json_path, name)}")


def verify_local_model(zoo: Path, name: str) -> None:
    """Raise DamagedModelError when the model ``name`` of the local zoo folder ``zoo`` must not be loaded.

    A model from outside the bundled zoo is also test-loaded in a child process once (probe.py): what
    its checksum cannot vouch for then crashes the child, not the app.
    """
    if os.environ.get(TRUST_ENV) == "1":
        return
    json_path = find_model_json(zoo, name)
    if json_path is None:
        return
    message = problem(json_path, name)
    if not message and not is_bundled(json_path):
        model_path = _model_path(json_path)
        if model_path is not None:
            message = probe_model(json_path, model_path)
    if message:
        raise DamagedModelError(message)


def _model_path(json_path: Path) -> Path | None:
    model_path = model_fields(json_path)[1]
    return json_path.parent / model_path if model_path is not None else None
