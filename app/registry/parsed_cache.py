"""Validated registries remembered by the SHA-256 of their text, so a reload skips YAML and schema.

Reopening a large registry (F5, a recent file, the same URL)
should be instant, and must never show an old parse of a changed file: the key
is the hash of the exact text just read, so a changed file or download simply
misses. Entries are JSON (safe to read back, unlike pickle), written atomically,
carry their own hash and format, and are read as untrusted input (statefile.py):
an entry that is damaged, or whose config the loader would not have produced, is
set aside with a warning and the registry parsed again. Only documents of plain
JSON types are stored (dates, bytes and sets are parsed each time). The folder
keeps the ``KEEP`` most recently used entries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model_picker.paths import cache_dir
from model_picker.statefile import KEEP_BAD, read_json, write_text

FORMAT = 1
KEEP = 16
MAX_BYTES = 256 * 1024 * 1024  # an entry larger than this is neither written nor read


def folder() -> Path:
    """In the app's cache folder, beside the registry copies."""
    return cache_dir() / "parsed"


def _path(digest: str) -> Path:
    return folder() / f"{digest}.json"


def recall(digest: str, sound: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    """The validated config for this text hash, or None (missing, of another format, or set aside).

    ``sound`` says whether a config read back is one the loader could have stored; an entry it refuses
    is damaged or planted, and is set aside like one that is not JSON.
    """
    path = _path(digest)

    def valid(entry: Any) -> bool:
        if not isinstance(entry, dict) or type(entry.get("format")) is not int:
            return False
        if entry["format"] != FORMAT:
            return True  # another version's entry: a miss, not damage
        return entry.get("sha256") == digest and isinstance(entry.get("config"), dict) and sound(entry["config"])

    entry = read_json(path, valid, MAX_BYTES)
    if entry is None or entry["format"] != FORMAT:
        return None
    try:
        os.utime(path)  # most recently used
    except OSError:
        pass
    return entry["config"]


def remember(digest: str, config: dict[str, Any]) -> None:
    """Remember a validated config; a cache that cannot be written is not worth failing a load for."""
    path = _path(digest)
    try:
        # Not ASCII-escaped (no surrogate-pair escapes), so reading back checks text only in a planted file.
        text = json.dumps({"format": FORMAT, "sha256": digest, "config": config}, separators=(",", ":"),
                          ensure_ascii=False)
        if len(text) <= MAX_BYTES // 4:  # UTF-8 may take up to 4 bytes a character
            write_text(path, text)
            _prune(path.parent)
    except (OSError, ValueError, TypeError, RecursionError):
        pass


def _prune(where: Path) -> None:
    entries = sorted(where.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
    for bad in sorted(where.glob("*.bad-*"), key=lambda p: p.name[-15:], reverse=True)[KEEP_BAD:]:
        if bad.is_file():
            bad.unlink(missing_ok=True)
