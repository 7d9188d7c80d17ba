"""The app's cache folder, for what it can always rebuild (registry copies, checksums, runtime links).

One rule, from the XDG Base Directory spec: ``$XDG_CACHE_HOME/model-picker`` when ``XDG_CACHE_HOME`` is an
absolute path, else ``~/.cache/model-picker``. The spec says an empty or relative value is invalid and must be
ignored; taking it as given would scatter caches in whatever the current folder is.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """The app's cache folder (not created here); read at each call, so a changed environment is followed."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "model-picker"
