"""QSettings helpers: typed reads that survive a corrupt or foreign settings file.

Values are stored as JSON text so lists and mappings read back the same on every
platform backend. The token is never stored (see settings_bar.py).

The settings file is input like any other: a value of the wrong type (hand-edited,
written by another version, damaged) falls back to its default with one warning in
the log, and a file Qt cannot read as settings at all is set aside (``check_file``),
so the window always starts.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from model_picker.statefile import set_aside

log = logging.getLogger("model_picker")
Check = Callable[[Any], bool]


def _warn(settings: QSettings, key: str, value: Any, wanted: str) -> None:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
    log.warning("settings %s: %s is %s, not %s; using the default", settings.fileName(), key, shown, wanted)


def is_text(value: Any) -> bool:
    """Text that can name a file or be shown: no NUL, no lone surrogate."""
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def is_whole(value: Any) -> bool:
    """A whole number a Qt widget takes (a C int)."""
    return type(value) is int and -2**31 < value < 2**31


def is_number(value: Any) -> bool:
    """A finite number of a sensible size (no bool, NaN or infinity)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
        and abs(value) < 1e9


def is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(is_text(v) for v in value)


def is_properties(value: Any) -> bool:
    """Model properties: text keys, scalar or flat-list values."""
    def scalar(v: Any) -> bool:
        return v is None or isinstance(v, bool) or is_number(v) or is_text(v)

    return isinstance(value, dict) and all(
        is_text(k) and (scalar(v) or (isinstance(v, list) and all(map(scalar, v)))) for k, v in value.items())


def optional(check: Check) -> Check:
    return lambda value: value is None or check(value)


# The JSON mappings the window keeps, field by field (live/panel.py, shell/settings_bar.py).
OVERLAY: dict[str, Check] = {"show_labels": is_bool, "show_probabilities": is_bool, "line_width": is_whole,
                             "alpha": is_number, "font_scale": is_number, "threshold": optional(is_number),
                             "classes": is_texts}
SOURCE: dict[str, Check] = {"kind": is_text, "location": is_text}
DEFAULTS: dict[str, Check] = {"host": is_text, "host_override": is_bool, "devices": is_text, "zoo": is_text,
                              "threshold": is_number, "properties": is_properties}


def get_str(settings: QSettings, key: str) -> str:
    value = settings.value(key)
    if value is None:
        return ""
    if not is_text(value):
        _warn(settings, key, value, "text")
        return ""
    return value


def get_float(settings: QSettings, key: str, default: float) -> float:
    value = settings.value(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        _warn(settings, key, value, "a number")
        return default
    return number


def get_list(settings: QSettings, key: str) -> list[str]:
    value = settings.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(is_text(v) for v in value):
        _warn(settings, key, value, "a list of text")
        return [v for v in value if is_text(v)] if isinstance(value, list) else []
    return value


def get_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A binary value (window geometry and state), or None when missing or of another type."""
    value = settings.value(key)
    if value is None or isinstance(value, QByteArray):
        return value
    if isinstance(value, bytes):
        return QByteArray(value)
    _warn(settings, key, value, "binary data")
    return None


def get_dict(settings: QSettings, key: str) -> dict[str, Any]:
    """The JSON mapping stored at ``key`` ({} when missing, or with a warning when it is not one)."""
    value = settings.value(key)
    if value is None or value == "":
        return {}
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        _warn(settings, key, value, "a JSON mapping")
        return {}
    return data


def get_fields(settings: QSettings, key: str, fields: Mapping[str, Check]) -> dict[str, Any]:
    """The JSON mapping at ``key`` with only the ``fields`` whose value passes its check; each value
    that does not is dropped (its default applies) with a warning."""
    data = get_dict(settings, key)
    kept = {}
    for name, check in fields.items():
        if name not in data:
            continue
        if check(data[name]):
            kept[name] = data[name]
        else:
            _warn(settings, f"{key}.{name}", data[name], f"a valid {name.replace('_', ' ')}")
    return kept


def set_dict(settings: QSettings, key: str, value: dict[str, Any]) -> None:
    settings.setValue(key, json.dumps(value))


def check_file(settings: QSettings) -> None:
    """A settings file Qt cannot read as settings (or not text at all) is set aside, and the window
    starts from the defaults; a file with some bad values is kept (each read falls back on its own)."""
    if settings.format() not in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        return
    path = Path(settings.fileName())
    if not path.is_file():
        return
    reason = ""
    if settings.status() == QSettings.Status.FormatError:
        reason = "is not a valid settings file"
    else:
        try:
            with open(path, "rb") as handle:
                head = handle.read(1 << 20)
            head.decode("utf-8")
            if b"\0" in head:
                reason = "is not a text settings file"
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # not only a character cut by the 1 MB read
                reason = "is not a text settings file"
        except OSError:
            return
    if reason:
        set_aside(path, reason)
        settings.clear()
        settings.sync()


def output_dir(settings: QSettings) -> Path:
    """Where snapshots, recordings and exports go (default: ~/Pictures/Model Picker)."""
    chosen = get_str(settings, "output_dir")
    if chosen:
        return Path(chosen)
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures or Path.home()) / "Model Picker"
