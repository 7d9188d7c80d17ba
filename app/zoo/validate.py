"""Check a model folder the way PySDK does not, so problems surface before a demo.

PySDK skips a model JSON without a ``Checksum`` or with ``ConfigVersion``
outside 1..14 *silently*, never verifies the checksum, and reports a missing
model file or a wrong field type only at the first inference. Each check here
returns a Problem that names the file (and line for JSON syntax) and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model_picker.errors import InferenceError
from model_picker.zoo.checksum import model_checksum, model_files
from model_picker.zoo.integrity import find_model_json

SUPPORTED_CONFIG_VERSIONS = range(1, 15)  # what PySDK 1.5.0 accepts


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model; ``fatal`` ones stop PySDK from using it."""

    path: Path
    field: str
    message: str
    fatal: bool = True
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


def model_json_files(folder: Path) -> list[Path]:
    """Model JSONs in a zoo folder, searched recursively as PySDK does (labels files excluded)."""
    return sorted(p for p in folder.rglob("*.json") if _is_model_json(p))


def _is_model_json(path: Path) -> bool:
    if path.name.startswith("labels_"):
        return False
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return "ConfigVersion" in head or "MODEL_PARAMETERS" in head or "DEVICE" in head


def _section(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    value = cfg.get(name)
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def check_model(json_path: Path, verify_checksum: bool = True) -> list[Problem]:
    """Every problem with one model JSON and the files it names."""
    try:
        cfg = json.loads(json_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [Problem(json_path, "", f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)]
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: not UTF-8 text
        return [Problem(json_path, "", f"cannot read as JSON: {exc}")]
    if not isinstance(cfg, dict):
        return [Problem(json_path, "", "a model JSON must be an object")]
    problems: list[Problem] = []
    version = cfg.get("ConfigVersion")
    if not isinstance(version, int) or version not in SUPPORTED_CONFIG_VERSIONS:
        problems.append(Problem(json_path, "ConfigVersion", f"is {version!r}; PySDK accepts 1 to 14 and "
                                "silently skips this model otherwise"))
    checksum = cfg.get("Checksum")
    if not checksum:
        problems.append(Problem(json_path, "Checksum", "is missing or empty; PySDK silently skips this model"))
    device = _section(cfg, "DEVICE")
    if not device.get("RuntimeAgent") or not device.get("DeviceType"):
        problems.append(Problem(json_path, "DEVICE", "needs RuntimeAgent and DeviceType (e.g. TFLITE and CPU)"))
    pre = _section(cfg, "PRE_PROCESS")
    for key in ("InputH", "InputW"):
        if key in pre and not isinstance(pre[key], int):
            problems.append(Problem(json_path, f"PRE_PROCESS.{key}", f"must be a whole number, got {pre[key]!r}"))
    model_path = _section(cfg, "MODEL_PARAMETERS").get("ModelPath")
    folder = json_path.parent
    if not model_path:
        problems.append(Problem(json_path, "MODEL_PARAMETERS.ModelPath", "is missing"))
    elif not isinstance(model_path, str):
        problems.append(Problem(json_path, "MODEL_PARAMETERS.ModelPath", f"must name a file, not {model_path!r}"))
    else:
        missing = [p for p in model_files(folder / model_path) if not p.exists()]
        if missing:
            problems.append(Problem(json_path, "MODEL_PARAMETERS.ModelPath",
                                    f"file not found: {', '.join(p.name for p in missing)}"))
        elif verify_checksum and checksum and model_checksum(folder / model_path) != checksum:
            problems.append(Problem(json_path, "Checksum", "does not match the model file (changed or truncated)"))
    post = _section(cfg, "POST_PROCESS")
    for key in ("LabelsPath", "PythonFile"):
        name = post.get(key)
        if name is None:
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(json_path, f"POST_PROCESS.{key}", f"must name a file, not {name!r}"))
        elif not (folder / name).exists():
            shown = name if name.isprintable() else repr(name)
            problems.append(Problem(json_path, f"POST_PROCESS.{key}", f"file not found: {shown}"))
    labels = post.get("LabelsPath")
    if isinstance(labels, str) and labels.strip() and (folder / labels).exists():
        try:
            json.loads((folder / labels).read_text(encoding="utf-8"))
        except (ValueError, OSError, RecursionError) as exc:  # ValueError: bad JSON, or not UTF-8 text
            problems.append(Problem(folder / labels, "", f"labels are not valid JSON: {exc}"))
    return problems


def check_zoo(folder: Path, verify_checksum: bool = True) -> dict[str, list[Problem]]:
    """Problems of every model in a zoo folder, by model name (an empty list: fine)."""
    return {p.stem: check_model(p, verify_checksum) for p in model_json_files(folder)}


def broken_file(zoo: str | Path, name: str) -> Problem | None:
    """The first fatal problem of model ``name`` in the zoo folder ``zoo``; None if none (or not a folder)."""
    folder = Path(zoo)
    if not str(zoo) or not folder.is_dir():
        return None
    json_path = find_model_json(folder, name)
    if json_path is None:
        return None
    return next((p for p in check_model(json_path, verify_checksum=False) if p.fatal), None)


def name_broken_file(error: InferenceError, spec: Any) -> InferenceError:
    """``error`` of a failed run, or the broken file of its local model that explains it.

    PySDK says only "[ERROR]Operation failed" at the first inference of a model
    whose ``PythonFile`` is missing or whose labels are not JSON; this names the file.
    """
    if spec is None or getattr(spec, "inference_host_address", "") != "@local":
        return error
    try:
        problem = broken_file(str(getattr(spec, "zoo_url", "") or ""), str(getattr(spec, "model_name", "")))
    except Exception:  # a diagnosis never replaces the error it explains
        return error
    if problem is None:
        return error
    return InferenceError(f"the model cannot run: {problem}", error.detail)
