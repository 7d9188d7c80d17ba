"""QSettings helpers: typed reads that survive a corrupt or foreign settings file.

Values are stored as JSON text so lists and mappings read back the same on every
platform backend. The token is never stored (see settings_bar.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths


def get_str(settings: QSettings, key: str) -> str:
    value = settings.value(key)
    return value if isinstance(value, str) else ""


def get_float(settings: QSettings, key: str, default: float) -> float:
    try:
        return float(settings.value(key, default))
    except (TypeError, ValueError):
        return default


def get_list(settings: QSettings, key: str) -> list[str]:
    value = settings.value(key)
    if isinstance(value, str):
        value = [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def get_dict(settings: QSettings, key: str) -> dict[str, Any]:
    try:
        value = json.loads(settings.value(key) or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def set_dict(settings: QSettings, key: str, value: dict[str, Any]) -> None:
    settings.setValue(key, json.dumps(value))


def output_dir(settings: QSettings) -> Path:
    """Where snapshots, recordings and exports go (default: ~/Pictures/Model Picker)."""
    chosen = get_str(settings, "output_dir")
    if chosen:
        return Path(chosen)
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures or Path.home()) / "Model Picker"
