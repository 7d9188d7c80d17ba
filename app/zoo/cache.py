"""The local model cache (PySDK's ``<app data>/models``): list, verify, remove.

Models land there through ``ensure_local`` (the library's or ours). Each is a
folder named after the model; where the app fetched it, a record beside the
models says from which zoo and when.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from model_picker.redact import redact
from model_picker.zoo.fetch import cache_root, sources_dir
from model_picker.zoo.integrity import problem, read_record
from model_picker.zoo.staging import StagingFolder, list_staging
from model_picker.zoo.validate import Problem, check_model


@dataclass(frozen=True)
class CachedModel:
    name: str
    path: Path
    size_bytes: int
    modified: float
    zoo_url: str  # "" when it was not fetched by this app

    def modified_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.modified))


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def list_cached() -> list[CachedModel]:
    root = cache_root()
    if not root.is_dir():
        return []
    models = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or not (folder / f"{folder.name}.json").exists():
            continue
        record = read_record(folder, folder.name)
        models.append(CachedModel(folder.name, folder, _size(folder), folder.stat().st_mtime,
                                  redact(str(record.get("zoo_url", "")))))  # an older record may hold a secret
    return models


def staging() -> list[StagingFolder]:
    """Hidden staging folders: fetches running now, and leftovers of killed ones (removed by the next fetch)."""
    return list_staging(cache_root())


def total_bytes() -> int:
    return sum(m.size_bytes for m in list_cached())


def find(name: str) -> CachedModel:
    for model in list_cached():
        if model.name == name:
            return model
    raise KeyError(name)


def verify(name: str) -> list[Problem]:
    """JSON parses, the files it names are there, and the checksum matches (see checksum.py).

    The same rule as before a load (integrity.py): a file that still has the bytes
    this app fetched passes even where its zoo defines ``Checksum`` differently.
    """
    model = find(name)
    json_path = model.path / f"{name}.json"
    problems = check_model(json_path, verify_checksum=False)
    if not any(p.field == "MODEL_PARAMETERS.ModelPath" for p in problems) and problem(json_path, name):
        problems.append(Problem(json_path, "Checksum", "does not match the model file (changed or truncated)"))
    return problems


def remove(name: str) -> None:
    model = find(name)
    shutil.rmtree(model.path)
    (sources_dir() / f"{name}.json").unlink(missing_ok=True)
