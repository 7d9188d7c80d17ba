"""Validated registries remembered by the SHA-256 of their text, so a reload skips YAML and schema.

Reopening a large registry (F5, a recent file, the same URL)
should be instant, and must never show an old parse of a changed file: the key
is the hash of the exact text just read, so a changed file or download simply
misses. Entries are JSON (safe to read back, unlike pickle), written atomically,
carry their own hash and format, and anything unreadable is ignored and
replaced. Only documents of plain JSON types are stored (dates, bytes and sets
are parsed each time). The folder keeps the ``KEEP`` most recently used entries.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from model_picker.paths import cache_dir

FORMAT = 1
KEEP = 16


def folder() -> Path:
    """In the app's cache folder, beside the registry copies."""
    return cache_dir() / "parsed"


def _path(digest: str) -> Path:
    return folder() / f"{digest}.json"


def recall(digest: str) -> dict[str, Any] | None:
    """The validated config for this text hash, or None (missing, corrupt or of another format)."""
    path = _path(digest)
    try:
        entry = json.loads(path.read_bytes())
        if entry["format"] != FORMAT or entry["sha256"] != digest or not isinstance(entry["config"], dict):
            return None
        os.utime(path)  # most recently used
        return entry["config"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def remember(digest: str, config: dict[str, Any]) -> None:
    """Remember a validated config; a cache that cannot be written is not worth failing a load for."""
    path = _path(digest)
    try:
        text = json.dumps({"format": FORMAT, "sha256": digest, "config": config}, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        _prune(path.parent)
    except (OSError, ValueError, TypeError, RecursionError):
        pass


def _prune(where: Path) -> None:
    entries = sorted(where.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
