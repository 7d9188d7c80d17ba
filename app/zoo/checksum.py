"""The checksum the bundled zoo writes into each model JSON, and the app verifies.

PySDK requires a non-empty ``"Checksum"`` but never checks it, so a truncated or
swapped model file is only noticed at the first inference, if at all (a truncated
TFLite file kills the process with SIGSEGV). The app defines the checksum as the
SHA-256 of the model file named by ``ModelPath``; for an OpenVINO IR (``.xml``)
the weights file beside it (``.bin``) is hashed after the XML, because the XML
alone says nothing about the weights.

Hashing a large model is slow enough to notice, and the app checks before every
load, so ``known_checksum`` remembers results keyed by each file's path, size,
mtime, ctime and inode (a rewrite that keeps the size and resets the mtime still
changes the ctime) in a small JSON file in the app's cache folder.

This module has no third-party imports so the zoo build script can use it too.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from model_picker.paths import cache_dir
from model_picker.statefile import read_json, write_json

_CHUNK = 1 << 20
_MAX_ENTRIES = 500
_lock = threading.Lock()


def model_files(model_path: Path) -> list[Path]:
    """The files whose bytes make up a model, in hashing order."""
    files = [model_path]
    if model_path.suffix.lower() == ".xml":
        files.append(model_path.with_suffix(".bin"))
    return files


def model_checksum(model_path: Path) -> str:
    """SHA-256 (hex) over the model file and, for OpenVINO IR, its weights."""
    digest = hashlib.sha256()
    for path in model_files(model_path):
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def memo_file() -> Path:
    """Where hashes already computed are remembered: in the app's cache folder."""
    return cache_dir() / "checksums.json"


def _stamp(model_path: Path) -> list[list[int]]:
    """What must stay the same for a remembered hash to hold (raises OSError for a missing file)."""
    stamps = []
    for path in model_files(model_path):
        st = path.stat()
        stamps.append([st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return stamps


def _is_memo(value: Any) -> bool:
    """The form ``known_checksum`` writes: {path: {"stamp": [[size, mtime, ctime, inode], ...], "sha256": hex}}."""
    return isinstance(value, dict) and len(value) <= 4 * _MAX_ENTRIES and all(
        isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and isinstance(entry.get("stamp"), list)
        and all(isinstance(s, list) and len(s) == 4 and all(type(n) is int for n in s) for s in entry["stamp"])
        for entry in value.values())


def _read_memo(path: Path) -> dict[str, dict]:
    """The memo, or {} when it is missing; a damaged memo is set aside (statefile.py) and rebuilt."""
    memo = read_json(path, _is_memo)
    return memo if memo is not None else {}


def known_checksum(model_path: Path) -> str:
    """``model_checksum``, computed once per version of the file(s) and remembered across runs."""
    key = str(model_path.resolve())
    stamp = _stamp(model_path)
    store = memo_file()
    with _lock:
        entry = _read_memo(store).get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    digest = model_checksum(model_path)
    if _stamp(model_path) != stamp:  # changed while hashing: answer, but remember nothing
        return digest
    with _lock:
        memo = _read_memo(store)
        memo.pop(key, None)
        memo[key] = {"stamp": stamp, "sha256": digest}
        for old in list(memo)[:-_MAX_ENTRIES]:
            memo.pop(old)
        try:
            write_json(store, memo)
        except OSError:
            pass  # a read-only or full home: hashing again next time is only slower
    return digest
