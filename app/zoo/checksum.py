"""The checksum the bundled zoo writes into each model JSON, and the app verifies.

PySDK requires a non-empty ``"Checksum"`` but never checks it, so a truncated or
swapped model file is only noticed at the first inference, if at all. The app
defines the checksum as the SHA-256 of the model file named by ``ModelPath``; for
an OpenVINO IR (``.xml``) the weights file beside it (``.bin``) is hashed after
the XML, because the XML alone says nothing about the weights.

This module has no third-party imports so the zoo build script can use it too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


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
