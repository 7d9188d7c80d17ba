"""Staging folders of fetches (``<cache>/.fetch-*``) and the ones a killed fetch left behind.

A fetch downloads and unpacks in a hidden folder beside the models and renames the
result into place, so the cache never holds half a model. A fetch killed with
SIGKILL (or a power cut) cannot clean up, so each staging folder records its owner
(pid and the process start time, which tells a live owner from a recycled pid);
the next fetch removes the folders whose owner is gone, and ``cache list`` shows
them all. ``.old-*`` folders (a replaced model, moved aside for an instant) carry
the pid in their name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model_picker.statefile import read_json, write_json

OWNER = "owner.json"
NO_OWNER_GRACE_S = 3600  # a folder without an owner record is left alone this long


@dataclass(frozen=True)
class StagingFolder:
    path: Path
    model: str
    pid: int | None
    size_bytes: int
    modified: float
    alive: bool  # its fetch is still running

    def text(self) -> str:
        state = (f"fetch in progress (pid {self.pid})" if self.alive
                 else "left by an interrupted fetch; the next fetch removes it")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.modified))
        return f"{self.path.name:<40} {self.size_bytes / 1e6:8.1f} MB  {when}  {state}"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), None where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return start is None or _start_time(pid) in (None, start)


def make_staging(root: Path, model: str) -> Path:
    """A new staging folder in ``root`` owned by this process."""
    work = Path(tempfile.mkdtemp(prefix=f".fetch-{model}-", dir=root))
    owner = {"pid": os.getpid(), "start": _start_time(os.getpid()), "model": model}
    try:
        write_json(work / OWNER, owner)  # whole or not at all: a `cache list` may read it right now
    except OSError:
        shutil.rmtree(work, ignore_errors=True)  # a full disk: leave nothing behind
        raise
    return work


def _size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except OSError:
            pass
    return total


def _is_owner(value: Any) -> bool:
    """The form ``make_staging`` writes: {"pid": int, "start": text or null, "model": text}."""
    return isinstance(value, dict) and type(value.get("pid")) is int and isinstance(value.get("start"), str | None) \
        and isinstance(value.get("model", ""), str)


def _describe(path: Path) -> StagingFolder:
    modified = path.stat().st_mtime
    if path.name.startswith(".old-"):  # .old-<model>-<pid>-<ns>
        model, pid, _ns = path.name[len(".old-"):].rsplit("-", 2)
        owner = {"pid": int(pid) if pid.isdigit() else None, "model": model}
    else:
        owner = read_json(path / OWNER, _is_owner) or {}
    pid = owner.get("pid") if type(owner.get("pid")) is int and 0 < owner["pid"] < 2**31 else None
    start = owner.get("start") if isinstance(owner.get("start"), str) else None
    alive = _alive(pid, start) if pid is not None else time.time() - modified < NO_OWNER_GRACE_S
    return StagingFolder(path, str(owner.get("model") or ""), pid, _size(path), modified, alive)


def list_staging(root: Path) -> list[StagingFolder]:
    """Every staging folder in the cache, running or left behind."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir()):
        if path.is_dir() and path.name.startswith((".fetch-", ".old-")):
            try:
                found.append(_describe(path))
            except (OSError, ValueError):
                continue
    return found


def remove_stale(root: Path) -> list[Path]:
    """Remove the staging folders whose fetch is gone; the removed paths are returned."""
    removed = []
    for folder in list_staging(root):
        if not folder.alive:
            shutil.rmtree(folder.path, ignore_errors=True)
            removed.append(folder.path)
    return removed
