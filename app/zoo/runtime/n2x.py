"""DeGirum's N2X runtime (the one that drives ORCA accelerators) and its compile cache.

- ``N2X/ORCA1`` and ``N2X/ORCA`` are ORCA hardware; ``N2X/CPU`` is the same runtime emulated
  on the CPU wherever PySDK is: its results match ORCA's, its speed must never pass for ORCA's.
- On its first load N2X compiles the ``.tflite`` into
  ``~/.local/share/DeGirum/n2x_cache/<model file stem>_<JSON Checksum>.n2x``. A damaged entry,
  or one written by an earlier process (PySDK cannot read those back), fails the load with
  "n2x invalid or corrupt", and the next N2X load in that process crashes it. So before a process
  first loads an N2X model locally, ``drop_stale_entry`` deletes that model's entry and N2X
  recompiles; the located message and ``clear-n2x`` cover what the app cannot guard (AI servers,
  other programs). Details in docs/orca.md.
- ORCA cards need DeGirum's PCIe driver: the N2X agent looks for the ``cda`` kernel driver.

No PySDK or Qt imports: the CLI, the window and the error translation all use this.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ORCA_TYPES = ("N2X/ORCA1", "N2X/ORCA")
EMULATOR = "N2X/CPU"
CACHE_ERROR = "n2x invalid or corrupt"
CLEAR_COMMAND = "model-picker cache clear-n2x"
CLEAR_ACTION = "Tools → Clear N2X Compile Cache"
DRIVER_DIR = Path("/sys/bus/pci/drivers/cda")
EMULATED_NOTE = "ORCA runtime (N2X) emulated on the CPU: not a measurement of ORCA hardware"
HARDWARE_NOTE = "ORCA hardware"
ORCA_HELP = ("install DeGirum's ORCA PCIe driver (kernel module cda) for the card, then check that "
             "`degirum sys-info` lists N2X/ORCA1 under Devices")


def is_orca(device_type: str) -> bool:
    """True for ORCA hardware device types (not the N2X/CPU emulator)."""
    return str(device_type).upper() in ORCA_TYPES


def orca_devices(device_types: Iterable[str]) -> list[str]:
    return sorted(t for t in device_types if is_orca(t))


def execution_note(device_type: str) -> str:
    """What a figure on this device type measures, e.g. the N2X emulator rather than an ORCA."""
    kind = str(device_type).split(" ", 1)[0].upper()
    if kind == EMULATOR:
        return EMULATED_NOTE
    if is_orca(kind):
        return f"N2X runtime on {HARDWARE_NOTE} ({kind})"
    runtime, _, device = kind.partition("/")
    return f"{runtime} runtime on {device}" if device else kind


def driver_loaded() -> bool:
    return DRIVER_DIR.is_dir()


def cache_dir() -> Path:
    """Where N2X keeps compiled models for this user: PySDK's data folder (its ``get_app_data_dir``:
    ``~/.local/share/DeGirum``, ``%APPDATA%/DeGirum`` on Windows), read once per process by PySDK."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "DeGirum" / "n2x_cache"
    return Path(os.path.expanduser("~/.local/share/DeGirum")) / "n2x_cache"


def cache_entries(model_stem: str = "") -> list[Path]:
    folder = cache_dir()
    pattern = f"{model_stem}_*.n2x" if model_stem else "*.n2x"
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def clear_cache() -> tuple[int, int]:
    """Delete every compiled entry: (entries removed, bytes freed). N2X recompiles on the next load."""
    count = size = 0
    for entry in cache_entries():
        try:
            bytes_ = entry.stat().st_size
            entry.unlink()
        except FileNotFoundError:
            continue
        count, size = count + 1, size + bytes_
    return count, size


_loaded_here: set[str] = set()  # cache entry names this process has compiled (held in memory by N2X)


def drop_stale_entry(runtime_agent: str, model_path: str, checksum: str) -> Path | None:
    """Before this process first loads an N2X model: delete the entry an earlier process left.

    Returns the deleted path (None: not N2X, already loaded here, or no entry). Later loads in this
    process use N2X's in-memory copy, so the entry N2X writes now is left alone.
    """
    if str(runtime_agent).upper() != "N2X":
        return None
    name = f"{Path(model_path).stem}_{checksum}.n2x"
    if name in _loaded_here:
        return None
    _loaded_here.add(name)
    dropped = None
    # PySDK fixes its data folder when first used in a process; HOME may have changed since (tests do it),
    # so both the folder of now and that of the start are cleaned.
    for folder in dict.fromkeys((cache_dir(), _CACHE_DIR_AT_START)):
        try:
            (folder / name).unlink()
            dropped = dropped or folder / name
        except OSError:
            pass  # none there, or cannot delete: should the load fail, the located message says what to do
    return dropped


_CACHE_DIR_AT_START = cache_dir()


def cache_error_message(text: str, host: str = "") -> str | None:
    """The located, actionable sentence for a damaged N2X cache entry, or None for other errors."""
    if CACHE_ERROR not in text:
        return None
    match = re.search(r"When running model '([^']+)'", text)
    stem = match.group(1) if match else ""
    if host and host not in ("@local", ""):
        return (f"N2X cannot read its compile cache entry for {stem or 'this model'} on {host}: the entry is "
                f"damaged. On that machine, as the user running the AI server, run `{CLEAR_COMMAND}` "
                f"(or delete ~/.local/share/DeGirum/n2x_cache/{stem or '*'}_*.n2x) and restart the AI server "
                "(PySDK 1.5.0 crashes on the next N2X load after this error), then run again")
    entries = cache_entries(stem) if stem else []
    where = ", ".join(map(str, entries)) or f"{cache_dir()}/{stem or '*'}_*.n2x"
    return (f"N2X cannot read its compile cache entry for {stem or 'this model'}: {where} is damaged. "
            f"Clear the N2X cache with `{CLEAR_COMMAND}` (in the window: {CLEAR_ACTION}, then restart "
            "Model Picker: PySDK cannot load N2X again in a process that met this error) and run again: "
            "N2X recompiles the model (a few seconds)")


def orca_summary(device_types: Iterable[str]) -> str:
    """One line on ORCA for the host bar and the doctor."""
    types = list(device_types)
    orca = orca_devices(types)
    if orca:
        return f"ORCA: {', '.join(orca)}"
    return "no ORCA (N2X/CPU emulator only)" if EMULATOR in types else "no ORCA"
